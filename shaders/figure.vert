#version 330 core
#include "lib/uniforms.glsl"
#include "lib/safe.glsl"

in vec2 in_corner;     // x in [-1, 1], y in [0, 1]
in vec3 in_pos;
in vec3 in_lean;
in vec3 in_look;
in float in_height;
in float in_open;
in float in_shimmer;
in float in_speak;
in float in_kind;
in float in_seed;

out vec2 v_local;      // metres: x across the body, y up from the feet
flat out float v_height;
flat out float v_open;
flat out float v_shimmer;
flat out float v_speak;
flat out float v_kind;
flat out float v_seed;
flat out float v_lean;  // lean across the billboard, metres at the head
flat out float v_lean_fwd;
flat out float v_yaw;     // head turned: -1 to the viewer's left .. 1 to the right
flat out float v_facing;  // 1 face towards the viewer .. -1 the back of the head

const float HALF_WIDTH = 0.62;
const float GUARDED_STEP = 0.18;  // metres

void main() {
    vec3 to_cam = u_cam_pos - in_pos;  // (facing from the feet's place in the circle)
    // A figure straight below or above the eye has no horizontal direction to face: any will do.
    vec3 fwd = safe_normalize(vec3(to_cam.x, 0.0, to_cam.z), vec3(0.0, 0.0, 1.0));
    vec3 right = vec3(-fwd.z, 0.0, fwd.x);
    float h = max(in_height, 0.05) * 1.12;
    // Guarded, each stands a little apart, a step back from the circle; opening, it steps in.
    vec3 out_dir = safe_normalize(vec3(in_pos.x - u_circle_center.x, 0.0, in_pos.z - u_circle_center.z), vec3(0.0));
    vec3 feet = in_pos + out_dir * GUARDED_STEP * (1.0 - in_open);
    vec3 world = feet + right * in_corner.x * HALF_WIDTH + vec3(0.0, in_corner.y * h, 0.0);
    v_local = vec2(in_corner.x * HALF_WIDTH, in_corner.y * h);
    v_height = max(in_height, 0.05);
    v_open = in_open;
    v_shimmer = in_shimmer;
    v_speak = in_speak;
    v_kind = in_kind;
    v_seed = in_seed;
    v_lean = dot(in_lean, right);
    v_lean_fwd = dot(in_lean, fwd);
    vec3 look = safe_normalize(in_look, fwd);
    v_yaw = dot(look, right);
    v_facing = dot(look, fwd);
    gl_Position = u_view_proj * vec4(world, 1.0);
}
