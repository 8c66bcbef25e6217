"""The circle of figures: instanced billboards whose fragment shader draws each silhouette,
its haze, its posture and its light (the named woman's nebula eyes, the moonlight man's bands)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.render.gpu import attribute_format
from nebula.render.passes.base import Pass
from nebula.render.shaders import HotProgram
from nebula.sim.figures import FIGURE_DTYPE, KIND_DREAMER


class FiguresPass(Pass):
    PROGRAMS: ClassVar[dict[str, tuple[str, str]]] = {"figure": ("figure.vert", "figure.frag")}

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], capacity: int
    ) -> None:
        super().__init__(ctx, programs)
        self.capacity = capacity
        self.instances = ctx.buffer(reserve=capacity * FIGURE_DTYPE.itemsize, dynamic=True)
        self.quad = ctx.buffer(np.array([-1, 0, 1, 0, -1, 1, 1, 1], dtype=np.float32))
        self._order = np.zeros(capacity, dtype=FIGURE_DTYPE)

    def _make_vao(self, p: moderngl.Program) -> moderngl.VertexArray:
        fmt, names = attribute_format(FIGURE_DTYPE, p, "i")
        return self.ctx.vertex_array(
            p, [(self.quad, "2f", "in_corner"), (self.instances, fmt, *names)]
        )

    def draw(self, u: Mapping[str, object], figures: NDArray[np.void]) -> None:
        # The dreamer is the viewer: not drawn. Far figures first, for the soft translucent edges.
        drawn = figures[figures["in_kind"] != KIND_DREAMER]
        n = min(len(drawn), self.capacity)
        order = np.argsort(drawn["in_pos"][:n, 2], kind="stable")
        self._order[:n] = drawn[order]
        self.instances.write(self._order[:n])
        ctx = self.ctx
        ctx.enable(moderngl.DEPTH_TEST | moderngl.BLEND)
        ctx.blend_func = moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA
        self.uniforms("figure", u)
        self.vao("figure", self._make_vao).render(moderngl.TRIANGLE_STRIP, vertices=4, instances=n)

    def release(self) -> None:
        super().release()
        self.instances.release()
        self.quad.release()
