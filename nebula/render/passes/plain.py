"""The luminous plain, and the frame's background: the plain drawn below the horizon at half
resolution, reflecting the sky (sampling the sky's half-resolution cloud texture) and glowing
with the memory of what has been shared, over the sky's background texture (the clouds drew
themselves into it too), then the whole brought up to the frame's size in one pass; the sky's
pass adds its stars over it."""

from __future__ import annotations

from typing import ClassVar

import moderngl

from nebula.render.passes.base import FrameInputs, Pass
from nebula.render.passes.sky import HORIZON, HORIZON_DEFINES, band
from nebula.render.shaders import ProgramSpec


class PlainPass(Pass):
    NAME = "plain"
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "plain": ProgramSpec("sky_ray.vert", "plain.frag", HORIZON_DEFINES),
        "background": ProgramSpec("fullscreen.vert", "background.frag"),
    }

    def draw_ground(self, f: FrameInputs) -> None:
        """The plain (soft, its far detail under the fog: half resolution is enough) over the
        sky's half-resolution background wherever it looks below the horizon (the clouds drew
        themselves into it). The renderer calls it before any pass draws, and the flowers'
        ground light after it; leaves the background's framebuffer bound."""
        ground = band(f.u, -1.0, HORIZON)
        f.background_fbo.use()
        if ground is not None:
            f.clouds.use(0)
            self.uniforms("plain", {**f.u, "u_clouds": 0, "u_band": ground})
            self.fullscreen("plain").render(moderngl.TRIANGLE_STRIP, vertices=4)

    def draw(self, f: FrameInputs) -> None:
        """The whole frame from the half-resolution background in one pass: one texture read a
        pixel, where the sky and the plain each brought up their own rows before."""
        f.background.use(0)
        self.uniforms("background", {"u_background": 0})
        self.fullscreen("background").render(moderngl.TRIANGLES, vertices=3)
