#version 330 core
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"

uniform sampler2D u_scene;
uniform sampler2D u_bloom_near;
uniform sampler2D u_bloom_far;
// Guarded figures on screen: (feet x, feet y, height, shimmer), for the heat haze.
uniform vec4 u_haze_figures[32];
uniform int u_haze_count;

in vec2 v_uv;
out vec4 out_color;

float haze_mask(vec2 uv) {
    float m = 0.0;
    for (int i = 0; i < 32; ++i) {
        if (i >= u_haze_count) break;
        vec4 f = u_haze_figures[i];
        vec2 d = uv - vec2(f.x, f.y + f.z * 0.5);
        d.x *= u_aspect;
        vec2 r = vec2(f.z * 0.45, f.z * 0.75);
        m += f.w * exp(-dot(d / r, d / r));
    }
    return clamp(m, 0.0, 1.0);
}

void main() {
    vec2 uv = v_uv;
    // Heat haze: the air wavers around the figures while they are guarded.
    float hm = haze_mask(uv) * u_haze;
    vec2 wob = vec2(noise2(uv * vec2(40.0, 18.0) + vec2(0.0, TAU * u_wave.z)),
                    noise2(uv * vec2(35.0, 22.0) - vec2(TAU * u_wave.w, 0.0))) - 0.5;
    uv += wob * hm * 0.006;

    vec3 scene = texture(u_scene, uv).rgb;
    vec3 near = texture(u_bloom_near, uv).rgb;
    vec3 far = texture(u_bloom_far, uv).rgb;
    float fade = clamp(u_fade * u_watercolor, 0.0, 1.0);
    vec3 col = scene + (near * 0.7 + far * 0.35) * u_bloom * (1.0 - 0.6 * fade);

    // Watercolor: the picture bleeds into its own blur, pigment pools at edges, paper shows.
    if (fade > 0.001) {
        vec2 bleed = (vec2(fbm(uv * 6.0 + u_drift.xy * 0.2, 3), fbm(uv * 6.0 + 4.3, 3)) - 0.5) * 0.04 * fade;
        vec3 wash = texture(u_bloom_near, uv + bleed).rgb * 0.6 + texture(u_bloom_far, uv + bleed).rgb * 0.4;
        wash *= 1.15;
        vec3 c = mix(col, wash, smoothstep(0.0, 0.8, fade));
        // Pigment pooling: darker where the wash changes fast (a dried edge).
        vec2 e = vec2(1.0 / 160.0, 0.0);
        float gx = luma(texture(u_bloom_near, uv + bleed + e.xy).rgb) - luma(texture(u_bloom_near, uv + bleed - e.xy).rgb);
        float gy = luma(texture(u_bloom_near, uv + bleed + e.yx).rgb) - luma(texture(u_bloom_near, uv + bleed - e.yx).rgb);
        float edge = clamp(length(vec2(gx, gy)) * 6.0, 0.0, 1.0);
        float paper_grain = fbm(uv * u_resolution / 3.0, 3);
        vec3 paper = PAPER() * (0.92 + 0.1 * paper_grain);
        // Pigment on paper: the paper's white under a transparent glaze of the scene's colour.
        vec3 glaze = paper * mix(vec3(1.0), clamp(c * 1.6 + 0.12, 0.0, 1.0), 0.75);
        glaze *= 1.0 - 0.35 * edge;
        float paper_amt = smoothstep(0.15, 1.0, fade) * 0.85;
        col = mix(c, glaze, paper_amt);
        // The threads stay above the wash: add back what glows strongly in the scene.
        col += max(scene - 1.0, 0.0) * 0.3 * fade;
    }

    col = hue_rotate(col, u_hue_shift);
    col = tonemap_aces(col * u_exposure * 1.1);
    // Soft vignette.
    vec2 q = v_uv - 0.5;
    q.x *= u_aspect * 0.75;
    col *= 1.0 - 0.55 * smoothstep(0.25, 0.85, length(q));
    col = linear_to_srgb(col);
    // Fine grain: per pixel, per frame, too small to crawl.
    float g = hash12(gl_FragCoord.xy + u_noise_seed * 1000.0) - 0.5;
    col += g * 0.025 * u_grain;
    out_color = vec4(clamp(col, 0.0, 1.0), 1.0);
}
