#version 330 core
// The star catalogue, made once per lens: for each cell of the sky-locked grid in view (one
// texel each, from u_origin), its hash22 as star.frag works it out. The GPU's own arithmetic
// decides which cells hold a star; a CPU copy of the hash rounds differently.
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"

uniform vec2 u_origin;
out vec4 out_color;

void main() {
    out_color = vec4(hash22(u_origin + floor(gl_FragCoord.xy)), 0.0, 1.0);
}
