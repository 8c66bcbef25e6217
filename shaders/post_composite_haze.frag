#version 330 core
// Post while figures are guarded: with the heat haze.
#define HAZE
#include "lib/post_composite.glsl"
