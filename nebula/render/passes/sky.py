"""The nebula sky: domain-warped, swirling amethyst and rose-gold clouds drawn once at half
resolution (the costly part), then the full-resolution sky: gradient, clouds and stars.

The cloud texture is also what the plain samples for its reflection and distance fog, so the
nebula's fbm runs once per half-resolution pixel instead of three times per full one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl

from nebula.render.passes.base import FrameInputs, SizedPass
from nebula.render.shaders import ProgramSpec

#: The clouds are soft: half resolution each way is a quarter of the fragments, unseen.
CLOUD_DIVISOR = 2


class SkyPass(SizedPass):
    NAME = "sky"
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "sky_clouds": ProgramSpec("sky_ray.vert", "sky_clouds.frag"),
        "sky": ProgramSpec("sky_ray.vert", "sky.frag"),
    }

    def resize(self, size: tuple[int, int]) -> None:
        self.release_sized()
        self.clouds, self.clouds_fbo = self.float_target(size, CLOUD_DIVISOR)

    def draw_clouds(self, u: Mapping[str, object]) -> None:
        """Render the cloud texture (leaves its framebuffer bound; the caller rebinds)."""
        self.clouds_fbo.use()
        self.clouds_fbo.clear(0.0, 0.0, 0.0, 0.0)
        self.uniforms("sky_clouds", u)
        self.fullscreen("sky_clouds").render(moderngl.TRIANGLES, vertices=3)

    def draw(self, f: FrameInputs) -> None:
        self.clouds.use(0)
        self.uniforms("sky", {**f.u, "u_clouds": 0})
        self.fullscreen("sky").render(moderngl.TRIANGLES, vertices=3)
