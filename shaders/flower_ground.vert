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
flat out float v_seed;
out float v_turn;

void main() {
    // The shadow of the crystal's facets, thrown outward by its own inner light: it reaches
    // farther as the light swells, so it dances with the pulse.
    float r = in_size * (u_mode == 1 ? 2.6 : 1.4 + 1.6 * in_glow);
    vec3 world = in_pos + vec3(in_corner.x * r, 0.002, in_corner.y * r);
    v_local = in_corner;
    v_glow = in_glow;
    v_hue = in_hue;
    v_seed = in_seed;
    // The spokes sway with the pulse and a flicker of their own; at unity, warm and in unison,
    // the flicker calms and only the slow pulse moves them: they murmur.
    float flicker = sin(TAU * (u_wave.y + in_seed)) * 0.6 + sin(TAU * (u_wave.z + in_seed * 3.0)) * 0.25;
    v_turn = 0.5 * in_glow + flicker * 0.12 * (1.0 - 0.75 * u_warmth);
    gl_Position = u_view_proj * vec4(world, 1.0);
}
