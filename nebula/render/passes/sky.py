"""The nebula sky: domain-warped, swirling amethyst and rose-gold clouds drawn once at half
resolution (the costly part), then the full-resolution sky: gradient, clouds and stars.

The cloud texture is also what the plain samples for its reflection and distance fog, so the
nebula's fbm runs once per half-resolution pixel instead of three times per full one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl

from nebula import scene
from nebula.render.passes.base import FrameInputs, SizedPass
from nebula.render.shaders import ProgramSpec, float_defines

#: The clouds are soft: half resolution each way is a quarter of the fragments, unseen.
CLOUD_DIVISOR = 2
#: The elevation (normalised view ray's y) where the sky gives way to the plain, a hair below
#: the true horizon so the two meet without a gap.
HORIZON = -0.002
#: Below this nothing reads the clouds; the margin under the horizon keeps bilinear taps clean.
CLOUDS_LOW = -0.03
#: What the sky's and the plain's shaders get from Python (they draw the bands these bound).
HORIZON_DEFINES = float_defines(HORIZON=HORIZON, CLOUDS_LOW=CLOUDS_LOW)


def band(u: Mapping[str, object], lo: float, hi: float) -> tuple[float, float] | None:
    """The NDC rows a pass for elevations [lo, hi] must draw at this frame's aspect."""
    aspect = u["u_aspect"]
    assert isinstance(aspect, float)
    return scene.elevation_band(aspect, lo, hi)


class SkyPass(SizedPass):
    NAME = "sky"
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "sky_clouds": ProgramSpec("sky_ray.vert", "sky_clouds.frag", HORIZON_DEFINES),
        "sky": ProgramSpec("sky_ray.vert", "sky.frag", HORIZON_DEFINES),
    }

    def resize(self, size: tuple[int, int]) -> None:
        self.release_sized()
        self.clouds, self.clouds_fbo = self.float_target(size, CLOUD_DIVISOR)

    def draw_clouds(self, u: Mapping[str, object]) -> None:
        """Render the cloud texture (leaves its framebuffer bound; the caller rebinds)."""
        self.clouds_fbo.use()
        self.clouds_fbo.clear(0.0, 0.0, 0.0, 0.0)
        rows = band(u, CLOUDS_LOW, 1.0)
        if rows is not None:
            self.uniforms("sky_clouds", {**u, "u_band": rows})
            self.fullscreen("sky_clouds").render(moderngl.TRIANGLE_STRIP, vertices=4)

    def draw(self, f: FrameInputs) -> None:
        rows = band(f.u, HORIZON, 1.0)
        if rows is None:
            return
        self.clouds.use(0)
        self.uniforms("sky", {**f.u, "u_clouds": 0, "u_band": rows})
        self.fullscreen("sky").render(moderngl.TRIANGLE_STRIP, vertices=4)
