#version 330 core
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"

in vec2 v_local;
flat in float v_height;
flat in float v_open;
flat in float v_shimmer;
flat in float v_speak;
flat in float v_kind;
flat in float v_seed;
flat in float v_lean;
flat in float v_lean_fwd;
out vec4 out_color;

float sd_capsule(vec2 p, vec2 a, vec2 b, float r) {
    vec2 pa = p - a, ba = b - a;
    float h = clamp(dot(pa, ba) / dot(ba, ba), 0.0, 1.0);
    return length(pa - ba * h) - r;
}

float smin(float a, float b, float k) {
    float h = clamp(0.5 + 0.5 * (b - a) / k, 0.0, 1.0);
    return mix(b, a, h) - k * h * (1.0 - h);
}

// A standing figure in a long robe; `open` relaxes the shoulders and lets the arms part.
float sd_figure(vec2 p, float h, float open) {
    float head_y = h * 0.925;
    float shoulder_y = h * 0.81;
    float head = length(p - vec2(0.0, head_y)) - h * 0.068;
    float neck = sd_capsule(p, vec2(0.0, shoulder_y), vec2(0.0, head_y), h * 0.03);
    // Guarded: shoulders drawn up and in; open: lowered and wider.
    float sw = h * mix(0.105, 0.125, open);
    float sh = shoulder_y - h * 0.015 * open;
    float torso = sd_capsule(p, vec2(-sw * 0.55, sh), vec2(sw * 0.55, sh), h * 0.06);
    // The robe: a trapezoid from the chest to the hem.
    float t = clamp((sh - p.y) / sh, 0.0, 1.0);
    float half_w = mix(sw * 0.95, sw * 1.45, t);
    float robe = max(abs(p.x) - half_w, max(p.y - sh, -p.y));
    // Arms: crossed over the chest when guarded, open at the sides when open.
    vec2 hand_l = mix(vec2(sw * 0.25, h * 0.62), vec2(-sw * 1.55, h * 0.5), open);
    vec2 hand_r = mix(vec2(-sw * 0.25, h * 0.6), vec2(sw * 1.55, h * 0.5), open);
    float arm_l = sd_capsule(p, vec2(-sw, sh), hand_l, h * 0.028);
    float arm_r = sd_capsule(p, vec2(sw, sh), hand_r, h * 0.028);
    float d = smin(head, neck, 0.02);
    d = smin(d, torso, 0.04);
    d = smin(d, robe, 0.05);
    d = smin(d, min(arm_l, arm_r), 0.03);
    return d;
}

void main() {
    vec2 p = v_local;
    float h = v_height;
    // Lean towards the speaker: the upper body bends, the feet stay.
    float bend = pow(clamp(p.y / h, 0.0, 1.0), 2.0);
    p.x -= v_lean * bend;
    p.y -= abs(v_lean_fwd) * 0.2 * bend;
    // Heat haze: the outline wavers, more while guarded.
    float wobble = (noise2(vec2(p.y * 9.0, TAU * u_wave.z + v_seed * 10.0)) - 0.5) * 0.09 * v_shimmer * u_haze;
    wobble += sin(p.y * 23.0 + TAU * u_wave.w + v_seed * 40.0) * 0.012 * v_shimmer;
    p.x += wobble;

    float d = sd_figure(p, h, v_open);
    float soft = mix(0.012, 0.07, v_shimmer);  // hazy figures have no crisp edge
    float body = 1.0 - smoothstep(-soft, soft, d);
    float halo = exp(-max(d, 0.0) * 16.0) * (1.0 - body);
    if (body + halo < 0.004) discard;

    vec3 base = FIGURE_GUARDED();
    // The man woven from moonlight and shadow: cool pale light broken by dark bands.
    if (v_kind > 1.5 && v_kind < 2.5) {
        float bands = smoothstep(-0.2, 0.4, sin(p.y * 38.0 + 4.0 * noise2(p * 6.0 + v_seed) + TAU * u_wave.x * 2.0));
        base = mix(MOONLIGHT() * 0.85, FIGURE_GUARDED() * 0.25, bands * 0.8);
    }
    // Coming into focus: the haze lifts, colours firm up.
    vec3 col = base * (0.45 + 0.4 * (1.0 - v_shimmer));
    // Warm rim light as they open.
    float rim = smoothstep(-0.05, 0.0, d) * body;
    col += FIGURE_RIM() * rim * (0.25 + 1.4 * v_open);
    // The heart glows while speaking.
    vec2 heart = vec2(0.0, h * 0.72);
    float hg = exp(-dot(p - heart, p - heart) * 60.0);
    col += FIGURE_RIM() * hg * (0.3 * v_open + 2.5 * v_speak);
    // The woman whose eyes mirror the swirling nebulae: two tiny swirling points of sky.
    if (v_kind > 0.5 && v_kind < 1.5) {
        for (int i = 0; i < 2; ++i) {
            vec2 eye = vec2((float(i) - 0.5) * h * 0.042, h * 0.93);
            vec2 e = (p - eye) / (h * 0.014);
            float r = length(e);
            float ang = atan(e.y, e.x) + TAU * u_swirl_phase * 6.0 + r * 3.0;
            float spiral = 0.5 + 0.5 * sin(ang * 2.0);
            vec3 ec = mix(AMETHYST_LIGHT(), ROSE_PALE(), spiral) * 3.0;
            col += ec * exp(-r * r * 1.2) * (0.5 + 0.5 * (1.0 - v_shimmer));
        }
    }
    float alpha = body * mix(0.95, 0.55, v_shimmer) + halo * (0.15 + 0.35 * v_open);
    col = mix(col, FIGURE_RIM() * 0.6, halo * v_open * (1.0 - body));
    alpha *= 1.0 - 0.85 * u_fade;
    out_color = vec4(col, alpha);
}
