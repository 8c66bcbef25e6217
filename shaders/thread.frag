#version 330 core
#include "lib/uniforms.glsl"
#include "lib/color.glsl"
#include "lib/safe.glsl"

in float v_side;
in float v_s;
in float v_strength;
in float v_flash;
in float v_hue;
in float v_turn;
out vec4 out_color;

void main() {
    float x = abs(v_side);
    float core = exp(-x * x * 22.0);
    float glow = exp(-x * x * 4.0) * 0.3;
    // Thin-film iridescence: the hue slides along the thread and over time.
    // Thin film: the colour also shifts with the angle the twisting ribbon shows us, and it
    // glints where it turns edge-on.
    // Interpolated |v_turn| overshoots 1 by a rounding error at some pixels; pow() of the
    // negative edge_on that follows was NaN there (one pixel, then a black block after bloom).
    float edge_on = clamp(1.0 - abs(v_turn), 0.0, 1.0);
    vec3 col = iridescent(v_hue + v_s * 0.9 + 0.3 * edge_on - u_wave.x * 3.0);
    col = mix(col, vec3(1.0), core * core * (0.08 + 0.4 * pow(edge_on, 4.0)));
    col *= 0.85 + 0.6 * pow(edge_on, 3.0);
    // The threads outlast everything in the fade: they only go in its very last moments.
    float last = 1.0 - smoothstep(0.86, 1.0, u_fade);
    float k = (0.22 + 0.33 * v_strength + 1.2 * v_flash) * u_thread_glow * last;
    k *= 1.0 + 1.5 * u_fade;  // brighter than the wash that swallows everything else
    out_color = finite_out(vec4(col * (core + glow) * k, 0.0));
}
