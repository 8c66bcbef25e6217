#version 330 core
// One solid part of a figure (nebula/sim/poses.py): a round cone from in_a to in_b, its
// cross-section an ellipse deeper or shallower along in_fwd, its ends round or flattened. The
// mesh is one unit shape for every part (passes/figures.py): rings along the axis and a cap on
// each end. Guarded bodies waver like heat haze: the surface breathes along its normal.
//
// The body's own colour and its light are worked out here, at each vertex: the light is smooth
// over a round part, and a software rasterizer shades a vertex once where it shades a fragment
// hundreds of times (figure.frag adds what must be sharp: rims, the face, the eyes).
#include "lib/uniforms.glsl"
#include "lib/safe.glsl"
#include "lib/noise.glsl"
#include "lib/kinds.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"

uniform vec3 u_speaker_heart;  // the heart of whoever shares now
uniform float u_speaker_glow;  // 0 .. 1: how much light it gives

in vec3 in_shape;   // t along the axis (0 at a, 1 at b), angle round it, latitude on an end cap
in vec3 in_a;
in vec3 in_b;
in vec4 in_radii;   // radius at a, radius at b, the cross-section's depth, the ends' roundness
in vec3 in_fwd;
in vec3 in_feet;
in vec3 in_heart;
in vec4 in_figure;  // height, openness, shimmer, speaking
in vec3 in_id;      // part, kind, seed

out vec3 v_world;
out vec3 v_normal;
out vec3 v_color;  // the part's own colour, lit
out vec3 v_light;  // the light alone
out vec3 v_body;   // metres from the feet, up the figure: patterns that stay on the body
out vec3 v_local;  // the part's own frame (across, along, forward), in units of its radius
flat out vec3 v_heart;
flat out float v_height;
flat out float v_open;
flat out float v_shimmer;
flat out float v_speak;
flat out float v_seed;
flat out float v_material;  // MATERIAL_CLOTH, MATERIAL_SKIN or MATERIAL_HAIR
flat out float v_kind;
flat out float v_part;
flat out float v_near_heart;  // 1 on the parts the heart's glow can reach

// The stuff a part is made of, guarded (violet-grey) warming as the figure opens: skin, hair,
// or cloth in each figure's own tint.
vec3 albedo(float material, float open, float tint) {
    vec3 guarded = FIGURE_GUARDED();
    vec3 cloth_open = mix(ROSE_GOLD(), AMETHYST(), 0.35 + 0.5 * tint) * 0.75;
    if (is_kind(material, MATERIAL_SKIN))
        return mix(guarded * 1.25, mix(ROSE_GOLD(), ROSE_LIGHT(), 0.45), 0.85 * open);
    if (is_kind(material, MATERIAL_HAIR)) return mix(guarded, cloth_open, 0.3 * open) * 0.45;
    vec3 own = guarded * mix(vec3(0.9, 0.86, 1.1), vec3(1.1, 0.9, 0.92), tint);
    return mix(own, cloth_open, 0.8 * open);
}

// The light on a surface at p facing n, `up` of the way from the feet to the crown. The key
// is the twilight glow low beyond the circle's far side: it lights whoever faces the far
// horizon and rims everyone else. The sky fills from above, the plain's own light from below
// (brighter as more is shared), soft shade low on the body; warm light comes from the heart of
// whoever shares (not onto the speaker itself: its heart glows in figure.frag) and from the
// threads across the circle.
vec3 light_at(vec3 p, vec3 n, float up) {
    float key = clamp((dot(n, vec3(0.0, 0.33, -0.94)) + 0.3) / 1.3, 0.0, 1.0);
    float sky = 0.5 + 0.5 * n.y;
    float below = (0.5 - 0.5 * n.y) * (0.25 + 0.6 * u_luminance);
    float occlusion = mix(0.45, 1.0, smoothstep(0.0, 0.5, up));
    vec3 light = AMETHYST_DARK() * 0.16 + AMETHYST_LIGHT() * 0.32 * sky * sky;
    light = (light + TWILIGHT() * 1.2 * key * key) * occlusion + PLAIN_LIT() * below * 0.2;
    vec3 to_speaker = u_speaker_heart - p;
    float d2 = dot(to_speaker, to_speaker);
    float wrap = clamp((dot(n, to_speaker * inversesqrt(max(d2, 1e-6))) + 0.4) / 1.4, 0.0, 1.0);
    float own = smoothstep(0.16, 0.64, d2);
    light += FIGURE_RIM() * wrap * own * u_speaker_glow * 1.3 / (1.0 + 0.8 * d2);
    vec3 to_web = u_circle_center + vec3(0.0, 1.25, 0.0) - p;
    float web = clamp(dot(n, safe_normalize(to_web, n)) * 0.5 + 0.5, 0.0, 1.0);
    return light + mix(AMETHYST_LIGHT(), FIGURE_RIM(), u_warmth) * web
        * (0.06 + 0.25 * u_luminance * u_openness);
}

void main() {
    float ra = in_radii.x, rb = in_radii.y, depth = in_radii.z, cap = in_radii.w;
    float height = max(in_figure.x, 0.05), open = in_figure.y, shimmer = in_figure.z;
    float part = in_id.x, seed = in_id.z;
    vec3 axis = in_b - in_a;
    float len = length(axis);
    vec3 up = len > 1e-6 ? axis / len : vec3(0.0, 1.0, 0.0);
    // The forward axis made square to the part's own (a vertical part faces in_fwd itself).
    vec3 w = safe_normalize(in_fwd - up * dot(in_fwd, up), vec3(0.0, 0.0, 1.0));
    vec3 u = cross(up, w);
    float t = in_shape.x;
    float lat = in_shape.z;  // 0 on the side; 1 at an end's pole
    float ring = sqrt(max(1.0 - lat * lat, 0.0));
    float end = t < 0.5 ? -1.0 : 1.0;
    float r = mix(ra, rb, t);
    vec2 cs = vec2(cos(in_shape.y), sin(in_shape.y));
    vec3 p = mix(in_a, in_b, t) + up * (end * lat * r * cap) + (u * cs.x + w * (cs.y * depth)) * (r * ring);
    // The normal of the ellipse's side, tilted by the cone's slope, bent to the pole on a cap.
    vec3 radial = safe_normalize(u * cs.x + w * (cs.y / max(depth, 0.05)), u);
    vec3 side = safe_normalize(radial - up * ((rb - ra) / max(len, 1e-4)), radial);
    vec3 n = safe_normalize(side * ring * cap + up * (end * lat), up);
    // Heat haze: guarded bodies waver, each part on its own (units of the figure's height).
    float haze = shimmer * (0.3 + 0.7 * u_haze);
    if (haze > 0.01) {  // the same for a whole part: no divergence
        float wob = noise2_loop(vec2(p.y * 3.0 + seed * 13.0, part * 1.7), u_wave.z) - 0.5;
        p += n * wob * 0.018 * haze * height * step(0.0005, r);
    }
    p.y = max(p.y, 0.0);  // nothing below the plain (a robe's hem, a foot): it has no depth

    bool skin = is_kind(part, PART_HEAD) || is_kind(part, PART_NECK)
        || is_kind(part, PART_HAND_R) || is_kind(part, PART_HAND_L);
    bool hair = is_kind(part, PART_HAIR) || is_kind(part, PART_HAIR_BACK);
    float material = skin ? MATERIAL_SKIN : hair ? MATERIAL_HAIR : MATERIAL_CLOTH;
    vec3 light = light_at(p, n, (p.y - in_feet.y) / height);
    v_light = light;
    // The brush: the cloth's folds and the light's grain, fixed to the body so they never
    // crawl (at each vertex: a soft mottle over the part, not a texture).
    float brush = noise2(vec2(p.x * 4.0 + p.z * 4.0, p.y * 2.0) + seed * 31.0);
    float mottle = 0.9 + 0.2 * brush * (skin ? 0.4 : 1.0);
    v_color = albedo(material, open, hash12(vec2(seed * 17.0, 2.0))) * light * mottle;
    v_near_heart = (is_kind(part, PART_CHEST) || is_kind(part, PART_SHOULDERS)
        || is_kind(part, PART_HAND_R) || is_kind(part, PART_HAND_L)) ? 1.0 : 0.0;

    v_world = p;
    v_normal = n;
    v_body = p - in_feet;
    vec3 rel = p - mix(in_a, in_b, 0.5);
    v_local = vec3(dot(rel, u), dot(rel, up), dot(rel, w)) / max(mix(ra, rb, 0.5), 1e-4);
    v_heart = in_heart;
    v_height = height;
    v_open = open;
    v_shimmer = shimmer;
    v_speak = in_figure.w;
    v_seed = seed;
    v_material = material;
    v_kind = in_id.y;
    v_part = part;
    gl_Position = u_view_proj * vec4(p, 1.0);
}
