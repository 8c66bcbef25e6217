#version 330 core
// The plain, drawn at half resolution (plain.frag), brought up to the frame below the horizon.
#include "lib/uniforms.glsl"
#include "lib/safe.glsl"

uniform sampler2D u_plain;

in vec2 v_uv;
in vec3 v_ray;
out vec4 out_color;

void main() {
    vec3 dir = safe_normalize(v_ray, vec3(0.0, -1.0, 0.0));
    if (dir.y >= HORIZON) discard;  // the sky draws above it
    out_color = finite_out(texture(u_plain, v_uv));
}
