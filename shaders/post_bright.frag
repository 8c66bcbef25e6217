#version 330 core
#include "lib/uniforms.glsl"
#include "lib/color.glsl"
#include "lib/safe.glsl"

uniform sampler2D u_source;
uniform vec2 u_texel;  // of the source
in vec2 v_uv;
out vec4 out_color;

void main() {
    // 4 bilinear taps = a 4x4 box: a clean downsample.
    vec3 c = vec3(0.0);
    c += texture(u_source, v_uv + u_texel * vec2(-1.0, -1.0)).rgb;
    c += texture(u_source, v_uv + u_texel * vec2(1.0, -1.0)).rgb;
    c += texture(u_source, v_uv + u_texel * vec2(-1.0, 1.0)).rgb;
    c += texture(u_source, v_uv + u_texel * vec2(1.0, 1.0)).rgb;
    c *= 0.25;
    // Keep what glows (soft knee). During the fade the threshold drops to zero so the blur chain
    // carries the whole picture: the watercolor wash is made from it.
    float threshold = mix(0.85, 0.0, clamp(u_fade * 1.5, 0.0, 1.0));
    float l = luma(c);
    float knee = 0.3;
    float soft = clamp(l - threshold + knee, 0.0, 2.0 * knee);
    soft = soft * soft / (4.0 * knee + 1e-5);
    float w = max(soft, l - threshold) / max(l, 1e-4);
    out_color = finite_out(vec4(c * clamp(w, 0.0, 1.0), 1.0));
}
