#version 330 core
// One figure of the circle: a person built from signed-distance parts (head, neck, shoulders,
// torso, arms, hands, legs, hair, clothing), in units of its height, shaded as a soft luminous
// solid: a normal from the distance field, sky light from above, the twilight behind the circle
// as a rim, a warm rim and a glowing heart as it opens. Guarded it is violet-grey, hazy and
// shimmering at its edges, arms held in; open, it leans to the speaker, its face resolves. The
// woman has nebula eyes; the man is woven of moonlight and shadow.
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
// FIGURE_KIND: a program for one kind (figures.py draws each run of a kind with its own), so
// the compiler drops the other kinds' code, which a software rasterizer would run for every
// fragment behind a false `if`.
#ifdef FIGURE_KIND
#define KIND FIGURE_KIND
#else
#define KIND v_kind
#endif
flat in float v_seed;
flat in float v_lean;
flat in float v_lean_fwd;
flat in float v_yaw;
flat in float v_facing;
out vec4 out_color;

float pow2(float x) { return x * x; }

float sd_capsule(vec2 p, vec2 a, vec2 b, float r) {
    vec2 pa = p - a, ba = b - a;
    float h = clamp(dot(pa, ba) / max(dot(ba, ba), 1e-12), 0.0, 1.0);
    return length(pa - ba * h) - r;
}

// A capsule whose radius runs from ra at a to rb at b (limbs that taper).
float sd_cone(vec2 p, vec2 a, vec2 b, float ra, float rb) {
    vec2 pa = p - a, ba = b - a;
    float h = clamp(dot(pa, ba) / max(dot(ba, ba), 1e-12), 0.0, 1.0);
    return length(pa - ba * h) - mix(ra, rb, h);
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

// Who this figure is, from its seed: build, head, hair and clothing.
struct Person {
    float shoulder;  // half shoulder width
    float waist;
    float hip;
    float head;      // head half width
    float hair;      // 0 cropped, 1 gathered up, 2 falling to the shoulders, 3 a hood
    bool robe;       // a long garment to the ground, or a coat over trousers
    float hem;       // half width of a robe's hem
};

Person person(float seed, float kind) {
    vec4 r = vec4(hash12(vec2(seed * 91.7, 3.1)), hash12(vec2(seed * 47.3, 8.9)),
                  hash12(vec2(seed * 13.1, 1.7)), hash12(vec2(seed * 71.9, 5.3)));
    Person p;
    p.shoulder = mix(0.084, 0.106, r.x);
    p.waist = mix(0.058, 0.08, r.y);
    p.hip = p.waist * mix(1.05, 1.3, r.w);
    p.head = mix(0.05, 0.058, r.z);
    p.hair = floor(hash12(vec2(seed * 29.3, 4.4)) * 4.0);
    p.robe = r.z < 0.5;
    p.hem = mix(0.1, 0.15, r.w);
    if (is_kind(kind, KIND_WOMAN)) {
        p.shoulder = 0.086; p.waist = 0.06; p.hip = 0.078; p.head = 0.052; p.hair = 2.0;
        p.robe = true; p.hem = 0.13;
    }
    if (is_kind(kind, KIND_MAN)) {
        p.shoulder = 0.108; p.waist = 0.078; p.hip = 0.084; p.head = 0.056; p.hair = 0.0;
        p.robe = false;
    }
    return p;
}

// The arms for a pose: guarded (folded across the chest), open (loose, palms a little forward)
// and speaking (both hands open at the heart, cupped, as if releasing something).
void arm(vec2 q, float side, Person p, float open, float speak, float sy,
         out float d_arm, out float d_hand) {
    vec2 sh = vec2(side * p.shoulder, sy - 0.02);
    vec2 el_guard = vec2(side * (p.shoulder + 0.02), 0.6);
    vec2 ha_guard = vec2(-side * 0.045, 0.655);   // crossed over the chest
    vec2 el_open = vec2(side * (p.shoulder + 0.018), 0.58);
    vec2 ha_open = vec2(side * (p.shoulder + 0.045), 0.43);  // hanging, a little away
    vec2 el_speak = vec2(side * (p.shoulder + 0.03), 0.62);
    vec2 ha_speak = vec2(side * 0.035, 0.715);    // cupped at the heart
    vec2 el = mix(el_guard, el_open, open);
    vec2 ha = mix(ha_guard, ha_open, open);
    el = mix(el, el_speak, speak);
    ha = mix(ha, ha_speak + vec2(side * 0.03 * speak * speak, 0.0), speak);
    d_arm = min(sd_cone(q, sh, el, 0.03, 0.024), sd_cone(q, el, ha, 0.024, 0.018));
    d_hand = sd_ellipse(q - ha - vec2(0.0, -0.012), vec2(0.02, 0.026));
}

// q: position in units of the figure's height (feet at 0, crown near 1).
float sd_figure(vec2 q, Person p, float open, float speak, float yaw, out float d_head) {
    // Guarded: shoulders drawn up and in; open: lowered and wider, the chest lifts.
    float sy = 0.805 + 0.018 * (1.0 - open);
    float sw = p.shoulder * (0.92 + 0.08 * open);
    Person pp = p;
    pp.shoulder = sw;
    vec2 hc = vec2(yaw * 0.01, 0.915);
    d_head = sd_ellipse(q - hc, vec2(p.head, p.head * 1.22));
    // The jaw narrows; a turned head shows a nose against the sky.
    d_head = smin(d_head, sd_ellipse(q - hc - vec2(yaw * 0.03, -0.03), vec2(0.032, 0.038)), 0.02);
    float neck = sd_cone(q, vec2(0.0, sy - 0.01), vec2(yaw * 0.006, 0.875), 0.026, 0.022);
    float shoulders = sd_capsule(q, vec2(-sw * 0.78, sy - 0.015), vec2(sw * 0.78, sy - 0.015), 0.034);
    float chest = sd_trapezoid(q - vec2(0.0, 0.68), p.waist, sw * 0.96, 0.115);
    float d = smin(d_head, neck, 0.018);
    d = smin(d, shoulders, 0.03);
    d = smin(d, chest, 0.035);
    if (p.robe) {
        // A long garment from the waist, flaring to a hem that sways.
        float hem = q.y - 0.012 - 0.008 * sin(q.x * 60.0 + v_seed * 20.0 + TAU * u_wave.y);
        float skirt = sd_trapezoid(q - vec2(0.0, 0.29), p.hem, p.hip, 0.28);
        d = smin(d, max(skirt, -hem), 0.03);
    } else {
        // A coat to the thigh over two legs, a little apart.
        float coat = sd_trapezoid(q - vec2(0.0, 0.47), p.hip * 1.12, p.waist * 1.02, 0.1);
        float legs = min(sd_cone(q, vec2(-0.035, 0.42), vec2(-0.04, 0.03), 0.034, 0.022),
                         sd_cone(q, vec2(0.035, 0.42), vec2(0.04, 0.03), 0.034, 0.022));
        float feet = min(sd_ellipse(q - vec2(-0.045, 0.012), vec2(0.03, 0.014)),
                         sd_ellipse(q - vec2(0.045, 0.012), vec2(0.03, 0.014)));
        d = smin(d, min(min(coat, legs), feet), 0.02);
    }
    float al, ah, bl, bh;
    arm(q, -1.0, pp, open, speak, sy, al, ah);
    arm(q, 1.0, pp, open, speak, sy, bl, bh);
    d = smin(d, min(al, bl), 0.012);
    d = smin(d, min(ah, bh), 0.008);
    // Hair or a hood, each its own silhouette.
    float hair = 1e3;
    if (p.hair < 0.5) {
        hair = sd_ellipse(q - hc - vec2(0.0, 0.02), vec2(p.head * 1.04, p.head * 1.1));
    } else if (p.hair < 1.5) {
        hair = min(sd_ellipse(q - hc - vec2(0.0, 0.018), vec2(p.head * 1.05, p.head * 1.12)),
                   length(q - hc - vec2(-yaw * 0.02, 0.08)) - 0.028);
    } else if (p.hair < 2.5) {
        hair = sd_trapezoid(q - hc - vec2(0.0, -0.035), p.head * 1.35, p.head * 1.05, 0.07);
    } else {
        hair = sd_trapezoid(q - hc - vec2(0.0, -0.02), p.head * 1.7, p.head * 1.15, 0.085);
    }
    d = smin(d, hair, 0.012);
    return d;
}

// The face, where it has coalesced: brow, eye sockets, nose, cheek planes and mouth as light
// and shade on the head (u, v: metres-free units round the head's centre, x towards the turn).
// `px` is a pixel's size in those units: a head a dozen pixels tall (the circle at 720p) keeps
// only what reads at that size, so the sockets widen into one shaded band under a lit brow and
// the planes gain contrast; up close (the model sheet, 4K) nothing changes.
// Returns the light the planes catch (rgb) and the shade of the hollows (a), both as shares of
// the skin's own colour: subtracted and added light turned dark skin's hollows red and lit a
// band across guarded faces.
vec4 face_light(vec2 f, float yaw, float warm, float px) {
    float small = smoothstep(0.03, 0.1, px);
    float nose_x = yaw * 0.45;
    float brow = exp(-pow2(f.y - 0.22) * mix(90.0, 60.0, small)) * exp(-f.x * f.x * 4.0);
    float sockets = 0.0;
    for (int i = 0; i < 2; ++i) {
        vec2 e = f - vec2(nose_x + (float(i) - 0.5) * 0.62 * (1.0 - 0.4 * abs(yaw)), 0.06);
        sockets += exp(-dot(e, e * vec2(1.0, 2.2)) * mix(55.0, 32.0, small));
    }
    sockets *= 1.0 + 0.8 * small;
    float nose = exp(-pow2(f.x - nose_x) * 180.0) * smoothstep(0.1, -0.05, f.y) * smoothstep(-0.42, -0.2, f.y);
    float nose_shade = exp(-pow2(f.x - nose_x + 0.09 * sign(yaw + 1e-3)) * 160.0) * smoothstep(0.05, -0.2, f.y) * smoothstep(-0.45, -0.25, f.y);
    float cheeks = 0.0;
    for (int i = 0; i < 2; ++i) {
        vec2 c = f - vec2(nose_x + (float(i) - 0.5) * 0.75, -0.2);
        cheeks += exp(-dot(c, c) * 22.0);
    }
    float mouth = exp(-pow2(f.y + 0.48) * 400.0) * exp(-pow2(f.x - nose_x * 0.8) * 30.0);
    vec3 rim = FIGURE_RIM();
    float planes = 1.0 + 0.5 * small;
    vec3 light = rim * (0.5 * brow + 0.55 * nose + 0.35 * cheeks * (0.5 + warm)) * planes;
    return vec4(light, 2.6 * (0.45 * sockets + 0.25 * nose_shade + 0.25 * mouth));
}

void main() {
    float h = v_height;
    vec2 q = v_local / h;
    float q_px = fwidth(q.y);  // a pixel in body units (here: derivatives need uniform flow)
    // Lean towards the speaker: the upper body bends, the feet stay.
    float bend = q.y * q.y;
    q.x -= v_lean / h * bend;
    q.y += abs(v_lean_fwd) / h * 0.2 * bend;
    // Heat haze: the outline wavers, more while guarded.
    float haze = v_shimmer * (0.3 + 0.7 * u_haze);
    float wob = noise2_loop(vec2(q.y * 14.0, v_seed * 10.0), u_wave.z) - 0.5;
    wob += 0.5 * sin(q.y * 40.0 + TAU * u_wave.w + v_seed * 40.0);
    q.x += wob * 0.02 * haze;

    Person p = person(v_seed, KIND);
    // The speaker's hands come to the heart as it starts, and rest as its words run out.
    float speak = smoothstep(0.05, 0.5, v_speak);
    float d_head;
    float d = sd_figure(q, p, v_open, speak, v_yaw * v_facing, d_head);
    // Pixel size in these units keeps edges neither aliased near nor mushy far.
    float px = fwidth(q.y);
    float soft = px + mix(0.003, 0.028, haze);
    float body = 1.0 - smoothstep(-soft, soft, d);
    float halo = exp(-max(d, 0.0) * mix(70.0, 26.0, v_open)) * (1.0 - body);
    if (body + halo < 0.004) discard;

    bool woman = is_kind(KIND, KIND_WOMAN);
    bool man = is_kind(KIND, KIND_MAN);
    // A normal from the distance field: flat-on in the middle of a part, turning away at its
    // edges, so each limb and the torso read as round.
    vec2 g = vec2(dFdx(d), dFdy(d));
    vec2 n2 = g / max(length(g), 1e-6);
    float depth = clamp(-d / 0.045, 0.0, 1.0);
    vec3 n = normalize(vec3(n2 * (1.0 - depth * 0.85), 0.35 + depth));
    // Light: the sky from above, the twilight glow behind the circle as a rim, and the plain's
    // own light from below, brighter as more is shared.
    float sky = clamp(0.55 + 0.45 * n.y, 0.0, 1.0);
    float below = clamp(0.5 - 0.5 * n.y, 0.0, 1.0) * (0.25 + 0.5 * u_luminance);
    float edge = 1.0 - smoothstep(0.0, 0.6, n.z);

    float mist = noise2_loop(vec2(q.x * 9.0 + v_seed * 7.0, q.y * 5.0), -u_wave.y);
    vec3 skin = FIGURE_GUARDED() * (0.8 + 0.4 * mist * haze);
    // Opening, the form warms and lightens from inside.
    skin = mix(skin, mix(FIGURE_GUARDED(), ROSE_GOLD(), 0.45) * 1.45, 0.65 * v_open);
    // Clothing a shade apart from the skin: each figure's own tint.
    float cloth_hue = hash12(vec2(v_seed * 17.0, 2.0));
    vec3 cloth = skin * mix(vec3(0.82, 0.78, 1.0), vec3(1.0, 0.84, 0.86), cloth_hue);
    bool is_head = d_head < 0.004 && q.y > 0.86;
    vec3 base = is_head ? skin * 1.08 : cloth;
    if (man) {
        // Moonlight broken by shadow: soft bands that wind round the body and drift, warped
        // like light through moving leaves, never a regular stripe.
        float warp = 1.8 * noise2_loop(q * vec2(4.0, 6.0) + vec2(v_seed * 5.0, 0.0), u_wave.x);
        float bands = sin((q.y * 7.0 + q.x * 5.0 + warp) * TAU * 0.5 + TAU * u_wave.x);
        float patches = noise2_loop(q * vec2(9.0, 12.0), -u_wave.y);
        float shadow = smoothstep(-0.35, 0.35, bands) * (0.55 + 0.45 * patches);
        vec3 moon = MOONLIGHT() * (0.5 + 0.3 * q.y);
        base = mix(moon, FIGURE_GUARDED() * 0.3, shadow * 0.9);
    }
    // Round: darker where the surface turns away, lit from the sky above.
    vec3 col = base * (0.3 + 0.7 * sky) * (0.7 + 0.3 * n.z) + base * below * PLAIN_LIT() * 0.6;
    // Luminous from within: a soft inner light that warms as the figure opens.
    col += mix(AMETHYST_LIGHT(), FIGURE_RIM(), v_open) * (0.05 + 0.22 * v_open) * (0.4 + 0.6 * depth);
    // Folds in the cloth catch the light once in focus.
    float folds = sin(q.x * 70.0 + 3.0 * noise2(q * vec2(6.0, 3.0) + v_seed)) * smoothstep(0.6, 0.2, q.y);
    col *= 1.0 + 0.1 * folds * (1.0 - 0.7 * haze) * (is_head ? 0.0 : 1.0);
    // The rim: the twilight behind them, cool lilac while guarded, warm as they open.
    vec3 rim_col = mix(AMETHYST_LIGHT() * 0.55, FIGURE_RIM() * 1.5, v_open);
    col += rim_col * edge * body * (0.3 + 0.9 * v_open) * (0.5 + 0.5 * q.y);
    col += ROSE_GOLD() * 0.08 * max(-n.x, 0.0) * (0.3 + 0.7 * u_warmth);
    // The face coalesces: hidden by haze and a guarded stillness, resolving as the dreamer comes
    // near and the figure opens. Seen only from the front; from behind, the head is hair.
    float focus = (1.0 - haze) * (0.35 + 0.65 * v_open) * smoothstep(-0.1, 0.4, v_facing);
    if (is_head && focus > 0.001) {
        vec2 f = (q - vec2(v_yaw * v_facing * 0.01, 0.905)) / vec2(p.head, p.head * 1.22);
        float inside = 1.0 - smoothstep(0.7, 1.0, length(f * vec2(1.0, 0.95)));
        float px = q_px / (p.head * 1.22);
        vec4 face = face_light(f, v_yaw * v_facing, u_warmth, px);
        float w = 0.35 * focus * inside * (woman ? 0.5 : 1.0);
        // Light and shade both scale the skin's own colour: a guarded, dark face stays dark.
        col *= (1.0 - clamp(face.a * w, 0.0, 0.9)) * (vec3(1.0) + face.rgb * w * 3.5);
    }
    // The heart glows warm while speaking and softly once open.
    vec2 heart = vec2(0.0, 0.72);
    float hg = exp(-dot(q - heart, q - heart) * 260.0);
    col += FIGURE_RIM() * hg * (0.3 * v_open + 1.4 * v_speak);
    if (man) col += MOONLIGHT() * halo * 0.35;
    if (woman && v_facing > -0.2) {
        // Her eyes mirror the swirling nebulae: two tiny spirals of amethyst and rose gold.
        for (int i = 0; i < 2; ++i) {
            vec2 e = (q - vec2(v_yaw * 0.02 + (float(i) - 0.5) * 0.034, 0.922)) / 0.011;
            float rr = length(e);
            float ang = safe_atan(e.y, e.x) + TAU * u_swirl_phase * 8.0 - rr * 2.5;
            float spiral = 0.5 + 0.5 * sin(ang * 2.0);
            vec3 ec = mix(AMETHYST(), ROSE_GOLD(), spiral) * 3.5;
            col += ec * exp(-rr * rr * 1.4) * (0.6 + 0.4 * (1.0 - v_shimmer)) * smoothstep(-0.2, 0.3, v_facing);
        }
    }
    // Opaque enough to hide what stands behind; only the haze and the feet in the mist let
    // a little through.
    float alpha = body * mix(0.97, 0.78, haze) * (0.6 + 0.4 * smoothstep(0.0, 0.08, q.y));
    vec3 halo_col = mix(AMETHYST_LIGHT() * 0.25, FIGURE_RIM() * 0.8, v_open);
    if (man) halo_col = MOONLIGHT() * 0.5;
    col = mix(col, halo_col, halo);
    alpha += halo * (0.1 + 0.25 * v_open + (man ? 0.2 : 0.0)) * (0.5 + haze);
    alpha *= 1.0 - 0.85 * u_fade;
    out_color = finite_out(vec4(col, clamp(alpha, 0.0, 1.0)));
}
