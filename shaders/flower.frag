#version 330 core
#include "lib/uniforms.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"

in vec3 v_normal;
in vec3 v_world;
in float v_facet;
in float v_glow;
in float v_hue;
in float v_height;
out vec4 out_color;

void main() {
    vec3 n = normalize(v_normal);
    vec3 view = normalize(u_cam_pos - v_world);
    float ndv = abs(dot(n, view));
    float fres = pow(1.0 - ndv, 3.0);
    vec3 inner = mix(CRYSTAL_ICE(), CRYSTAL_LILAC(), v_hue);
    float pulse = mix(1.0, v_glow * 1.6, clamp(u_flower_pulse, 0.0, 2.0) * 0.5 + 0.25);
    // Lit from within: brightest at the heart of the crystal, facets catch it differently.
    float core = exp(-v_height * 1.8) * 0.6 + 0.4;
    float facet_tone = 0.65 + 0.35 * fract(v_facet * 7.31);
    vec3 col = inner * pulse * core * facet_tone * 1.4;
    // Prismatic fringes where the facets turn away: a thin rainbow.
    col += iridescent(fres * 1.4 + v_hue + v_facet) * fres * 0.9 * pulse;
    float alpha = clamp(0.55 + 0.45 * fres, 0.0, 1.0) * (1.0 - 0.8 * u_fade);
    out_color = vec4(col, alpha);
}
