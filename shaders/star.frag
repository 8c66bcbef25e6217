#version 330 core
// A star, shaded per pixel exactly as the full-screen sky did (each pixel shows the star of its
// own cell, if that cell has one): twinkling, hidden by clouds, faint near the horizon. Added
// onto the sky; only the few pixels near a star run this.
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/safe.glsl"

uniform sampler2D u_clouds;

#ifndef EVERY_PIXEL
flat in vec2 v_cell;
#endif
out vec4 out_color;

void main() {
    vec2 uv = gl_FragCoord.xy / u_resolution;
    vec4 far = u_inv_view_proj * vec4(uv * 2.0 - 1.0, 1.0, 1.0);
    vec3 dir = safe_normalize(far.xyz - u_cam_pos * far.w, vec3(0.0, 0.0, -1.0));
    vec2 sp = vec2(safe_atan(dir.x, -dir.z), dir.y) * STAR_GRID;
    vec2 cell = floor(sp);
    vec2 h = hash22(cell);
#ifdef EVERY_PIXEL
    vec2 own = cell;  // drawn over the whole frame (a test's reference): every cell's star
#else
    vec2 own = v_cell;  // the quad's star; pixels of the quad in a neighbouring cell show none
#endif
    if (dir.y < HORIZON || cell != own || h.x <= STAR_THRESHOLD) discard;
    vec2 fp = fract(sp) - 0.25 - 0.5 * hash22(cell + 7.0);
    float tw = 0.5 + 0.5 * sin(TAU * (u_wave.z + h.y * 7.0));
    float big = step(0.999, h.x);
    float s = exp(-dot(fp, fp) * mix(90.0, 30.0, big)) * (0.35 + 0.65 * tw);
    s *= (1.0 - 0.85 * texture(u_clouds, uv).a) * smoothstep(0.0, 0.12, dir.y);
    vec3 col = mix(vec3(0.85, 0.8, 1.0), vec3(1.0, 0.85, 0.8), h.y) * s * mix(1.3, 3.0, big);
    out_color = finite_out(vec4(col, 0.0));
}
