#version 330 core
#include "lib/uniforms.glsl"
#include "lib/safe.glsl"

in vec2 in_strip;  // x: s along the thread 0..1, y: side -1..1
in vec3 in_p0;
in vec3 in_p1;
in vec3 in_p2;
in float in_strength;
in float in_grow;
in float in_flash;
in float in_hue;
in float in_seed;

out float v_side;
out float v_s;
out float v_strength;
out float v_flash;
out float v_hue;
out float v_turn;  // cos of the ribbon's twist: 1 face-on, 0 edge-on

vec3 bezier(float s) {
    float a = 1.0 - s;
    return a * a * in_p0 + 2.0 * a * s * in_p1 + s * s * in_p2;
}

void main() {
    float s = in_strip.x * in_grow;
    vec3 p = bezier(s);
    vec3 q = bezier(min(s + 0.01, 1.0)) - bezier(max(s - 0.01, 0.0));
    // The ribbon weaves: a slow travelling twist around its curve.
    vec3 side3 = safe_normalize(cross(q, vec3(0.0, 1.0, 0.0)), vec3(1.0, 0.0, 0.0));
    float weave = sin(TAU * (s * 2.5 + in_seed + u_wave.x * 2.0)) * 0.06 * (1.0 - abs(2.0 * s - 1.0));
    p += side3 * weave + vec3(0.0, 1.0, 0.0) * weave * 0.5;

    vec4 c = u_view_proj * vec4(p, 1.0);
    vec4 c2 = u_view_proj * vec4(p + q, 1.0);
    // A point at or behind the eye (the dreamer's own heart can be) is never divided by its w:
    // the ribbon's direction there is only approximate, and the clipper cuts that part away.
    vec2 sp = safe_ndc(c);
    vec2 sp2 = safe_ndc(c2);
    vec2 dir = sp2 - sp;
    dir.x *= u_aspect;
    vec2 nrm = safe_normalize(vec2(-dir.y, dir.x), vec2(0.0, 1.0));
    nrm.x /= u_aspect;
    // Width in pixels (at 720p), glowing wider with strength and right after a share.
    float px = (2.0 + 3.0 * in_strength + 5.0 * in_flash) * u_thread_glow * (u_resolution.y / 720.0);
    // A ribbon, not a wire: it twists as it goes, narrowing where it turns edge-on.
    float turn = cos(TAU * (s * 2.0 + in_seed * 3.0 - u_wave.x * 3.0));
    px *= 0.4 + 0.6 * abs(turn);
    float taper = smoothstep(0.0, 0.04, in_strip.x) * smoothstep(0.0, 0.04, 1.0 - in_strip.x);
    c.xy += nrm * in_strip.y * px * taper / u_resolution.y * 2.0 * max(c.w, 0.0);
    v_side = in_strip.y;
    v_s = s;
    v_strength = in_strength;
    v_flash = in_flash;
    v_hue = in_hue;
    v_turn = turn;
    gl_Position = c;
}
