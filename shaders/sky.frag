#version 330 core
// The sky at full resolution: the half-resolution sky (gradient and clouds, sky_clouds.frag);
// the stars are point sprites drawn over it (star.vert, star.frag).
#include "lib/uniforms.glsl"
#include "lib/safe.glsl"

uniform sampler2D u_clouds;

in vec2 v_uv;
in vec3 v_ray;
out vec4 out_color;

void main() {
    vec3 dir = safe_normalize(v_ray, vec3(0.0, 0.0, -1.0));
    if (dir.y < HORIZON) discard;  // the plain draws below the horizon
    vec3 col = texture(u_clouds, v_uv).rgb;  // the gradient and the clouds, from sky_clouds.frag
    out_color = finite_out(vec4(max(col, 0.0), 1.0));
}
