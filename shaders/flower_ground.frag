#version 330 core
// A flower's shadow and pool of light on the plain, blended as premultiplied "over"
// (ONE, ONE_MINUS_SRC_ALPHA): alpha is the shade that darkens the plain, rgb the light added.
// One draw instead of a darkening pass and a lightening pass over every flower.
#include "lib/uniforms.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/safe.glsl"

in vec2 v_shadow;
in vec2 v_pool;
in float v_glow;
in float v_hue;
flat in float v_seed;
in float v_turn;
out vec4 out_color;

void main() {
    float s2 = dot(v_shadow, v_shadow);
    float p2 = dot(v_pool, v_pool);
    if (min(s2, p2) > 1.0) discard;
    // Spokes of shade between the light that escapes through the facets: one per facet (five
    // to seven, seeded), soft, fading outward, and a soft core.
    float facets = 5.0 + floor(v_seed * 3.0);
    float ang = safe_atan(v_shadow.y, v_shadow.x) + v_turn;
    float r = sqrt(s2);
    float spokes = spow(0.5 + 0.5 * cos(facets * ang), 4.0);
    float reach = smoothstep(0.12, 0.3, r) * (1.0 - smoothstep(0.45, 1.0, r));
    float shade = (0.55 * spokes * reach + 0.35 * exp(-s2 * 14.0)) * step(s2, 1.0);
    // The pool of the flower's own light.
    vec3 light = mix(CRYSTAL_ICE(), CRYSTAL_LILAC(), v_hue);
    float k = v_glow * (0.3 + 0.4 * u_flower_pulse) * 0.6 * (1.0 - 0.7 * u_fade);
    float fall = exp(-p2 * 3.5) * max(1.0 - p2, 0.0);
    out_color = finite_out(vec4(light * fall * k, shade * (1.0 - 0.6 * u_fade)));
}
