#version 330 core
uniform sampler2D u_source;
uniform vec2 u_direction;  // one texel along the blur axis
in vec2 v_uv;
out vec4 out_color;

void main() {
    // 9-tap Gaussian as 5 bilinear fetches.
    vec3 c = texture(u_source, v_uv).rgb * 0.2270270270;
    c += texture(u_source, v_uv + u_direction * 1.3846153846).rgb * 0.3162162162;
    c += texture(u_source, v_uv - u_direction * 1.3846153846).rgb * 0.3162162162;
    c += texture(u_source, v_uv + u_direction * 3.2307692308).rgb * 0.0702702703;
    c += texture(u_source, v_uv - u_direction * 3.2307692308).rgb * 0.0702702703;
    out_color = vec4(c, 1.0);
}
