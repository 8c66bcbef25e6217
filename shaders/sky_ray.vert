#version 330 core
// A band of whole rows of the screen (u_band: NDC y from and to, from nebula.scene's
// elevation_band), carrying the world-space view ray of each corner. The ray (far point minus
// eye, times the far point's w) is affine in screen space, so interpolating it and normalising
// per pixel is exact, and saves the sky and plain two matrix inversions a pixel. Drawn as a
// four-vertex triangle strip.
#include "lib/uniforms.glsl"

uniform vec2 u_band;

out vec2 v_uv;
out vec3 v_ray;

void main() {
    vec2 p = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    vec2 ndc = vec2(p.x * 2.0 - 1.0, mix(u_band.x, u_band.y, p.y));
    v_uv = ndc * 0.5 + 0.5;
    vec4 far = u_inv_view_proj * vec4(ndc, 1.0, 1.0);
    v_ray = far.xyz - u_cam_pos * far.w;
    gl_Position = vec4(ndc, 0.0, 1.0);
}
