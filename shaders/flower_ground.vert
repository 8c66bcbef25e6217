#version 330 core
#include "lib/uniforms.glsl"

in vec2 in_corner;
in vec3 in_pos;
in float in_size;
in float in_glow;
in float in_hue;
in float in_seed;

uniform int u_mode;  // 0: dancing shadow, 1: pool of light

out vec2 v_local;
out float v_glow;
out float v_hue;

void main() {
    float r = in_size * (u_mode == 1 ? 2.6 : 1.2);
    vec3 centre = in_pos;
    if (u_mode == 0) {
        // The shadow sways as the inner light flickers: it dances, stretched away from the viewer.
        float sway = sin(TAU * (u_wave.y + in_seed)) * 0.35 + sin(TAU * (u_wave.y * 2.0 + in_seed * 3.0)) * 0.15;
        centre += vec3(sway * in_size, 0.0, -in_size * 0.9);
    }
    vec3 world = centre + vec3(in_corner.x * r, 0.002, in_corner.y * r * (u_mode == 0 ? 1.8 : 1.0));
    v_local = in_corner;
    v_glow = in_glow;
    v_hue = in_hue;
    gl_Position = u_view_proj * vec4(world, 1.0);
}
