// Colour helpers: hex-free palette mixing, hue rotation, tone mapping.
vec3 srgb_to_linear(vec3 c) { return pow(max(c, 0.0), vec3(2.2)); }
// x^(1/2.2) on [0, 1] from three square roots, within 0.2/255 of pow() (a minimax fit of
// x^(1/2), x^(1/4), x^(1/8) and x): a software rasterizer's pow is a log and an exp per channel,
// and post paid 3 ms of 20 for it at 720p.
vec3 linear_to_srgb(vec3 c) {
    vec3 x = max(c, 0.0), s = sqrt(x), q = sqrt(s), e = sqrt(q);
    return 0.9374 * s + 0.13605 * q - 0.02313 * e - 0.05107 * x;
}

float luma(vec3 c) { return dot(c, vec3(0.2126, 0.7152, 0.0722)); }

// Rotate hue by `turns` around the grey axis (YIQ rotation keeps luminance).
vec3 hue_rotate(vec3 c, float turns) {
    const mat3 to_yiq = mat3(0.299, 0.596, 0.211, 0.587, -0.274, -0.523, 0.114, -0.322, 0.312);
    const mat3 to_rgb = mat3(1.0, 1.0, 1.0, 0.956, -0.272, -1.106, 0.621, -0.647, 1.703);
    vec3 yiq = to_yiq * c;
    float a = turns * TAU;
    float cs = cos(a), sn = sin(a);
    yiq.yz = mat2(cs, sn, -sn, cs) * yiq.yz;
    return to_rgb * yiq;
}

// Thin-film iridescence: gold, magenta, cyan sliding with t (turns).
vec3 iridescent(float t) {
    // A smooth loop through the three colours of a soap film: gold -> magenta -> cyan.
    const vec3 gold = vec3(1.0, 0.62, 0.12);
    const vec3 magenta = vec3(1.0, 0.14, 0.75);
    const vec3 cyan = vec3(0.1, 0.78, 1.0);
    float x = fract(t) * 3.0;
    vec3 a = x < 1.0 ? gold : (x < 2.0 ? magenta : cyan);
    vec3 b = x < 1.0 ? magenta : (x < 2.0 ? cyan : gold);
    float f = fract(x);
    return mix(a, b, f * f * (3.0 - 2.0 * f));
}

vec3 tonemap_aces(vec3 x) {
    const float a = 2.51, b = 0.03, c = 2.43, d = 0.59, e = 0.14;
    return clamp((x * (a * x + b)) / (x * (c * x + d) + e), 0.0, 1.0);
}
