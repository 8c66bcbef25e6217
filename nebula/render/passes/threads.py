"""Threads of iridescent light: each thread a ribbon strip along its quadratic Bezier, instanced,
added onto the scene so crossings glow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl
import numpy as np

from nebula.render.passes.base import FrameInputs, InstancedPass
from nebula.render.shaders import HotProgram, ProgramSpec
from nebula.sim.threads import THREAD_DTYPE

SEGMENTS = 64


class ThreadsPass(InstancedPass):
    NAME = "threads"
    DTYPE = THREAD_DTYPE
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "thread": ProgramSpec("thread.vert", "thread.frag")
    }

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], capacity: int
    ) -> None:
        super().__init__(ctx, programs, capacity)
        s = np.linspace(0.0, 1.0, SEGMENTS + 1, dtype=np.float32)
        strip = np.empty((len(s) * 2, 2), dtype=np.float32)
        strip[0::2, 0] = s
        strip[1::2, 0] = s
        strip[0::2, 1] = -1.0
        strip[1::2, 1] = 1.0
        self.strip = self.static_buffer(strip)
        self.vertices = len(strip)

    def draw(self, f: FrameInputs) -> None:
        n = self.upload(f.state.threads)
        if n == 0:
            return
        self.additive_overlay()
        self.uniforms("thread", f.u)
        vao = self.instanced_vao("thread", (self.strip, "2f", "in_strip"))
        vao.render(moderngl.TRIANGLE_STRIP, vertices=self.vertices, instances=n)
        self.end_overlay()
