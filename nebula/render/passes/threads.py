"""Threads of iridescent light: each thread a ribbon strip along its quadratic Bezier, instanced,
added onto the scene so crossings glow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.render.gpu import attribute_format
from nebula.render.passes.base import Pass
from nebula.render.shaders import HotProgram
from nebula.sim.threads import THREAD_DTYPE

SEGMENTS = 64


class ThreadsPass(Pass):
    PROGRAMS: ClassVar[dict[str, tuple[str, str]]] = {"thread": ("thread.vert", "thread.frag")}

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], capacity: int
    ) -> None:
        super().__init__(ctx, programs)
        self.capacity = max(1, capacity)
        self.instances = ctx.buffer(reserve=self.capacity * THREAD_DTYPE.itemsize, dynamic=True)
        s = np.linspace(0.0, 1.0, SEGMENTS + 1, dtype=np.float32)
        strip = np.empty((len(s) * 2, 2), dtype=np.float32)
        strip[0::2, 0] = s
        strip[1::2, 0] = s
        strip[0::2, 1] = -1.0
        strip[1::2, 1] = 1.0
        self.strip = ctx.buffer(strip)
        self.vertices = len(strip)

    def _make_vao(self, p: moderngl.Program) -> moderngl.VertexArray:
        fmt, names = attribute_format(THREAD_DTYPE, p, "i")
        return self.ctx.vertex_array(
            p, [(self.strip, "2f", "in_strip"), (self.instances, fmt, *names)]
        )

    def draw(self, u: Mapping[str, object], threads: NDArray[np.void]) -> None:
        n = min(len(threads), self.capacity)
        if n == 0:
            return
        self.instances.write(threads[:n])
        self.additive_overlay()
        self.uniforms("thread", u)
        self.vao("thread", self._make_vao).render(
            moderngl.TRIANGLE_STRIP, vertices=self.vertices, instances=n
        )
        self.end_overlay()

    def release(self) -> None:
        super().release()
        self.instances.release()
        self.strip.release()
