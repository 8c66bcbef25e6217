#version 330 core
// The frame's background: the half-resolution sky and plain (nebula/render/passes/plain.py)
// brought up to the frame's size, one bilinear read a pixel. The stars, the flowers and the
// rest are drawn over it.
#include "lib/safe.glsl"

uniform sampler2D u_background;

in vec2 v_uv;
out vec4 out_color;

void main() {
    // Alpha 0: nothing covers the sky yet. The figures and flowers drawn over it leave their
    // coverage in the scene's alpha, which an NDI source with alpha sends (shaders/ndi.frag).
    out_color = finite_out(vec4(texture(u_background, v_uv).rgb, 0.0));
}
