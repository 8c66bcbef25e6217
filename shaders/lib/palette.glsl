// The palette of the art direction (docs/art.md), as linear RGB (hex values converted with gamma 2.2).
#define HEX(h) srgb_to_linear(vec3(float((h >> 16) & 0xFF), float((h >> 8) & 0xFF), float(h & 0xFF)) / 255.0)

vec3 ZENITH_DEEP()   { return HEX(0x120A2A); }
vec3 ZENITH()        { return HEX(0x1B1035); }
vec3 AMETHYST_DARK() { return HEX(0x6B3FA0); }
vec3 AMETHYST()      { return HEX(0x9966CC); }
vec3 AMETHYST_LIGHT(){ return HEX(0xB48AE0); }
vec3 ROSE_GOLD()     { return HEX(0xB76E79); }
vec3 ROSE_LIGHT()    { return HEX(0xE0BFB8); }
vec3 ROSE_PALE()     { return HEX(0xF4C2B8); }
vec3 TWILIGHT()      { return HEX(0xF2A98A); }
vec3 TWILIGHT_PINK() { return HEX(0xE8B4C8); }
vec3 PLAIN_DUSK()    { return HEX(0x2A2140); }
vec3 PLAIN_LIT()     { return HEX(0xC9B6E8); }
vec3 CRYSTAL_ICE()   { return HEX(0xBDF4FF); }
vec3 CRYSTAL_LILAC() { return HEX(0xD8C2FF); }
vec3 FIGURE_GUARDED(){ return HEX(0x3A3150); }
vec3 FIGURE_RIM()    { return HEX(0xFFD9C2); }
vec3 MOONLIGHT()     { return HEX(0xCFE0FF); }
vec3 PAPER()         { return HEX(0xF3E9DC); }
