#version 330 core
// One triangle that covers the screen, carrying the world-space view ray of each corner. The ray
// (far point minus eye, times the far point's w) is affine in screen space, so interpolating it
// and normalising per pixel is exact, and saves the sky and plain two matrix inversions a pixel.
#include "lib/uniforms.glsl"

out vec2 v_uv;
out vec3 v_ray;

void main() {
    vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    v_uv = p;
    vec4 far = u_inv_view_proj * vec4(p * 2.0 - 1.0, 1.0, 1.0);
    v_ray = far.xyz - u_cam_pos * far.w;
    gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
