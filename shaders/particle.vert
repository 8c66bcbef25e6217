#version 330 core
#include "lib/uniforms.glsl"
#include "lib/safe.glsl"
#include "lib/kinds.glsl"

// Two programs from this file (nebula/render/passes/particles.py), each given only its own
// living records: with MOTES, motes as point sprites, a record a vertex of one draw (thousands
// of quads a pixel or two wide cost llvmpipe twice as much in triangle setup, and as many
// one-vertex instances half as much again); without it, everything else as quads of four
// vertices each (QUAD_TRIANGLES): birds, light on threads, and the motes whose sprite crosses
// the frame's edge (GL drops a point whose centre is off-screen).
#ifndef MOTES
in vec2 in_corner;
#endif
in vec3 in_pos;
in float in_birth;
in float in_life;
in float in_size;
in float in_kind;
in float in_seed;
in float in_hue;
in float in_bright;

#ifndef MOTES
out vec2 v_corner;
#endif
flat out float v_kind;
out float v_alpha;
flat out float v_hue;
#ifndef MOTES
out float v_flap;
#endif

void main() {
    float age = u_cycle_t - in_birth;
    float life = max(in_life, 1e-4);
    float x = age / life;
    if (in_life <= 0.0 || age < 0.0 || x >= 1.0) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // retired or unborn: off-screen, clipped
        return;
    }
    vec3 p = in_pos;
    float size = in_size;
    float alpha = smoothstep(0.0, 0.12, x) * (1.0 - smoothstep(0.6, 1.0, x));
#ifndef MOTES
    if (is_kind(in_kind, KIND_BIRD)) {
        // Word-birds flutter as they rise: small and fragile, not a flock of kites.
        size *= 0.6;
        alpha *= 1.0 - 0.55 * x;  // their light fades as they go
        p.x += sin(age * 5.0 + in_seed * TAU) * 0.08 * x;
        p.z += cos(age * 3.7 + in_seed * 11.0) * 0.06 * x;
    } else if (is_kind(in_kind, KIND_FLOW)) {
        alpha *= 1.0 - smoothstep(0.86, 1.0, u_fade);  // light on threads fades with them
    } else
#endif
    {
        // Motes twinkle and dim under the wash.
        alpha *= 0.45 + 0.55 * sin(TAU * (u_wave.z + in_seed * 5.0)) * 0.5 + 0.25;
        alpha *= 1.0 - 0.8 * u_fade;
    }
    vec4 c = u_view_proj * vec4(p, 1.0);
    // A particle at or behind the eye is dropped; one about to reach it fades out first, so it
    // never fills the frame as a giant sprite for a frame (a flash).
    if (c.w < 0.15) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
        return;
    }
    alpha *= smoothstep(0.15, 0.6, c.w);
    // At least ~1.5 px so far particles do not shimmer in and out of existence.
    float px = clamp(size * u_resolution.y / (c.w * 0.85), 1.5, 0.25 * u_resolution.y);
#ifdef MOTES
    gl_PointSize = min(2.0 * px, MAX_POINT_SIZE);  // the quad's width; a mote never gets near it
#else
    c.xy += in_corner * px / u_resolution * 2.0 * c.w;
    v_corner = in_corner;
#endif
    v_kind = in_kind;
    v_alpha = alpha * in_bright;
    v_hue = in_hue;
#ifndef MOTES
    // Each bird beats its wings at its own rate, slowing as it tires.
    v_flap = sin(age * mix(15.0, 21.0, in_seed) * (1.0 - 0.3 * x) + in_seed * TAU);
#endif
    gl_Position = c;
}
