// Guards that keep NaN and infinity out of every render target. One bad fragment in the
// half-float scene target becomes a black block once post's bloom chain spreads it, so:
// - pow() only ever sees a base >= 0 (GLSL leaves pow(x < 0, y) undefined; llvmpipe gives NaN,
//   and interpolated or rounded values such as 1.0 - abs(cos) dip a hair below zero);
// - normalize() and atan() never see a zero vector;
// - nothing divides by a clip-space w at or behind the camera;
// - every fragment that reaches a target passes through finite_out().

// Closest w to the eye (metres) that is still divided by; the near plane is 0.1.
const float SAFE_MIN_W = 1e-3;

float spow(float x, float y) { return pow(max(x, 0.0), y); }
vec3 spow(vec3 x, vec3 y) { return pow(max(x, vec3(0.0)), y); }

vec2 safe_normalize(vec2 v, vec2 fallback) {
    float l2 = dot(v, v);
    return l2 > 1e-24 ? v * inversesqrt(l2) : fallback;
}
vec3 safe_normalize(vec3 v, vec3 fallback) {
    float l2 = dot(v, v);
    return l2 > 1e-24 ? v * inversesqrt(l2) : fallback;
}

// atan(y, x) that is 0 at the origin instead of undefined.
float safe_atan(float y, float x) { return (abs(x) + abs(y) > 1e-12) ? atan(y, x) : 0.0; }

// Screen position (NDC) of a clip-space point, never dividing by w <= 0.
vec2 safe_ndc(vec4 c) { return c.xy / max(c.w, SAFE_MIN_W); }

// Largest value a fragment may write: far above anything the piece draws (bloom saturates
// near 10), far below half float's 65504, so even thousands of additive layers stay finite.
const float SAFE_MAX_OUT = 256.0;

vec4 finite_out(vec4 c) {
    if (any(isnan(c)) || any(isinf(c))) return vec4(0.0);
    return clamp(c, vec4(-SAFE_MAX_OUT), vec4(SAFE_MAX_OUT));
}
