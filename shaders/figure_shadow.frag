#version 330 core
// Darkens the plain under a figure (blended ZERO, ONE_MINUS_SRC_ALPHA): a firm pool at the
// feet and a long soft fall towards the viewer.
#include "lib/uniforms.glsl"
#include "lib/safe.glsl"

in vec2 v_at;
flat in float v_open;
out vec4 out_color;

void main() {
    float pool = exp(-dot(v_at, v_at) * 40.0);
    vec2 fall = v_at - vec2(0.0, 0.42);
    float trail = exp(-(fall.x * fall.x * 30.0 + fall.y * fall.y * 3.2)) * smoothstep(-0.05, 0.1, v_at.y);
    float a = (0.5 * pool + 0.32 * trail) * (0.7 + 0.3 * v_open) * (1.0 - 0.9 * u_fade);
    out_color = finite_out(vec4(0.0, 0.0, 0.0, clamp(a, 0.0, 0.85)));
}
