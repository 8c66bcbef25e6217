#version 330 core
#include "lib/uniforms.glsl"

in vec3 in_vertex;
in vec3 in_normal;
in float in_facet;
in vec3 in_pos;
in float in_size;
in float in_glow;
in float in_hue;
in float in_seed;

flat out vec3 v_normal;
out vec3 v_world;
flat out float v_facet;
flat out float v_glow;
flat out float v_hue;
out float v_height;

void main() {
    float yaw = in_seed * TAU;
    mat2 r = mat2(cos(yaw), sin(yaw), -sin(yaw), cos(yaw));
    vec3 v = in_vertex;
    v.xz = r * v.xz;
    vec3 n = in_normal;
    n.xz = r * n.xz;
    // A breath of wind: the tips sway, the base stays planted.
    float sway = sin(TAU * (u_wave.x * 2.0 + in_seed)) * 0.06 * v.y;
    v.x += sway;
    vec3 world = in_pos + v * in_size;
    v_normal = n;
    v_world = world;
    v_facet = in_facet;
    v_glow = in_glow;
    v_hue = in_hue;
    v_height = in_vertex.y;
    gl_Position = u_view_proj * vec4(world, 1.0);
}
