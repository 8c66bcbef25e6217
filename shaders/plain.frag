#version 330 core
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/camera.glsl"
#include "lib/nebula.glsl"

in vec2 v_uv;
out vec4 out_color;

void main() {
    vec3 dir = view_ray(v_uv);
    if (dir.y >= -0.002) discard;
    // Where the view ray meets the ground (y = 0).
    float dist = u_cam_pos.y / -dir.y;
    vec3 hit = u_cam_pos + dir * dist;

    // Soft, vast ground: gentle mottling like damp sand under dusk light.
    float mottle = fbm(hit.xz * 0.18 + u_drift.xy * 0.05, 4);
    float ripples = fbm(hit.xz * vec2(0.9, 2.2), 3);
    vec3 ground = mix(PLAIN_DUSK(), PLAIN_LIT(), clamp(u_luminance * 0.95 + 0.08 * mottle, 0.0, 1.0));
    ground *= 0.55 + 0.25 * mottle + 0.55 * u_luminance;

    // It reflects the sky: a blurred, ripple-broken mirror, stronger at grazing angles.
    vec3 refl_dir = normalize(vec3(dir.x + (ripples - 0.5) * 0.05, -dir.y, dir.z));
    vec3 sky = nebula_sky(refl_dir, 3);
    float fresnel = 0.25 + 0.65 * pow(1.0 - clamp(-dir.y, 0.0, 1.0), 6.0);
    vec3 col = mix(ground, sky, fresnel * (0.55 + 0.25 * u_luminance));

    // Memory of what has been shared: a luminous glow that spreads from the circle.
    float from_circle = length(hit.xz - vec2(0.0, -7.4));
    col += PLAIN_LIT() * u_luminance * 0.35 * exp(-from_circle * 0.08);
    // Distance haze into the horizon glow.
    float fog = 1.0 - exp(-dist * 0.012);
    col = mix(col, nebula_sky(vec3(dir.x, 0.01, dir.z), 2), fog * 0.8);
    out_color = vec4(col, 1.0);
}
