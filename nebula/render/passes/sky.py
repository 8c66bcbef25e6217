"""The nebula sky: a full-screen pass of domain-warped, swirling amethyst and rose-gold clouds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl

from nebula.render.passes.base import Pass


class SkyPass(Pass):
    PROGRAMS: ClassVar[dict[str, tuple[str, str]]] = {"sky": ("fullscreen.vert", "sky.frag")}

    def draw(self, u: Mapping[str, object]) -> None:
        self.uniforms("sky", u)
        self.vao("sky", lambda p: self.ctx.vertex_array(p, [])).render(
            moderngl.TRIANGLES, vertices=3
        )
