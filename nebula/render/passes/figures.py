"""The circle of figures: instanced billboards whose fragment shader draws each person,
its haze, its posture and its light (the named woman's nebula eyes, the moonlight man's bands)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.render.passes.base import FrameInputs, InstancedPass
from nebula.render.shaders import HotProgram, ProgramSpec, float_defines
from nebula.sim.figures import FIGURE_DTYPE, KIND_DREAMER, KIND_MAN, KIND_OTHER, KIND_WOMAN

_KINDS = float_defines(KIND_OTHER=KIND_OTHER, KIND_WOMAN=KIND_WOMAN, KIND_MAN=KIND_MAN)
_NAMES = {KIND_OTHER: "other", KIND_WOMAN: "woman", KIND_MAN: "man"}


class FiguresPass(InstancedPass):
    NAME = "figures"
    DTYPE = FIGURE_DTYPE
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        # One program per kind: a software rasterizer runs every kind's code behind a false
        # `if`, so each run of one kind is drawn by a program with only its own (2 of 9 ms).
        f"figure_{kind}": ProgramSpec(
            "figure.vert", "figure.frag", {**_KINDS, "FIGURE_KIND": f"KIND_{kind.upper()}"}
        )
        for kind in ("other", "woman", "man")
    }

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], capacity: int
    ) -> None:
        super().__init__(ctx, programs, capacity)
        # Corners x in [-1, 1], y in [0, 1]: a billboard standing on the figure's feet.
        self.quad = self.static_buffer(np.array([-1, 0, 1, 0, -1, 1, 1, 1], dtype=np.float32))
        self._order = np.zeros(self.capacity, dtype=FIGURE_DTYPE)
        # A buffer per run of one kind (GL 3.3 draws have no first instance), made as needed.
        self._runs: list[moderngl.Buffer] = [self.instances]

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
        ctx = self.ctx
        ctx.enable(moderngl.DEPTH_TEST | moderngl.BLEND)
        ctx.blend_func = moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA
        for i, (kind, run) in enumerate(kind_runs(self._order[:n])):
            if i == len(self._runs):
                self._runs.append(self.instance_buffer())
            count = self.upload(run, into=self._runs[i])
            name = f"figure_{kind}"
            self.uniforms(name, f.u)
            vao = self.instanced_vao(
                name, (self.quad, "2f", "in_corner"), instances=self._runs[i], key=f"{name}#{i}"
            )
            vao.render(moderngl.TRIANGLE_STRIP, vertices=4, instances=count)


def kind_runs(figures: NDArray[np.void]) -> list[tuple[str, NDArray[np.void]]]:
    """The figures, in their drawing order, as runs of one kind each: (kind's name, records)."""
    kinds = figures["in_kind"]
    cuts = np.flatnonzero(kinds[1:] != kinds[:-1]) + 1
    return [(_NAMES[float(r["in_kind"][0])], r) for r in np.split(figures, cuts) if len(r)]
