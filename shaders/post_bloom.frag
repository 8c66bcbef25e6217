#version 330 core
// The two glows as one, at the tight glow's quarter resolution: the composite then reads one
// bloom texture instead of two (each full-resolution texture read costs a software rasterizer
// as much as a small shader). With HAZE its alpha carries the heat haze's offset too, so the
// composite's haze costs no texture read of its own.
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/safe.glsl"

uniform sampler2D u_bloom_near;
uniform sampler2D u_bloom_far;
in vec2 v_uv;
out vec4 out_color;

#ifdef HAZE
// Guarded figures on screen: (feet x, feet y, height, shimmer). post.py gives MAX_HAZE_FIGURES,
// the length of u_haze_figures.
uniform vec4 u_haze_figures[MAX_HAZE_FIGURES];
uniform int u_haze_count;

float haze_mask(vec2 uv) {
    float m = 0.0;
    for (int i = 0; i < MAX_HAZE_FIGURES; ++i) {
        if (i >= u_haze_count) break;
        vec4 f = u_haze_figures[i];
        vec2 d = uv - vec2(f.x, f.y + f.z * 0.5);
        d.x *= u_aspect;
        vec2 r = max(vec2(f.z * 0.45, f.z * 0.75), vec2(1e-4));
        vec2 k = d / r;
        float k2 = dot(k, k);
        if (k2 < 9.0) m += f.w * exp(-k2);
    }
    return clamp(m, 0.0, 1.0);
}

// Heat haze: where the air wavers around the guarded figures, and by how much, as a sideways
// uv offset (the air shimmers across, as the figures' own outlines do). The mask and the
// wobble are smooth (a figure-sized blob, noise cells 8 texels wide here), so a quarter of the
// resolution draws the same offsets as full resolution; the composite reads them bilinearly.
float haze_offset(vec2 uv) {
    float hm = haze_mask(uv) * u_haze;
    float wob = noise2_loop(uv * vec2(40.0, 18.0), u_wave.z) - 0.5;
    return wob * hm * HAZE_REACH;  // about the length the old two-way offset had (post.py)
}
#endif

void main() {
    vec3 bloom = texture(u_bloom_near, v_uv).rgb * 0.7 + texture(u_bloom_far, v_uv).rgb * 0.35;
#ifdef HAZE
    out_color = finite_out(vec4(bloom, haze_offset(v_uv)));
#else
    out_color = vec4(bloom, 0.0);
#endif
}
