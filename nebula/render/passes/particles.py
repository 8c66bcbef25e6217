"""Particles: additive sprites for motes, word-birds and light flowing along threads. The pool is
uploaded as it is; the vertex shader derives age from birth time and hides retired slots."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl

from nebula.render.passes.base import CORNERS, FrameInputs, InstancedPass
from nebula.render.shaders import HotProgram, ProgramSpec, float_defines
from nebula.sim.particles import KIND_BIRD, KIND_FLOW, KIND_MOTE, PARTICLE_DTYPE


class ParticlesPass(InstancedPass):
    NAME = "particles"
    DTYPE = PARTICLE_DTYPE
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "particle": ProgramSpec(
            "particle.vert",
            "particle.frag",
            float_defines(KIND_MOTE=KIND_MOTE, KIND_BIRD=KIND_BIRD, KIND_FLOW=KIND_FLOW),
        )
    }

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], capacity: int
    ) -> None:
        super().__init__(ctx, programs, capacity)
        self.quad = self.static_buffer(CORNERS)

    def draw(self, f: FrameInputs) -> None:
        # particle_density draws a prefix of the pool: the ring spreads every kind through it.
        particles = f.state.particles
        density = max(0.0, min(1.0, f.params.get("particle_density", 1.0)))
        n = self.upload(particles, round(len(particles) * density))
        if n == 0:
            return
        self.additive_overlay()
        self.uniforms("particle", f.u)
        vao = self.instanced_vao("particle", (self.quad, "2f", "in_corner"))
        vao.render(moderngl.TRIANGLE_STRIP, vertices=4, instances=n)
        self.end_overlay()
