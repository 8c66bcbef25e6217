#version 330 core
// The nebula's sky at half resolution: the twilight gradient and the clouds (the costly part),
// rgb the colour and a the clouds' density, into a texture that the stars, the plain's reflection
// and its fog all sample.
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/color.glsl"
#include "lib/palette.glsl"
#include "lib/nebula.glsl"
#include "lib/safe.glsl"

in vec2 v_uv;
in vec3 v_ray;
layout(location = 0) out vec4 out_color;
// The same colour into the frame's half-resolution background, which the plain then draws
// over below the horizon (nebula/render/passes/plain.py): no copy of the clouds into it later.
layout(location = 1) out vec4 out_background;

void main() {
    vec3 dir = safe_normalize(v_ray, vec3(0.0, 0.0, -1.0));
    // Below the horizon nothing reads the clouds; a small margin keeps bilinear taps clean.
    if (dir.y < CLOUDS_LOW) discard;
    dir.y = max(dir.y, 0.0);
    vec4 clouds = nebula_clouds(safe_normalize(dir, vec3(0.0, 0.0, -1.0)));
    // The twilight gradient too: smooth, so the sky and the plain's reflection and fog read the
    // whole sky in one texture read instead of working it out again at every pixel.
    out_color = finite_out(vec4(sky_base(dir.y) + clouds.rgb, clouds.a));
    out_background = vec4(out_color.rgb, 1.0);
}
