#version 330 core
// Heat haze at quarter resolution: where the air wavers around the guarded figures, and by how
// much, as a uv offset that the composite adds before it samples the scene. The mask and the
// wobble are smooth (a figure-sized blob, noise cells 8 texels wide here), so a quarter of the
// resolution each way draws the same offsets at a sixteenth of the fragments; the composite
// reads them back bilinearly. post.py gives MAX_HAZE_FIGURES, the length of u_haze_figures.
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/safe.glsl"

// Guarded figures on screen: (feet x, feet y, height, shimmer).
uniform vec4 u_haze_figures[MAX_HAZE_FIGURES];
uniform int u_haze_count;

in vec2 v_uv;
out vec4 out_color;

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

void main() {
    float hm = haze_mask(v_uv) * u_haze;
    vec2 wob = vec2(noise2_loop(v_uv * vec2(40.0, 18.0), u_wave.z),
                    noise2_loop(v_uv * vec2(35.0, 22.0), -u_wave.w)) - 0.5;
    out_color = finite_out(vec4(wob * hm * 0.006, 0.0, 1.0));
}
