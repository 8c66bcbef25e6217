#version 330 core
// The wall's calibration pattern (nebula/render/pattern.py), drawn into the canvas-sized frame in
// place of the piece: a grid in canvas pixels, a circle round the canvas's centre, the tile's
// outline and crosshairs at its corners, and its name. The tile pass then fades its blended
// edges and pins its corners as it does the piece, so the ramps and the pin show on it. The
// ground is mid grey: where two projectors' ramps are right, their overlap is the same grey.

uniform vec2 u_canvas;     // the canvas in renderer pixels
uniform float u_scale;     // renderer pixels per canvas pixel
uniform vec4 u_tile;       // the tile: x, y (GL rows, from the bottom), width, height, renderer px
uniform sampler2D u_label; // the tile's name and rectangle, white on clear
uniform vec2 u_label_size; // in renderer pixels

out vec4 out_color;

// 1 on a line every `step` canvas pixels, `width` renderer pixels wide.
float grid(vec2 p, float step, float width) {
    vec2 d = abs(p - step * floor(p / step + 0.5)) * u_scale;
    return float(min(d.x, d.y) < 0.5 * width);
}

void main() {
    vec2 px = gl_FragCoord.xy;
    vec2 p = vec2(px.x, u_canvas.y - px.y) / u_scale;  // canvas pixels, y down as in the file
    vec3 col = vec3(0.5);
    col = mix(col, vec3(0.62), grid(p, 50.0, 1.0));
    col = mix(col, vec3(0.95), grid(p, 250.0, 2.0));
    // A circle round the canvas's centre: a projector's keystone bends it into an ellipse.
    vec2 c = px - 0.5 * u_canvas;
    float r = 0.42 * min(u_canvas.x, u_canvas.y);
    col = mix(col, vec3(1.0), float(abs(length(c) - r) < 1.5));
    // The tile's own outline (amber) and crosshairs 32 px inside each corner (cyan).
    vec2 t = px - u_tile.xy;
    vec2 edge = min(t, u_tile.zw - t);
    col = mix(col, vec3(1.0, 0.7, 0.1), float(min(edge.x, edge.y) < 2.0));
    vec2 k = min(t, u_tile.zw - t) - 32.0;
    float cross = float((abs(k.x) < 1.5 && abs(k.y) < 16.0) || (abs(k.y) < 1.5 && abs(k.x) < 16.0));
    col = mix(col, vec3(0.1, 0.9, 1.0), cross);
    // The name, centred in the tile on a dark plate.
    vec2 l = (t - 0.5 * (u_tile.zw - u_label_size)) / u_label_size;
    if (all(greaterThanEqual(l, vec2(-0.08, -0.3))) && all(lessThanEqual(l, vec2(1.08, 1.3)))) {
        col *= 0.25;
        if (all(greaterThanEqual(l, vec2(0.0))) && all(lessThanEqual(l, vec2(1.0)))) {
            col = mix(col, vec3(1.0), texture(u_label, l).a);
        }
    }
    out_color = vec4(col, 1.0);
}
