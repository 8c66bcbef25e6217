#version 330 core
// What a flower throws on the plain around its root, in one quad: its dancing shadow and its
// pool of light (flower_ground.frag). The quad is as wide as the wider of the two.
#include "lib/uniforms.glsl"

in vec2 in_corner;
in vec3 in_pos;
in float in_size;
in float in_glow;
in float in_hue;
in float in_seed;

out vec2 v_shadow;  // the quad's corner in units of the shadow's radius
out vec2 v_pool;    // ... and of the pool's
out float v_glow;
out float v_hue;
flat out float v_seed;
out float v_turn;

const float POOL_REACH = 2.6;

void main() {
    // The shadow of the crystal's facets, thrown outward by its own inner light: it reaches
    // farther as the light swells, so it dances with the pulse.
    float shadow = 1.4 + 1.6 * max(in_glow, 0.0);
    float reach = max(shadow, POOL_REACH);
    vec3 world = in_pos + vec3(in_corner.x, 0.0, in_corner.y) * in_size * reach;
    world.y += 0.002;
    v_shadow = in_corner * reach / shadow;
    v_pool = in_corner * reach / POOL_REACH;
    v_glow = in_glow;
    v_hue = in_hue;
    v_seed = in_seed;
    // The spokes sway with the pulse and a flicker of their own; at unity, warm and in unison,
    // the flicker calms and only the slow pulse moves them: they murmur.
    float flicker = sin(TAU * (u_wave.y + in_seed)) * 0.6 + sin(TAU * (u_wave.z + in_seed * 3.0)) * 0.25;
    v_turn = 0.5 * in_glow + flicker * 0.12 * (1.0 - 0.75 * u_warmth);
    gl_Position = u_view_proj * vec4(world, 1.0);
}
