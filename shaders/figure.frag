#version 330 core
// A figure's surface, painted as a soft luminous solid: sky light from above and the plain's
// light from below, the twilight behind the circle as a rim, warm light from the speaker's
// heart and the threads, soft shade where the body folds in on itself. Guarded, it is
// violet-grey, hazy, translucent and shimmering at its edges; open, warm and opaque. Heads
// (FIGURE_HEAD) carry the face, which coalesces as the dreamer nears and the figure opens. The
// woman's eyes are two tiny swirling points of sky; the man is moonlight broken by drifting
// shadow. Written premultiplied (blended ONE, ONE_MINUS_SRC_ALPHA) and depth-tested: a figure
// hides what stands behind it, even where it is a little translucent.
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/safe.glsl"
#include "lib/kinds.glsl"

// FIGURE_KIND and FIGURE_HEAD: a program for one kind, and for heads or the rest (figures.py
// draws each run with its own), so the compiler drops the code of the others, which a software
// rasterizer would run for every fragment behind a false `if`. Without them, one program draws
// every part of every kind, the same picture.
#ifdef FIGURE_KIND
#define KIND FIGURE_KIND
#else
#define KIND v_kind
#endif
#ifdef FIGURE_HEAD
#define IS_HEAD (FIGURE_HEAD > 0.5)
#else
#define IS_HEAD is_kind(v_part, PART_HEAD)
#endif

in vec3 v_world;
in vec3 v_color;  // its own colour, lit
in vec3 v_light;  // the light alone (the man's moonlight is his own colour)
in vec3 v_normal;
in vec3 v_body;
in vec3 v_local;
flat in vec3 v_heart;
flat in float v_height;
flat in float v_open;
flat in float v_shimmer;
flat in float v_speak;
flat in float v_seed;
flat in float v_material;
flat in float v_kind;
flat in float v_part;
flat in float v_near_heart;  // 1 on the parts round the heart (chest, shoulders, hands)
out vec4 out_color;

float pow2(float x) { return x * x; }

// The face where it has coalesced, as light and shade on the head (f: the head's own frame in
// units of its radius, x across, y up, z forward). Painterly planes, not anatomy: a lit brow
// over shaded sockets, the bridge of the nose, cheek planes catching the warm light, a mouth.
// Returns the light the planes catch (rgb, a share of the warm rim light) and the shade (a).
vec4 face(vec3 f, float warm) {
    float front = smoothstep(0.25, 0.75, f.z);
    float brow = exp(-pow2(f.y - 0.32) * 30.0) * exp(-f.x * f.x * 2.5);
    float sockets = 0.0;
    for (int i = 0; i < 2; ++i) {
        vec2 e = f.xy - vec2((float(i) - 0.5) * 0.74, 0.06);
        sockets += exp(-dot(e, e * vec2(1.0, 2.0)) * 22.0);
    }
    float nose = exp(-f.x * f.x * 60.0) * smoothstep(0.2, -0.05, f.y) * smoothstep(-0.62, -0.35, f.y);
    float nose_side = exp(-pow2(f.x - 0.16) * 50.0) * smoothstep(0.1, -0.2, f.y) * smoothstep(-0.65, -0.4, f.y);
    float cheeks = 0.0;
    for (int i = 0; i < 2; ++i) {
        vec2 c = f.xy - vec2((float(i) - 0.5) * 0.95, -0.42);
        cheeks += exp(-dot(c, c) * 9.0);
    }
    float mouth = exp(-pow2(f.y + 0.86) * 160.0) * exp(-f.x * f.x * 12.0);
    float chin = exp(-pow2(f.y + 1.2) * 20.0) * exp(-f.x * f.x * 6.0);
    vec3 light = FIGURE_RIM() * (0.55 * brow + 0.6 * nose + 0.45 * cheeks * (0.6 + warm) + 0.25 * chin);
    float shade = 0.7 * sockets + 0.35 * nose_side + 0.35 * mouth;
    return vec4(light, shade) * front;
}

void main() {
    bool woman = is_kind(KIND, KIND_WOMAN);
    bool man = is_kind(KIND, KIND_MAN);
    vec3 n = safe_normalize(v_normal, vec3(0.0, 1.0, 0.0));
    vec3 v = safe_normalize(u_cam_pos - v_world, vec3(0.0, 0.0, 1.0));
    float ndv = clamp(dot(n, v), 0.0, 1.0);
    float haze = v_shimmer * (0.3 + 0.7 * u_haze);
    float up = v_body.y / v_height;  // 0 at the feet .. 1 at the crown

    // The body's own colour, lit (figure.vert, at each vertex: the light is smooth over it).
    vec3 col = v_color;
    if (man) {
        // Moonlight broken by shadow: soft bands that wind round him and drift, warped like
        // light through moving leaves, never a regular stripe.
        vec2 q = vec2(v_body.x + v_body.z, v_body.y) / v_height;
        float warp = 1.6 * noise2_loop(q * vec2(4.0, 6.0) + vec2(v_seed * 5.0, 0.0), u_wave.x);
        float bands = sin((q.y * 7.0 + q.x * 4.0 + warp) * TAU * 0.5 + TAU * u_wave.x);
        float patches = noise2_loop(q * vec2(8.0, 11.0), -u_wave.y);
        float shadow = smoothstep(-0.35, 0.35, bands) * (0.55 + 0.45 * patches);
        col = mix(MOONLIGHT() * (0.55 + 0.35 * up), FIGURE_GUARDED() * 0.35, shadow * 0.85) * v_light;
    }

    // The rim: the twilight behind them, cool lilac while guarded, warm as they open.
    float grazing = 1.0 - ndv;
    float rim = grazing * grazing;
    rim *= rim * grazing * (0.6 + 0.4 * clamp(n.y + 0.6, 0.0, 1.0));  // (1 - n.v)^5
    vec3 rim_col = mix(AMETHYST_LIGHT() * 0.7, FIGURE_RIM() * 1.6, v_open);
    if (man) rim_col = mix(rim_col, MOONLIGHT() * 1.2, 0.6);
    vec3 glow = rim_col * rim * (0.5 + 0.8 * v_open);

    if (IS_HEAD) {
        // The face coalesces: hidden by haze and a guarded stillness, resolving as the dreamer
        // comes near and the figure opens.
        float focus = (1.0 - haze) * (0.35 + 0.65 * v_open);
        if (focus > 0.001) {
            vec4 fl = face(v_local, u_warmth);
            float w = focus * (woman ? 0.6 : 1.0);
            col *= (1.0 - clamp(fl.a * w, 0.0, 0.85)) * (vec3(1.0) + fl.rgb * w * 1.6);
        }
        if (woman) {
            // Her eyes mirror the swirling nebulae: two tiny spirals of amethyst and rose gold.
            for (int i = 0; i < 2; ++i) {
                vec2 e = (v_local.xy - vec2((float(i) - 0.5) * 0.72, 0.06)) / 0.1;
                float rr = length(e);
                float ang = safe_atan(e.y, e.x) + TAU * u_swirl_phase * 8.0 - rr * 2.5;
                float spiral = 0.5 + 0.5 * sin(ang * 2.0);
                vec3 ec = mix(AMETHYST(), ROSE_GOLD(), spiral) * 2.2;
                glow += ec * exp(-rr * rr * 1.2) * smoothstep(0.3, 0.7, v_local.z) * (0.5 + 0.5 * (1.0 - v_shimmer));
            }
        }
    }
    // The heart glows warm while speaking and softly once open.
    float heart = (0.12 * v_open + 0.8 * v_speak) * v_near_heart;
    if (heart > 0.005) {  // the same for a whole part
        vec3 dh = v_world - v_heart;
        float hg = exp(-dot(dh, dh) / (0.0035 * v_height * v_height)) * smoothstep(-0.2, 0.4, dot(n, v));
        glow += FIGURE_RIM() * hg * heart;
    }

    // Opaque enough to hide what stands behind once open; guarded, translucent and its edges
    // shimmering away, softer still where the haze is thick.
    float edge = smoothstep(0.0, mix(0.55, 0.18, v_open), ndv);
    float flicker = haze > 0.02 ? noise2_loop(v_body.xy * 14.0 + v_seed * 5.0, u_wave.w) : 0.5;
    edge *= mix(1.0, 0.55 + 0.9 * flicker, haze * (1.0 - ndv));
    float alpha = mix(0.9, 1.0, v_open) * mix(1.0, 0.88, haze) * edge;
    alpha *= 0.65 + 0.35 * smoothstep(0.0, 0.06, up);  // the feet in the plain's mist
    float keep = 1.0 - 0.85 * u_fade;
    alpha *= keep;
    out_color = finite_out(vec4(col * alpha + glow * keep * (0.4 + 0.6 * edge), alpha));
}
