// Frame uniforms shared by every pass (set from nebula/render/frame.py).
// Time arrives only as phases wrapped on the CPU: never a raw, ever-growing float.
uniform vec2 u_resolution;
uniform float u_aspect;
uniform mat4 u_view_proj;
uniform mat4 u_inv_view_proj;
uniform vec3 u_cam_pos;
uniform vec3 u_circle_center;  // centre of the circle of figures, on the plain
uniform float u_cycle_t;      // seconds into the cycle (resets every cycle)
uniform float u_cycle_frac;   // 0..1 through the cycle
uniform float u_swirl_phase;  // nebula turns, fract()
uniform float u_swirl_phase_b;  // fract(1.5 x the nebula's turns): its second, faster eye
uniform vec4 u_drift;         // (cos a, sin a, cos b, sin b) of two slow loops
uniform vec4 u_wave;          // fract(t * f) for f = 0.05, 0.21, 0.73, 2.3 Hz
uniform float u_noise_seed;   // per-frame grain seed in [0, 1)
uniform mat3 u_hue_matrix;    // hue_rotate(c, u_hue_shift) as a matrix (frame.py hue_matrix)

// Moods of the arc (0..1).
uniform float u_haze;
uniform float u_tension;
uniform float u_openness;
uniform float u_warmth;
uniform float u_luminance;
uniform float u_swirl;
uniform float u_fade;
uniform float u_voice;

// Live parameters that shaders read (nebula/config.py PARAM_SPECS with uniform=True).
// tests/render/test_contract.py checks this header against Python both ways.
uniform float u_swirl_speed;
uniform float u_swirl_intensity;
uniform float u_hue_shift;
uniform float u_exposure;
uniform float u_bloom;
uniform float u_flower_pulse;
uniform float u_thread_glow;
uniform float u_watercolor;
uniform float u_grain;

const float TAU = 6.28318530718;
