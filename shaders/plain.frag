#version 330 core
// The luminous plain: soft ground that reflects the sky and brightens share by share. Drawn at
// half resolution (it is soft, and the fog takes its far detail); background.frag brings it up.
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/nebula.glsl"
#include "lib/safe.glsl"

uniform sampler2D u_clouds;  // the sky's half-resolution clouds (see sky_clouds.frag)

in vec2 v_uv;
in vec3 v_ray;
out vec4 out_color;

vec3 sky_seen(vec3 dir) {
    return texture(u_clouds, sky_uv(dir)).rgb;  // the gradient and the clouds
}

void main() {
    vec3 dir = safe_normalize(v_ray, vec3(0.0, -1.0, 0.0));
    // Above the horizon the sky's texels stay (plain_sky.frag drew them first).
    if (dir.y >= HORIZON) discard;
    dir = safe_normalize(vec3(dir.x, min(dir.y, HORIZON), dir.z), vec3(0.0, -1.0, 0.0));
    // Where the view ray meets the ground (y = 0).
    float dist = u_cam_pos.y / -dir.y;
    vec3 hit = u_cam_pos + dir * dist;

    // The plain's memory of what has been shared: violet dusk at arrival, each share a step
    // towards luminous lilac (the curve keeps the first shares from washing it out at once).
    float lit = spow(clamp(u_luminance, 0.0, 1.0), 1.5);
    float mottle = fbm(hit.xz * 0.16 + u_drift.xy * 0.05, 3);
    vec3 ground = mix(PLAIN_DUSK() * 1.6, PLAIN_LIT() * 0.42, lit * (0.8 + 0.3 * mottle));
    ground *= 0.75 + 0.5 * mottle;

    // It reflects the sky: a soft mirror broken by long ripples, stronger at grazing angles.
    float ripple = noise2(hit.xz * vec2(0.7, 2.4) + u_drift.zw * 0.3) - 0.5;
    vec3 rdir = normalize(vec3(dir.x + ripple * 0.03, -dir.y + ripple * 0.01, dir.z));
    float fresnel = 0.18 + 0.62 * spow(1.0 - clamp(-dir.y, 0.0, 1.0), 6.0);
    vec3 col = mix(ground, sky_seen(rdir), fresnel * (0.75 - 0.4 * lit));

    // The glow spreads from the circle, where the sharing happens.
    float from_circle = length(hit.xz - u_circle_center.xz);
    col += PLAIN_LIT() * lit * 0.16 * exp(-from_circle * 0.16);

    // Distance haze into the horizon glow.
    float fog = 1.0 - exp(-dist * 0.035);
    col = mix(col, sky_seen(normalize(vec3(dir.x, 0.012, dir.z))), fog * 0.85);
    out_color = finite_out(vec4(col, 1.0));
}
