// The nebula sky as a function of view direction, shared by the sky and the plain's reflection.
// Needs uniforms.glsl, noise.glsl, color.glsl, palette.glsl.

mat2 rot2(float a) { float c = cos(a), s = sin(a); return mat2(c, s, -s, c); }

// Sky coordinates: azimuth across, elevation up; stretched so clouds lie along the horizon.
vec2 sky_coords(vec3 dir) {
    float az = atan(dir.x, -dir.z);
    float el = asin(clamp(dir.y, -1.0, 1.0));
    return vec2(az * 2.6, el * 4.2);
}

// Rigid rotation about a centre by whole turns of the swirl phase (continuous when it wraps),
// plus a static twist that winds the clouds into spiral arms.
vec2 swirl_domain(vec2 p, vec2 centre, float turns, float twist) {
    vec2 d = p - centre;
    float r = length(d);
    float a = TAU * turns + twist * exp(-r * 0.55);
    return centre + rot2(a) * d;
}

// Returns the sky colour (linear HDR). `octaves` lowers detail for blurry reflections.
vec3 nebula_sky(vec3 dir, int octaves) {
    vec2 p = sky_coords(dir);
    float tension = u_tension;
    float swirl_amt = u_swirl_intensity * (0.55 + 0.9 * u_swirl);
    // Tension tightens the sky: finer, denser structure.
    p *= 1.0 + 0.35 * tension;

    vec2 loop_a = u_drift.xy * 0.9;
    vec2 loop_b = u_drift.zw * 0.7;
    vec2 c1 = vec2(-1.3, 1.6);
    vec2 c2 = vec2(2.2, 1.2);
    vec2 q1 = swirl_domain(p, c1, u_swirl_phase, 2.6 * swirl_amt);
    vec2 q = swirl_domain(q1, c2, -2.0 * u_swirl_phase, -1.8 * swirl_amt);

    // Domain warp (fbm of fbm): the clouds fold into each other.
    vec2 w1 = vec2(fbm(q + loop_a, octaves), fbm(q + vec2(5.2, 1.3) - loop_b, octaves));
    vec2 w2 = vec2(fbm(q + 3.0 * swirl_amt * w1 + vec2(1.7, 9.2) + loop_b, octaves),
                   fbm(q + 3.0 * swirl_amt * w1 + vec2(8.3, 2.8), octaves));
    float f = fbm(q + 3.5 * swirl_amt * w2, octaves);
    float lanes = smoothstep(0.35, 0.75, fbm(q * 1.7 + 2.0 * w2 + loop_a * 0.5, max(octaves - 1, 1)));

    float el = clamp(dir.y, -0.2, 1.0);
    // Zenith to horizon.
    vec3 base = mix(ZENITH(), ZENITH_DEEP(), smoothstep(0.05, 0.5, el));
    float horizon = exp(-max(el, 0.0) * 9.0);
    vec3 glow = mix(TWILIGHT_PINK(), TWILIGHT(), exp(-max(el, 0.0) * 28.0));
    base += glow * horizon * (0.55 - 0.35 * tension + 0.25 * u_warmth);

    // Amethyst and rose-gold clouds in layers, split by a second field.
    float split = smoothstep(0.3, 0.7, w2.x + 0.25 * sin(TAU * u_swirl_phase + p.x * 0.3));
    vec3 amethyst = mix(AMETHYST_DARK(), AMETHYST_LIGHT(), f * f * 1.6);
    vec3 rose = mix(ROSE_GOLD(), ROSE_PALE(), f * f * 1.4);
    vec3 cloud = mix(amethyst, rose, split);
    float density = smoothstep(0.28, 0.85, f) * (1.0 - 0.65 * lanes);
    density *= 0.55 + 0.45 * smoothstep(-0.05, 0.25, el);
    float brightness = 0.55 + 0.5 * u_warmth + 0.4 * u_luminance - 0.45 * tension;

    // The voice: a slow hum-like pulse that ripples outward through the nebula.
    float ring = length(p - vec2(0.0, 0.9));
    float hum = u_voice * (0.5 + 0.5 * sin(ring * 3.0 - TAU * u_wave.y * 2.0));
    brightness *= 1.0 + 0.6 * hum;

    vec3 col = base + cloud * density * brightness * 0.9;
    // A rose-gold halo along the brighter cloud edges.
    col += ROSE_LIGHT() * pow(density, 3.0) * 0.25 * brightness;

    // Stars: sparse, twinkling, dimmer behind clouds.
    if (octaves >= 4) {
        vec2 sp = vec2(atan(dir.x, -dir.z), dir.y) * vec2(220.0, 220.0);
        vec2 cell = floor(sp);
        vec2 h = hash22(cell);
        float star = step(0.985, h.x);
        vec2 fp = fract(sp) - 0.25 - 0.5 * hash22(cell + 7.0);
        float tw = 0.55 + 0.45 * sin(TAU * (u_wave.z + h.y * 7.0));
        float s = star * exp(-dot(fp, fp) * 140.0) * tw * (1.0 - 0.7 * density);
        col += vec3(0.9, 0.85, 1.0) * s * 2.2 * smoothstep(0.0, 0.08, el);
    }
    // The knot: the sky darkens and a faint static crawls through the air.
    float stat = hash12(floor(p * 180.0) + floor(u_noise_seed * 97.0)) - 0.5;
    col *= 1.0 - 0.35 * tension;
    col += vec3(0.7, 0.6, 0.9) * stat * 0.03 * tension * tension;
    return max(col, 0.0);
}
