"""The circle of figures: instanced billboards whose fragment shader draws each person,
its haze, its posture and its light (the named woman's nebula eyes, the moonlight man's bands)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl
import numpy as np

from nebula.render.passes.base import FrameInputs, InstancedPass
from nebula.render.shaders import HotProgram, ProgramSpec, float_defines
from nebula.sim.figures import FIGURE_DTYPE, KIND_DREAMER, KIND_MAN, KIND_OTHER, KIND_WOMAN


class FiguresPass(InstancedPass):
    NAME = "figures"
    DTYPE = FIGURE_DTYPE
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "figure": ProgramSpec(
            "figure.vert",
            "figure.frag",
            float_defines(KIND_OTHER=KIND_OTHER, KIND_WOMAN=KIND_WOMAN, KIND_MAN=KIND_MAN),
        )
    }

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], capacity: int
    ) -> None:
        super().__init__(ctx, programs, capacity)
        # Corners x in [-1, 1], y in [0, 1]: a billboard standing on the figure's feet.
        self.quad = self.static_buffer(np.array([-1, 0, 1, 0, -1, 1, 1, 1], dtype=np.float32))
        self._order = np.zeros(self.capacity, dtype=FIGURE_DTYPE)

    def draw(self, f: FrameInputs) -> None:
        # The dreamer is the viewer: not drawn. Far figures first, for the soft translucent edges.
        figures = f.state.figures
        drawn = figures[figures["in_kind"] != KIND_DREAMER]
        n = min(len(drawn), self.capacity)
        # Farthest from the eye first (not by z alone: the near sides of the circle stand out
        # to the left and right).
        eye = f.state.camera.astype(np.float32)
        away = np.sum((drawn["in_pos"][:n] - eye) ** 2, axis=1)
        order = np.argsort(-away, kind="stable")
        self._order[:n] = drawn[order]
        self.upload(self._order[:n])
        ctx = self.ctx
        ctx.enable(moderngl.DEPTH_TEST | moderngl.BLEND)
        ctx.blend_func = moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA
        self.uniforms("figure", f.u)
        vao = self.instanced_vao("figure", (self.quad, "2f", "in_corner"))
        vao.render(moderngl.TRIANGLE_STRIP, vertices=4, instances=n)
