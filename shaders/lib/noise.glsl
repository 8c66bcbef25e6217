// Hashes and value/gradient noise, fbm. Deterministic, no textures.
float hash12(vec2 p) {
    vec3 p3 = fract(vec3(p.xyx) * 0.1031);
    p3 += dot(p3, p3.yzx + 33.33);
    return fract((p3.x + p3.y) * p3.z);
}

vec2 hash22(vec2 p) {
    vec3 p3 = fract(vec3(p.xyx) * vec3(0.1031, 0.1030, 0.0973));
    p3 += dot(p3, p3.yzx + 33.33);
    return fract((p3.xx + p3.yz) * p3.zy);
}

float noise2(vec2 p) {
    vec2 i = floor(p);
    vec2 f = fract(p);
    vec2 u = f * f * f * (f * (f * 6.0 - 15.0) + 10.0);
    float a = hash12(i);
    float b = hash12(i + vec2(1.0, 0.0));
    float c = hash12(i + vec2(0.0, 1.0));
    float d = hash12(i + vec2(1.0, 1.0));
    return mix(mix(a, b, u.x), mix(c, d, u.x), u.y);
}

float fbm(vec2 p, int octaves) {
    float v = 0.0;
    float a = 0.5;
    mat2 rot = mat2(0.8, 0.6, -0.6, 0.8);
    for (int i = 0; i < 8; ++i) {
        if (i >= octaves) break;
        v += a * noise2(p);
        p = rot * p * 2.03 + vec2(17.1, 9.2);
        a *= 0.5;
    }
    return v;
}

// Value noise that loops with a wrapped phase (turns): the lookup travels round a circle of
// radius 1 in noise space (the speed of a straight TAU-per-turn drift), so it is continuous
// when the phase wraps from 1 to 0. A straight drift (p + TAU * phase) jumps there.
float noise2_loop(vec2 p, float phase) {
    float a = TAU * phase;
    return noise2(p + vec2(cos(a), sin(a)));
}
