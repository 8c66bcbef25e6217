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
    if (dir.y < -0.002) discard;  // the plain draws below the horizon
    out_color = vec4(nebula_sky(dir, 6), 1.0);
}
