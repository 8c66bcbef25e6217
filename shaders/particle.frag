#version 330 core
#include "lib/uniforms.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/safe.glsl"
#include "lib/kinds.glsl"

#ifndef MOTES
in vec2 v_corner;
#endif
flat in float v_kind;
in float v_alpha;
flat in float v_hue;
#ifndef MOTES
in float v_flap;
#endif
out vec4 out_color;

void main() {
#ifdef MOTES
    vec2 c = gl_PointCoord * vec2(2.0, -2.0) + vec2(-1.0, 1.0);  // as the quad's corners, y up
#else
    vec2 c = v_corner;
#endif
    float d2 = dot(c, c);
    if (d2 > 1.0) discard;
    vec3 col;
    float a;
#ifndef MOTES
    if (is_kind(v_kind, KIND_BIRD)) {
        // A small bird of light: two curved wings beating round a bright body, thick at the
        // shoulder and feathered at the tips; the downstroke is quicker and shallower.
        float flap = v_flap > 0.0 ? v_flap : 0.6 * v_flap;
        float ax = abs(c.x);
        float wing = abs(c.y + 0.1 - (ax * 0.95 - ax * ax * 0.45) * flap);
        float thick = mix(0.22, 0.07, ax);
        a = exp(-wing * wing / (thick * thick) * 1.2) * smoothstep(1.0, 0.35, ax) * 0.6
            + exp(-d2 * 30.0) * 1.1;
        // Warm light with a breath of each bird's own tint; the wings catch more as they rise.
        vec3 tint = mix(CRYSTAL_ICE(), ROSE_PALE(), v_hue);
        col = mix(FIGURE_RIM(), tint, 0.3 + 0.2 * v_flap) * 1.25;
    } else if (is_kind(v_kind, KIND_FLOW)) {
        col = iridescent(v_hue + u_wave.x * 3.0) * 1.5 + 0.1;
        a = exp(-d2 * 5.0);
    } else
#endif
    {
        // Motes: faint dust of light hanging in the air, not a snowfall.
        col = mix(AMETHYST_LIGHT(), ROSE_PALE(), v_hue) * 0.5;
        a = exp(-d2 * 4.0);
    }
    out_color = finite_out(vec4(col * a * v_alpha, 0.0));
}
