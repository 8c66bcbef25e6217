#version 330 core
// A crystal flower's facets: translucent, lit from within (ice blue to lilac), each facet catching
// the inner light differently, prismatic fringes where facets turn away from the eye.
#include "lib/uniforms.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/safe.glsl"

flat in vec3 v_normal;
in vec3 v_world;
flat in float v_facet;
flat in float v_glow;
flat in float v_hue;
in float v_height;
out vec4 out_color;

void main() {
    vec3 n = safe_normalize(v_normal, vec3(0.0, 1.0, 0.0));
    vec3 view = safe_normalize(u_cam_pos - v_world, vec3(0.0, 0.0, 1.0));
    // Rounding lets |n . view| pass 1 by a hair: clamp, or pow() below is NaN there.
    float ndv = min(abs(dot(n, view)), 1.0);
    float fres = spow(1.0 - ndv, 2.5);
    vec3 inner = mix(CRYSTAL_ICE(), CRYSTAL_LILAC(), v_hue);
    inner = mix(vec3(luma(inner)), inner, 2.0);  // the inner light is coloured, not white
    // The pulse: v_glow swings around its level; flower_pulse deepens the swing.
    float glow = max(0.0, 0.45 + (v_glow - 0.45) * u_flower_pulse);
    // Lit from within: a bright heart low in the crystal, facets seen face-on look into it.
    float core = exp(-v_height * 2.2);
    float facet_tone = 0.35 + 0.65 * fract(v_facet * 7.31 + 0.13);
    float through = ndv * ndv;
    // Brighter as the plain brightens: the flowers pulse brightest at unity.
    float lift = 1.0 + 0.8 * u_warmth;
    vec3 col = inner * (0.15 + 1.4 * glow) * lift * (0.3 * facet_tone + 1.9 * core * (0.3 + 0.7 * through));
    // The facet's own sheen: a cool reflection of the dusk sky, darker on facets facing down.
    col += mix(ZENITH_DEEP(), AMETHYST(), clamp(n.y * 0.5 + 0.5, 0.0, 1.0)) * 0.2 * facet_tone;
    // Prismatic fringes where the facets turn away: a thin rainbow sliding with the angle.
    col += iridescent(fres * 1.6 + v_hue + v_facet * 0.5) * fres * (0.5 + 0.8 * glow);
    float alpha = clamp(0.7 + 0.3 * fres + 0.2 * core, 0.0, 1.0) * (1.0 - 0.8 * u_fade);
    out_color = finite_out(vec4(col, alpha));
}
