#version 330 core
#include "lib/uniforms.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/safe.glsl"

uniform int u_mode;

in vec2 v_local;
in float v_glow;
in float v_hue;
flat in float v_seed;
in float v_turn;
out vec4 out_color;

void main() {
    float d2 = dot(v_local, v_local);
    if (d2 > 1.0) discard;
    float fall = exp(-d2 * 3.5) * (1.0 - d2);
    if (u_mode == 0) {
        // Spokes of shade between the light that escapes through the facets: one per facet
        // (five to seven, seeded), soft, fading outward. Multiplied onto the scene: 1 leaves
        // it, lower darkens.
        float facets = 5.0 + floor(v_seed * 3.0);
        float ang = safe_atan(v_local.y, v_local.x) + v_turn;
        float r = sqrt(d2);
        float spokes = pow(0.5 + 0.5 * cos(facets * ang), 4.0);
        float reach = smoothstep(0.12, 0.3, r) * (1.0 - smoothstep(0.45, 1.0, r));
        float shade = 0.55 * spokes * reach + 0.35 * exp(-d2 * 14.0);  // and a soft core
        out_color = finite_out(vec4(vec3(1.0 - shade * (1.0 - 0.6 * u_fade)), 1.0));
    } else {
        vec3 light = mix(CRYSTAL_ICE(), CRYSTAL_LILAC(), v_hue);
        float k = v_glow * (0.3 + 0.4 * u_flower_pulse) * 0.6 * (1.0 - 0.7 * u_fade);
        out_color = finite_out(vec4(light * fall * k, 1.0));
    }
}
