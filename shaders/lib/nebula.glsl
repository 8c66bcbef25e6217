// The nebula sky as a function of view direction. The clouds are costly (domain-warped fbm), so
// they are drawn once at half resolution (sky_clouds.frag) and everything else samples that:
// the sky itself (adding stars at full resolution), the plain's reflection and its distance fog.
// Needs uniforms.glsl, noise.glsl, color.glsl, palette.glsl.

mat2 rot2(float a) { float c = cos(a), s = sin(a); return mat2(c, s, -s, c); }

// Sky coordinates: azimuth across, elevation up; stretched so clouds lie along the horizon.
vec2 sky_coords(vec3 dir) {
    float az = atan(dir.x, -dir.z);  // dir is never 0: callers normalise it safely
    float el = asin(clamp(dir.y, -1.0, 1.0));
    return vec2(az * 2.6, el * 4.2);
}

// Rigid rotation about a centre by whole turns of the swirl phase (continuous when it wraps),
// plus a twist that falls off with distance: the clouds wind into spiral arms around the eye.
vec2 swirl_domain(vec2 p, vec2 centre, float turns, float twist) {
    vec2 d = p - centre;
    float r = length(d);
    float a = TAU * turns + twist * exp(-r * 0.5);
    return centre + rot2(a) * d;
}

// The background sky without clouds: deep indigo zenith into the twilight glow at the horizon.
vec3 sky_base(float el) {
    vec3 base = mix(ZENITH(), ZENITH_DEEP(), smoothstep(0.04, 0.45, el));
    float horizon = exp(-max(el, 0.0) * 11.0);
    vec3 glow = mix(TWILIGHT_PINK(), TWILIGHT(), exp(-max(el, 0.0) * 30.0));
    float amount = 0.5 - 0.38 * u_tension + 0.3 * u_warmth;
    return base * (1.0 - 0.45 * u_tension) + glow * horizon * amount;
}

// Clouds: rgb = emitted colour (linear), a = cloud density (stars hide behind it).
vec4 nebula_clouds(vec3 dir) {
    vec2 p = sky_coords(dir);
    float tension = u_tension;
    float swirl_amt = u_swirl_intensity * (0.45 + 0.75 * u_swirl);
    // Tension tightens the sky: finer, denser, knotted structure.
    p *= 1.0 + 0.45 * tension;

    vec2 loop_a = u_drift.xy * 0.9;
    vec2 loop_b = u_drift.zw * 0.7;
    // Two eyes the nebula turns around, against each other: the arms shear into spirals.
    vec2 q = swirl_domain(p, vec2(-0.6, 1.45), u_swirl_phase, 2.6 * swirl_amt);
    // The second eye turns 1.5 times as fast, from its own phase wrapped on the CPU: -1.5 times
    // u_swirl_phase is not a whole number of turns, and jumped when that phase wrapped.
    q = swirl_domain(q, vec2(1.7, 0.95), -u_swirl_phase_b, -1.4 * swirl_amt);

    // Domain warp: one fold, gentle, so the clouds read as gas rather than marbled paper.
    vec2 w = vec2(fbm(q * 0.7 + loop_a, 3), fbm(q * 0.7 + vec2(5.2, 1.3) - loop_b, 3));
    vec2 qw = q + (w - 0.5) * 2.6 * swirl_amt;
    float f = fbm(qw + vec2(1.7, 9.2), 5);
    // Dark dust lanes: thin ridges of a second field, following the same warp.
    float r = fbm(qw * 1.6 + vec2(8.3, 2.8) + loop_b * 0.3, 4);
    float lanes = pow(max(1.0 - abs(2.0 * r - 1.0), 0.0), 5.0);

    float el = clamp(dir.y, -0.05, 1.0);
    float density = smoothstep(0.3, 0.8, f);
    density *= 1.0 - 0.9 * lanes * smoothstep(0.2, 0.55, f);
    // Gas, not marble: a fine grain of filaments breaks up the smooth folds of the warp.
    density *= 0.75 + 0.5 * noise2(qw * vec2(9.0, 14.0) + w * 3.0);
    // Thinner near the horizon, where the twilight glow takes over.
    density *= 0.55 + 0.45 * smoothstep(0.0, 0.25, el);

    // Amethyst and rose-gold layers side by side, split by the warp field with a narrow seam:
    // two families of colour, not one blended into magenta. Over the indigo zenith a rose of
    // the palette's own hue reads pink-violet, so its shadows lean to the twilight's warmth.
    float split = smoothstep(0.47, 0.6, w.x + 0.15 * sin(TAU * u_swirl_phase + q.y * 0.8));
    float hot = smoothstep(0.55, 0.95, f);
    vec3 amethyst = mix(AMETHYST_DARK(), mix(AMETHYST(), AMETHYST_LIGHT(), hot), hot);
    vec3 rose = mix(mix(ROSE_GOLD(), TWILIGHT(), 0.25), mix(ROSE_LIGHT(), ROSE_PALE(), hot), hot);
    vec3 cloud = mix(amethyst, rose, split * (0.8 + 0.2 * u_warmth));
    // Tension drains the colour towards a cold, bruised violet.
    cloud = mix(cloud, AMETHYST_DARK() * 0.5, 0.55 * tension);

    float brightness = (0.5 + 0.2 * u_warmth + 0.1 * u_luminance) * (1.0 + 1.6 * hot * hot);
    brightness *= 1.0 - 0.6 * tension;
    // The voice: a slow hum-like pulse rippling outward through the nebula.
    float ring = length(p - vec2(0.0, 1.1));
    float hum = u_voice * (0.5 + 0.5 * sin(ring * 2.6 - TAU * u_wave.y * 2.0));
    brightness *= 1.0 + 0.9 * hum * smoothstep(4.0, 0.5, ring);
    return vec4(cloud * density * brightness, density);
}

// Screen position (0..1) of a world direction seen from the camera: where the cloud texture
// holds it. Used by the plain to look up its reflection and its fog.
vec2 sky_uv(vec3 dir) {
    vec4 c = u_view_proj * vec4(u_cam_pos + dir, 1.0);
    return c.xy / max(c.w, 1e-3) * 0.5 + 0.5;
}
