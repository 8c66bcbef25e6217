// World-space view ray through a pixel (uv in [0,1]^2), from the inverse view-projection.
vec3 view_ray(vec2 uv) {
    vec2 ndc = uv * 2.0 - 1.0;
    vec4 a = u_inv_view_proj * vec4(ndc, -1.0, 1.0);
    vec4 b = u_inv_view_proj * vec4(ndc, 1.0, 1.0);
    return normalize(b.xyz / b.w - a.xyz / a.w);
}
