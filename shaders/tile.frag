#version 330 core
// One tile of a wall (nebula/render/tile.py): its rectangle of the canvas-sized frame, faded
// where it overlaps a neighbour and, with WARP, corner-pinned for a projector that is not
// square-on. Without either, each pixel is the frame's own texel, copied exactly, so tiles
// stitch byte for byte.
uniform sampler2D u_canvas;  // the renderer's 8-bit output: the whole canvas, drawn in the tile
uniform ivec2 u_origin;      // the tile's bottom-left texel in it
uniform vec2 u_size;         // the tile's size in pixels
#ifdef BLEND
// The soft edges' gain on the signal across the tile and up it, one texel a pixel, worked out
// by nebula.wall.geometry.signal_gain (Bourke's ramp to the power 1 / gamma): two reads here
// instead of a pow per edge per pixel, and the same numbers the tests check.
uniform sampler2D u_gain_x;  // width x 1
uniform sampler2D u_gain_y;  // height x 1, GL rows (bottom first)
#endif
#ifdef WARP
uniform mat3 u_unwarp;  // an output pixel -> where it shows in the tile (pixels, GL rows)
#endif

out vec4 out_color;

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
#ifdef BLEND
    ivec2 i = clamp(ivec2(p), ivec2(0), ivec2(u_size) - 1);
    c *= texelFetch(u_gain_x, ivec2(i.x, 0), 0).r * texelFetch(u_gain_y, ivec2(i.y, 0), 0).r;
#endif
    out_color = vec4(c, 1.0);
}
