#version 330 core
// The frame as NDI sends it (nebula/render/ndi.py): scaled to the source's size, top row first.
// With ALPHA, the piece's own coverage in alpha (straight, as NDI carries it): the figures and
// flowers where they stand (the scene target's alpha), and the light the piece adds over its
// sky (threads, particles, stars, the glow around them) by its brightness, so a compositor
// can lay the circle and its light over a picture of its own. The sky and the plain are left
// out: they are what the alpha keys away.
#include "lib/safe.glsl"

uniform sampler2D u_picture;  // the finished frame, as shown
in vec2 v_uv;
out vec4 out_color;

#ifdef ALPHA
uniform sampler2D u_scene;  // linear HDR; alpha: what the figures and flowers cover
uniform sampler2D u_background;  // the sky and the plain alone (half resolution)
uniform sampler2D u_bloom;  // the glow (post's bloom map, quarter resolution)

float coverage(vec2 uv) {
    vec4 s = texture(u_scene, uv);
    float cov = clamp(s.a, 0.0, 1.0);
    vec3 sky = texture(u_background, uv).rgb;
    // The scene is the sky seen past what covers it, plus what was drawn over it.
    vec3 light = max(s.rgb - sky * (1.0 - cov), 0.0) + texture(u_bloom, uv).rgb;
    float peak = max(light.r, max(light.g, light.b));
    return max(cov, 1.0 - exp(-2.0 * peak));  // light keyed by how bright it shows
}
#endif

void main() {
    vec2 uv = vec2(v_uv.x, 1.0 - v_uv.y);  // NDI's rows go top first, GL's bottom first
    vec3 c = texture(u_picture, uv).rgb;
#ifdef ALPHA
    out_color = finite_out(vec4(c, coverage(uv)));
#else
    out_color = vec4(c, 1.0);
#endif
}
