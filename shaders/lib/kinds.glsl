// Kinds of particles and figures arrive as floats in their records; the KIND_* values are
// #defines that Python gives (nebula/sim/particles.py, nebula/sim/figures.py), never written here.
bool is_kind(float k, float kind) { return abs(k - kind) < 0.5; }
