#version 330 core
// A figure's soft shadow on the plain: a quad round its feet, stretched away from the twilight
// glow beyond the circle (towards the viewer).
#include "lib/uniforms.glsl"

in vec2 in_corner;  // [-1, 1] square
in vec3 in_pos;
in float in_height;
in float in_open;

out vec2 v_at;  // metres round the feet: x across, y away from the glow
flat out float v_open;

const float SHADOW_LIFT = 0.004;  // metres above the plain: never fighting it for depth

void main() {
    float h = max(in_height, 0.05);
    vec2 at = in_corner * vec2(0.42, 0.9) * h + vec2(0.0, 0.45 * h);
    v_at = at / h;
    v_open = in_open;
    vec3 p = in_pos + vec3(at.x, SHADOW_LIFT, at.y);
    gl_Position = u_view_proj * vec4(p, 1.0);
}
