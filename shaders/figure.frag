#version 330 core
// One figure of the circle: a soft human silhouette (signed distance, in units of its height)
// lit as a translucent volume: hazy violet-grey while guarded, a warm rim as it opens, the heart
// glowing while it speaks. The woman has nebula eyes; the man is woven of moonlight and shadow.
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/safe.glsl"
#include "lib/kinds.glsl"

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
    float h = clamp(dot(pa, ba) / max(dot(ba, ba), 1e-12), 0.0, 1.0);
    return length(pa - ba * h) - r;
}

// Symmetric trapezoid centred on the origin: half width r1 at y = -he, r2 at y = +he (iq).
float sd_trapezoid(vec2 p, float r1, float r2, float he) {
    vec2 k1 = vec2(r2, he);
    vec2 k2 = vec2(r2 - r1, 2.0 * he);
    p.x = abs(p.x);
    vec2 ca = vec2(p.x - min(p.x, (p.y < 0.0) ? r1 : r2), abs(p.y) - he);
    vec2 cb = p - k1 + k2 * clamp(dot(k1 - p, k2) / dot(k2, k2), 0.0, 1.0);
    float s = (cb.x < 0.0 && ca.y < 0.0) ? -1.0 : 1.0;
    return s * sqrt(min(dot(ca, ca), dot(cb, cb)));
}

float sd_ellipse(vec2 p, vec2 r) {
    float k0 = length(p / r);
    float k1 = length(p / (r * r));
    return k0 * (k0 - 1.0) / max(k1, 1e-5);
}

float smin(float a, float b, float k) {
    float h = clamp(0.5 + 0.5 * (b - a) / k, 0.0, 1.0);
    return mix(b, a, h) - k * h * (1.0 - h);
}

// q: position in units of the figure's height (feet at 0, crown near 1). Each figure is built
// from its own seed: shoulders, hips, a long robe or a tunic over legs, hair.
float sd_figure(vec2 q, float open, float seed, float kind) {
    vec4 r = vec4(hash12(vec2(seed * 91.7, 3.1)), hash12(vec2(seed * 47.3, 8.9)),
                  hash12(vec2(seed * 13.1, 1.7)), hash12(vec2(seed * 71.9, 5.3)));
    float sw = mix(0.082, 0.1, r.x);                       // half shoulder width
    if (is_kind(kind, KIND_MAN)) sw = 0.104;              // the man: broad
    if (is_kind(kind, KIND_WOMAN)) sw = 0.084;            // the woman: slighter
    // Guarded: shoulders drawn up and in; open: lowered, wider, the chest lifts.
    float sy = 0.80 + 0.012 * (1.0 - open);
    sw *= 0.93 + 0.07 * open;
    float head = sd_ellipse(q - vec2(0.0, 0.918), vec2(0.056, 0.066));
    float neck = sd_capsule(q, vec2(0.0, sy), vec2(0.0, 0.88), 0.026);
    float shoulders = sd_capsule(q, vec2(-sw * 0.7, sy - 0.012), vec2(sw * 0.7, sy - 0.012), 0.04);
    float waist_w = mix(0.062, 0.078, r.y);
    float torso = sd_trapezoid(q - vec2(0.0, 0.655), waist_w, sw * 0.95, 0.13);
    float d = smin(head, neck, 0.02);
    d = smin(d, shoulders, 0.03);
    d = smin(d, torso, 0.03);
    bool robe = r.z < 0.55 || is_kind(kind, KIND_WOMAN) || is_kind(kind, KIND_MAN);
    if (robe) {
        // A long garment flaring a little to a hem that sways.
        float hem_w = mix(0.095, 0.135, r.w);
        float hem = q.y - 0.015 - 0.008 * sin(q.x * 60.0 + seed * 20.0);
        float skirt = sd_trapezoid(q - vec2(0.0, 0.29), hem_w, waist_w * 1.05, 0.27);
        d = smin(d, max(skirt, -hem), 0.025);
    } else {
        // A short coat over legs.
        float coat = sd_trapezoid(q - vec2(0.0, 0.44), waist_w * 1.25, waist_w * 1.02, 0.1);
        float legs = min(sd_capsule(q, vec2(-0.035, 0.42), vec2(-0.042, 0.03), 0.03),
                         sd_capsule(q, vec2(0.035, 0.42), vec2(0.042, 0.03), 0.03));
        d = smin(d, min(coat, legs), 0.02);
    }
    // Arms: folded in front of the chest while guarded (elbows out), hanging open and a little
    // away from the body, palms forward, as the figure opens.
    vec2 sh_l = vec2(-sw, sy - 0.02), sh_r = vec2(sw, sy - 0.02);
    vec2 el_l = mix(vec2(-sw - 0.03, 0.62), vec2(-sw - 0.02, 0.6), open);
    vec2 el_r = mix(vec2(sw + 0.03, 0.62), vec2(sw + 0.02, 0.6), open);
    vec2 ha_l = mix(vec2(0.03, 0.66), vec2(-sw - 0.04, 0.44), open);
    vec2 ha_r = mix(vec2(-0.03, 0.64), vec2(sw + 0.04, 0.44), open);
    float arms = min(min(sd_capsule(q, sh_l, el_l, 0.027), sd_capsule(q, el_l, ha_l, 0.023)),
                     min(sd_capsule(q, sh_r, el_r, 0.027), sd_capsule(q, el_r, ha_r, 0.023)));
    d = smin(d, arms, 0.015);
    // Hair: the woman's falls past her shoulders; others get a seeded short or gathered shape.
    if (is_kind(kind, KIND_WOMAN)) {
        float hair = sd_trapezoid(q - vec2(0.0, 0.86), 0.07, 0.06, 0.075);
        d = smin(d, hair, 0.02);
    } else if (r.y > 0.6) {
        d = smin(d, length(q - vec2(0.0, 0.985)) - 0.03, 0.02);
    }
    return d;
}

void main() {
    float h = v_height;
    vec2 q = v_local / h;
    // Lean towards the speaker: the upper body bends, the feet stay.
    float bend = q.y * q.y;
    q.x -= v_lean / h * bend;
    q.y += abs(v_lean_fwd) / h * 0.2 * bend;
    // Heat haze: the outline wavers, more while guarded.
    float haze = v_shimmer * (0.3 + 0.7 * u_haze);
    float wob = noise2_loop(vec2(q.y * 14.0, v_seed * 10.0), u_wave.z) - 0.5;
    wob += 0.5 * sin(q.y * 40.0 + TAU * u_wave.w + v_seed * 40.0);
    q.x += wob * 0.02 * haze;

    float d = sd_figure(q, v_open, v_seed, v_kind);
    // Pixel size in these units keeps edges neither aliased near nor mushy far.
    float px = fwidth(q.y);
    float soft = px + mix(0.004, 0.03, haze);
    float body = 1.0 - smoothstep(-soft, soft, d);
    float halo = exp(-max(d, 0.0) * mix(60.0, 22.0, v_open)) * (1.0 - body);
    if (body + halo < 0.004) discard;

    bool woman = is_kind(v_kind, KIND_WOMAN);
    bool man = is_kind(v_kind, KIND_MAN);
    // Inside the volume: sky-lit from above, fading into the plain's mist at the feet.
    float inner = clamp(-d / 0.05, 0.0, 1.0);
    float mist = noise2_loop(vec2(q.x * 9.0 + v_seed * 7.0, q.y * 5.0), -u_wave.y);
    vec3 base = FIGURE_GUARDED() * (0.9 + 0.6 * q.y) * (0.8 + 0.4 * mist * haze);
    // Opening, the form warms and lightens from inside.
    base = mix(base, mix(FIGURE_GUARDED(), ROSE_GOLD(), 0.35) * 1.5, 0.6 * v_open);
    if (man) {
        // Moonlight broken by shadow: soft bands that wind round the body and drift, warped
        // like light through moving leaves, never a regular stripe.
        float warp = 1.8 * noise2_loop(q * vec2(4.0, 6.0) + vec2(v_seed * 5.0, 0.0), u_wave.x);
        float bands = sin((q.y * 7.0 + q.x * 5.0 + warp) * TAU * 0.5 + TAU * u_wave.x);
        float patches = noise2_loop(q * vec2(9.0, 12.0), -u_wave.y);
        float shadow = smoothstep(-0.35, 0.35, bands) * (0.55 + 0.45 * patches);
        vec3 moon = MOONLIGHT() * (0.45 + 0.35 * q.y);
        base = mix(moon, FIGURE_GUARDED() * 0.3, shadow * 0.9);
    }
    vec3 col = base * (0.7 + 0.3 * inner);
    // Roundness: the twilight behind the circle lights one flank, the nebula the other.
    float flank = clamp(q.x / 0.11, -1.0, 1.0);
    col *= 1.0 + 0.22 * flank * (0.4 + 0.6 * inner);
    col += ROSE_GOLD() * 0.06 * max(-flank, 0.0) * (0.3 + 0.7 * u_warmth);
    // Features coalesce as they come into focus: a face catching the light, folds in the cloth.
    float face = 1.0 - smoothstep(0.0, 0.02, sd_ellipse(q - vec2(0.0, 0.91), vec2(0.036, 0.05)));
    col += mix(AMETHYST_LIGHT() * 0.12, FIGURE_RIM() * 0.3, v_open) * face * (1.0 - haze) * (woman ? 0.3 : 1.0);
    float folds = sin(q.x * 70.0 + 3.0 * noise2(q * vec2(6.0, 3.0) + v_seed)) * smoothstep(0.55, 0.2, q.y);
    col *= 1.0 + 0.12 * folds * (1.0 - 0.6 * haze);
    // The rim: a cool lilac edge while guarded (the twilight behind them), warm as they open.
    vec2 g = vec2(dFdx(d), dFdy(d));
    vec2 n = g / max(length(g), 1e-6);
    float toward_light = 0.25 + 0.75 * clamp(n.y * 0.8 + 0.35, 0.0, 1.0);
    float rim = (1.0 - smoothstep(0.0, 0.016 + px, -d)) * body * toward_light;
    vec3 rim_col = mix(AMETHYST_LIGHT() * 0.5, FIGURE_RIM() * 1.6, v_open);
    col += rim_col * rim * (0.35 + 0.9 * v_open) * (0.6 + 0.4 * q.y);
    // The heart glows warm while speaking and softly once open.
    vec2 heart = vec2(0.0, 0.72);
    float hg = exp(-dot(q - heart, q - heart) * 260.0);
    col += FIGURE_RIM() * hg * (0.5 * v_open + 3.5 * v_speak);
    if (man) col += MOONLIGHT() * halo * 0.35;
    if (woman) {
        // Her eyes mirror the swirling nebulae: two tiny spirals of amethyst and rose gold.
        for (int i = 0; i < 2; ++i) {
            vec2 e = (q - vec2((float(i) - 0.5) * 0.05, 0.925)) / 0.015;
            float rr = length(e);
            float ang = safe_atan(e.y, e.x) + TAU * u_swirl_phase * 8.0 - rr * 2.5;
            float spiral = 0.5 + 0.5 * sin(ang * 2.0);
            vec3 ec = mix(AMETHYST(), ROSE_GOLD(), spiral) * 3.5;
            col += ec * exp(-rr * rr * 1.4) * (0.6 + 0.4 * (1.0 - v_shimmer));
        }
    }
    float alpha = body * mix(0.92, 0.6, haze) * (0.55 + 0.45 * smoothstep(0.0, 0.1, q.y));
    vec3 halo_col = mix(AMETHYST_LIGHT() * 0.25, FIGURE_RIM() * 0.8, v_open);
    if (man) halo_col = MOONLIGHT() * 0.5;
    col = mix(col, halo_col, halo);
    alpha += halo * (0.12 + 0.3 * v_open + (man ? 0.2 : 0.0));
    alpha *= 1.0 - 0.85 * u_fade;
    out_color = finite_out(vec4(col, clamp(alpha, 0.0, 1.0)));
}
