#version 330 core
// Presents a finished image: the renderer's output texture (scaled to the window) or the HUD.
uniform sampler2D u_image;
uniform float u_opacity;
in vec2 v_uv;
out vec4 out_color;

void main() {
    vec4 c = texture(u_image, v_uv);
    out_color = vec4(c.rgb, c.a * u_opacity);
}
