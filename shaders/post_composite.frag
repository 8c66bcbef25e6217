#version 330 core
// Post, plain variant: no guarded figures to haze, no watercolor.
#include "lib/post_composite.glsl"
