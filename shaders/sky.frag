#version 330 core
// The sky at full resolution: the half-resolution sky (gradient and clouds, sky_clouds.frag) and
// stars that twinkle in the dark lanes.
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/nebula.glsl"
#include "lib/safe.glsl"

uniform sampler2D u_clouds;

in vec2 v_uv;
in vec3 v_ray;
out vec4 out_color;

void main() {
    vec3 dir = safe_normalize(v_ray, vec3(0.0, 0.0, -1.0));
    if (dir.y < HORIZON) discard;  // the plain draws below the horizon
    vec4 clouds = texture(u_clouds, v_uv);
    vec3 col = clouds.rgb;  // the gradient and the clouds, from sky_clouds.frag

    // Stars: a sky-locked grid, one candidate per cell, sparse; they twinkle and hide in clouds.
    vec2 sp = vec2(safe_atan(dir.x, -dir.z), dir.y) * 260.0;
    vec2 cell = floor(sp);
    vec2 h = hash22(cell);
    if (h.x > 0.994) {
        vec2 fp = fract(sp) - 0.25 - 0.5 * hash22(cell + 7.0);
        float tw = 0.5 + 0.5 * sin(TAU * (u_wave.z + h.y * 7.0));
        float big = step(0.999, h.x);
        float s = exp(-dot(fp, fp) * mix(90.0, 30.0, big)) * (0.35 + 0.65 * tw);
        s *= (1.0 - 0.85 * clouds.a) * smoothstep(0.0, 0.12, dir.y);
        col += mix(vec3(0.85, 0.8, 1.0), vec3(1.0, 0.85, 0.8), h.y) * s * mix(1.3, 3.0, big);
    }
    out_color = finite_out(vec4(max(col, 0.0), 1.0));
}
