#version 330 core
#include "lib/uniforms.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/safe.glsl"

uniform int u_mode;

in vec2 v_local;
in float v_glow;
in float v_hue;
out vec4 out_color;

void main() {
    float d2 = dot(v_local, v_local);
    if (d2 > 1.0) discard;
    float fall = exp(-d2 * 3.5) * (1.0 - d2);
    if (u_mode == 0) {
        // Multiplied onto the scene: 1 leaves it, lower darkens.
        out_color = finite_out(vec4(vec3(1.0 - 0.6 * fall * (1.0 - 0.6 * u_fade)), 1.0));
    } else {
        vec3 light = mix(CRYSTAL_ICE(), CRYSTAL_LILAC(), v_hue);
        float k = v_glow * (0.3 + 0.4 * u_flower_pulse) * 0.6 * (1.0 - 0.7 * u_fade);
        out_color = finite_out(vec4(light * fall * k, 1.0));
    }
}
