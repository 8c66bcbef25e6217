"""The luminous plain: a full-screen pass below the horizon that reflects the sky (sampling the
sky's half-resolution cloud texture) and glows with the memory of what has been shared."""

from __future__ import annotations

from typing import ClassVar

import moderngl

from nebula.render.passes.base import FrameInputs, Pass
from nebula.render.shaders import ProgramSpec


class PlainPass(Pass):
    NAME = "plain"
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "plain": ProgramSpec("sky_ray.vert", "plain.frag")
    }

    def draw(self, f: FrameInputs) -> None:
        f.clouds.use(0)
        self.uniforms("plain", {**f.u, "u_clouds": 0})
        self.fullscreen("plain").render(moderngl.TRIANGLES, vertices=3)
