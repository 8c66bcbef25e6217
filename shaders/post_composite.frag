#version 330 core
// The final picture: bloom, heat haze around guarded figures, the watercolor wash of the fade,
// tone mapping, vignette and grain. The costly parts are compiled in only where a variant asks:
// nebula/render/passes/post.py builds programs from this file with the defines HAZE,
// WATERCOLOR, KNOT and HUE (a software rasterizer pays for a skipped branch anyway, even on a
// uniform, so post.py picks the variant each frame instead of an `if`). The haze's offsets come
// drawn at quarter resolution, in the bloom map's alpha (post_bloom.frag).
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/safe.glsl"

uniform sampler2D u_scene;
// near * 0.7 + far * 0.35 at quarter resolution, and in alpha the haze's uv offset across
// (post_bloom.frag)
uniform sampler2D u_bloom_map;
uniform sampler2D u_bloom_near;  // the two glows apart, for the watercolor wash
uniform sampler2D u_bloom_far;

in vec2 v_uv;
out vec4 out_color;

vec3 display(vec3 linear_hdr) {
    return tonemap_aces(linear_hdr * u_exposure * 1.1);
}

void main() {
    vec2 uv = v_uv;
    vec4 bloom_haze = texture(u_bloom_map, v_uv);
    vec3 bloom = bloom_haze.rgb;  // soft: the haze's few pixels do not show on it
#ifdef HAZE
    // Heat haze: the air wavers around the figures while they are guarded.
    uv.x += bloom_haze.a;
    vec3 scene = texture(u_scene, uv).rgb;
#else
    vec3 scene = texture(u_scene, v_uv).rgb;  // a texel's centre, through post.py's nearest sampler
#endif
    float fade = clamp(u_fade * u_watercolor, 0.0, 1.0);
    vec3 col = scene + bloom * u_bloom * (1.0 - 0.6 * fade);
#ifdef HUE
    col = u_hue_matrix * col;  // hue_shift (the identity is 2 ms of a 720p frame)
#endif
    col = display(col);

#ifdef WATERCOLOR
    {
        // Watercolor, in display space: the picture bleeds into its own blur and becomes a
        // transparent glaze on warm paper; pigment pools where the wash changes (dried edges)
        // and granulates in the paper's tooth.
        vec2 bleed = (vec2(fbm(uv * 5.0 + u_drift.xy * 0.2, 2), fbm(uv * 5.0 + 4.3, 2)) - 0.5)
                     * 0.05 * fade;
        vec3 bn = texture(u_bloom_near, uv + bleed).rgb;
        vec3 bf = texture(u_bloom_far, uv + bleed * 1.6).rgb;
        vec3 wash = display((bn * 0.55 + bf * 0.45) * 1.25);
        float tooth = noise2(gl_FragCoord.xy * 0.45) * 0.6 + noise2(gl_FragCoord.xy * 0.11) * 0.4;
        // Leaving the dream the paper is warm and dries; waking into it the wash is cool and wet,
        // a dusk violet the scene resolves out of. The paper cools over the last seconds of the
        // cycle, so the seam between two cycles (fully washed) does not jump.
        float arriving = u_cycle_frac < 0.5 ? 1.0 : smoothstep(0.95, 1.0, u_cycle_frac);
        vec3 cool = mix(PAPER(), AMETHYST(), 0.55) * 0.55;
        vec3 paper = mix(PAPER(), cool, arriving) * (0.95 + 0.06 * tooth);
        // Pigment: the wash's hue (brightest channel at 1) laid on paper as a glaze, darker where
        // the wash is dark, pooled along dried edges, granulating in the paper's tooth.
        vec3 tint = wash / max(max(wash.r, max(wash.g, wash.b)), 1e-3);
        float value = spow(clamp(luma(wash), 0.0, 1.0), 0.45);
        float pool = clamp(abs(luma(bn) - luma(bf)) * 5.0, 0.0, 1.0);  // dried edges
        float density = clamp((0.5 + 0.9 * pool) * (0.85 + 0.3 * tooth), 0.0, 1.0);
        vec3 glaze = paper * mix(vec3(1.0), tint * (0.45 + 0.55 * value), density * 0.9);
        float wet = smoothstep(0.0, 0.75, fade);
        col = mix(col, glaze, wet * 0.92);
        // The threads are the last to go: what glows hardest in the scene stays above the wash.
        float thread = smoothstep(0.25, 0.9, luma(scene));
        col = mix(col, display(scene * 1.4), thread * wet * 0.8);
    }
#endif

    // Soft vignette.
    vec2 q = v_uv - 0.5;
    q.x *= u_aspect * 0.75;
    col *= 1.0 - 0.5 * smoothstep(0.25, 0.85, length(q)) * (1.0 - 0.6 * fade);
    col = linear_to_srgb(col);
    // Fine grain: per pixel, per frame, too small to crawl.
    float g = hash12(gl_FragCoord.xy + u_noise_seed * 1000.0) - 0.5;
    float grain = 0.025;
#ifdef KNOT
    // In the knot the grain thickens into a faint static hanging in the air, brighter in
    // the sky than on the ground, flickering line by line.
    float line = hash12(vec2(floor(gl_FragCoord.y * 0.5), floor(u_noise_seed * 613.0)));
    grain += u_tension * u_tension * (0.05 + 0.05 * line) * smoothstep(0.25, 0.6, v_uv.y);
#endif
    col += g * u_grain * grain;  // grain = 0: no noise at all (the scan measures so)
    out_color = finite_out(vec4(clamp(col, 0.0, 1.0), 1.0));
}
