#version 330 core
// A textured rectangle without a vertex buffer: 4 vertices as a triangle strip.
// u_rect is (x0, y0, x1, y1) in clip space; the live window draws the frame and the HUD with it.
uniform vec4 u_rect;
uniform vec4 u_uv_rect;  // (u0, v0, u1, v1): the part of the image drawn, 0..1 each way
uniform float u_flip_y;  // 1.0 for images stored top row first (pygame surfaces)
out vec2 v_uv;

void main() {
    vec2 p = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    vec2 q = vec2(p.x, mix(p.y, 1.0 - p.y, u_flip_y));
    v_uv = mix(u_uv_rect.xy, u_uv_rect.zw, q);
    gl_Position = vec4(mix(u_rect.xy, u_rect.zw, p), 0.0, 1.0);
}
