#version 330 core
// The two glows as one, at the tight glow's quarter resolution: the composite then reads one
// bloom texture instead of two (each full-resolution texture read costs a software rasterizer
// as much as a small shader).
uniform sampler2D u_bloom_near;
uniform sampler2D u_bloom_far;
in vec2 v_uv;
out vec4 out_color;

void main() {
    out_color = vec4(texture(u_bloom_near, v_uv).rgb * 0.7 + texture(u_bloom_far, v_uv).rgb * 0.35,
                     1.0);
}
