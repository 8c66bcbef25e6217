#version 330 core
// One star of the sky-locked grid (nebula/render/passes/sky.py lists the cells that may hold
// one) as a small quad over its whole cell; star.frag shades each pixel as the sky once did.
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"

in vec2 in_corner;  // the quad's corner, -1..1
in vec2 in_cell;    // the grid cell: floor of (azimuth, dir.y) x STAR_GRID
in vec2 in_extent;  // half the quad's size in NDC: the cell's farthest corner from the star

flat out vec2 v_cell;

void main() {
    vec2 sp = (in_cell + 0.25 + 0.5 * hash22(in_cell + 7.0)) / STAR_GRID;  // the star's centre
    float r = sqrt(max(1.0 - sp.y * sp.y, 0.0));
    vec3 dir = vec3(sin(sp.x) * r, sp.y, -cos(sp.x) * r);
    // Far along its direction from the eye: where it lands on screen does not depend on the eye.
    vec4 c = u_view_proj * vec4(u_cam_pos + dir * 100.0, 1.0);
    c.xy += in_corner * (in_extent + 3.0 / u_resolution) * c.w;  // and a pixel and a half more
    gl_Position = c;
    v_cell = in_cell;
}
