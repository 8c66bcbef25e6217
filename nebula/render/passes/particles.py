"""Particles: additive sprites for motes, word-birds and light flowing along threads. The pool is
uploaded as it is; the vertex shader derives age from birth time and hides retired slots."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.render.gpu import attribute_format
from nebula.render.passes.base import Pass
from nebula.render.shaders import HotProgram
from nebula.sim.particles import PARTICLE_DTYPE


class ParticlesPass(Pass):
    PROGRAMS: ClassVar[dict[str, tuple[str, str]]] = {
        "particle": ("particle.vert", "particle.frag")
    }

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], capacity: int
    ) -> None:
        super().__init__(ctx, programs)
        self.capacity = max(1, capacity)
        self.instances = ctx.buffer(reserve=self.capacity * PARTICLE_DTYPE.itemsize, dynamic=True)
        self.quad = ctx.buffer(np.array([-1, -1, 1, -1, -1, 1, 1, 1], dtype=np.float32))

    def _make_vao(self, p: moderngl.Program) -> moderngl.VertexArray:
        fmt, names = attribute_format(PARTICLE_DTYPE, p, "i")
        return self.ctx.vertex_array(
            p, [(self.quad, "2f", "in_corner"), (self.instances, fmt, *names)]
        )

    def draw(self, u: Mapping[str, object], particles: NDArray[np.void], density: float) -> None:
        # particle_density draws a prefix of the pool: the ring spreads every kind through it.
        n = min(len(particles), self.capacity, round(len(particles) * max(0.0, min(1.0, density))))
        if n == 0:
            return
        self.instances.write(particles[:n])
        self.additive_overlay()
        self.uniforms("particle", u)
        self.vao("particle", self._make_vao).render(
            moderngl.TRIANGLE_STRIP, vertices=4, instances=n
        )
        self.end_overlay()

    def release(self) -> None:
        super().release()
        self.instances.release()
        self.quad.release()
