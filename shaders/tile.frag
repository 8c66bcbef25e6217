#version 330 core
// One tile of a wall (nebula/render/tile.py): its rectangle of the canvas-sized frame, faded
// where it overlaps a neighbour and, with WARP, corner-pinned for a projector that is not
// square-on. Without either, each pixel is the frame's own texel, copied exactly, so tiles
// stitch byte for byte.
#include "lib/safe.glsl"

uniform sampler2D u_canvas;  // the renderer's 8-bit output: the whole canvas, drawn in the tile
uniform ivec2 u_origin;      // the tile's bottom-left texel in it
uniform vec2 u_size;         // the tile's size in pixels
// Soft edges, in the order left, right, bottom, top (GL's rows: bottom is the wall's bottom):
// the overlap's width in pixels (0: none), and Bourke's gamma, curve p and center a.
uniform vec4 u_blend_width;
uniform vec4 u_blend_gamma;
uniform vec4 u_blend_curve;
uniform vec4 u_blend_center;
#ifdef WARP
uniform mat3 u_unwarp;  // an output pixel -> where it shows in the tile (pixels, GL rows)
#endif

out vec4 out_color;

// The signal's share at x (0 at the outer edge, 1 where the overlap ends): Bourke's ramp of
// light, f = a(2x)^p, then 1 - (1 - a)(2(1 - x))^p, to the power 1 / gamma.
float edge_gain(float x, float gamma, float curve, float center) {
    float f = x < 0.5 ? center * spow(2.0 * x, curve)
                      : 1.0 - (1.0 - center) * spow(2.0 * (1.0 - x), curve);
    return spow(clamp(f, 0.0, 1.0), 1.0 / gamma);
}

float blend_gain(vec2 p) {
    // Distance from each edge, over that edge's width: at or past 1 no fade at all.
    vec4 along = vec4(p.x, u_size.x - p.x, p.y, u_size.y - p.y) / max(u_blend_width, vec4(1.0));
    float g = 1.0;
    for (int i = 0; i < 4; ++i) {
        if (u_blend_width[i] > 0.0 && along[i] < 1.0) {
            g *= edge_gain(along[i], u_blend_gamma[i], u_blend_curve[i], u_blend_center[i]);
        }
    }
    return g;
}

void main() {
#ifdef WARP
    vec3 q = u_unwarp * vec3(gl_FragCoord.xy, 1.0);
    vec2 p = q.xy / (abs(q.z) > 1e-9 ? q.z : 1e-9);
    if (any(lessThan(p, vec2(0.0))) || any(greaterThan(p, u_size))) {
        out_color = vec4(0.0, 0.0, 0.0, 1.0);  // outside the pinned quad: the projector's black
        return;
    }
    vec3 c = texture(u_canvas, (vec2(u_origin) + p) / vec2(textureSize(u_canvas, 0))).rgb;
#else
    vec2 p = gl_FragCoord.xy;
    vec3 c = texelFetch(u_canvas, u_origin + ivec2(p), 0).rgb;
#endif
    out_color = vec4(c * blend_gain(p), 1.0);
}
