"""The luminous plain: drawn below the horizon at half resolution, reflecting the sky (sampling
the sky's half-resolution cloud texture) and glowing with the memory of what has been shared,
then brought up to the frame's size in the same band of rows."""

from __future__ import annotations

from typing import ClassVar

import moderngl

from nebula.render.passes.base import FrameInputs, SizedPass
from nebula.render.passes.sky import HORIZON, HORIZON_DEFINES, band
from nebula.render.shaders import ProgramSpec, float_defines

#: The plain is soft and its far detail lies under the fog: half resolution each way.
PLAIN_DIVISOR = 2
#: The half-resolution plain runs this far above the horizon, so upsampling there is clean.
PLAIN_HIGH = 0.03
_DEFINES = {**HORIZON_DEFINES, **float_defines(PLAIN_HIGH=PLAIN_HIGH)}


class PlainPass(SizedPass):
    NAME = "plain"
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "plain": ProgramSpec("sky_ray.vert", "plain.frag", _DEFINES),
        "plain_up": ProgramSpec("sky_ray.vert", "plain_up.frag", _DEFINES),
    }

    def resize(self, size: tuple[int, int]) -> None:
        self.release_sized()
        self.plain, self.plain_fbo = self.float_target(size, PLAIN_DIVISOR)

    def draw(self, f: FrameInputs) -> None:
        rows = band(f.u, -1.0, HORIZON)
        if rows is None:
            return
        scene_fbo = self.ctx.fbo  # the renderer's scene target, bound by the caller
        self.plain_fbo.use()
        self.plain_fbo.clear(0.0, 0.0, 0.0, 0.0)
        f.clouds.use(0)
        wide = band(f.u, -1.0, PLAIN_HIGH)
        assert wide is not None  # it contains rows
        self.uniforms("plain", {**f.u, "u_clouds": 0, "u_band": wide})
        self.fullscreen("plain").render(moderngl.TRIANGLE_STRIP, vertices=4)
        scene_fbo.use()
        self.plain.use(0)
        self.uniforms("plain_up", {**f.u, "u_plain": 0, "u_band": rows})
        self.fullscreen("plain_up").render(moderngl.TRIANGLE_STRIP, vertices=4)
