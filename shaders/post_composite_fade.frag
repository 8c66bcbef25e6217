#version 330 core
// Post during the fade (and the arrival out of it): heat haze and the watercolor wash.
#define HAZE
#define WATERCOLOR
#include "lib/post_composite.glsl"
