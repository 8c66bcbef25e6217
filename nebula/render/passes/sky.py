"""The nebula sky: domain-warped, swirling amethyst and rose-gold clouds and the twilight
gradient drawn once at half resolution (the costly part, before any pass draws), and the stars
as point sprites over the frame's background.

The cloud texture is also what the plain samples for its reflection and distance fog, so the
nebula's fbm runs once per half-resolution pixel instead of three times per full one; and the
plain's pass brings it up to the frame's size with the plain, in one pass (plain.py). Only a
frame drawn without the plain (a test's choice of passes) has the sky bring up its own rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula import scene
from nebula.render.passes.base import CORNERS, FrameInputs, SizedPass
from nebula.render.shaders import ProgramSpec, float_defines

#: The clouds are soft: half resolution each way is a quarter of the fragments, unseen.
CLOUD_DIVISOR = 2
#: The elevation (normalised view ray's y) where the sky gives way to the plain, a hair below
#: the true horizon so the two meet without a gap.
HORIZON = -0.002
#: Below this nothing reads the clouds; the margin under the horizon keeps bilinear taps clean.
CLOUDS_LOW = -0.03
#: Stars sit on a sky-locked grid of cells this many to a radian of azimuth (and to a unit of
#: the view ray's y), at most one a cell.
STAR_GRID = 260.0
#: A cell holds a star when hash22(cell).x passes this (star.frag checks it again).
STAR_THRESHOLD = 0.994
#: How far, in cells, a star's light reaches on the sky: exp(-30 d^2) x 3.9 for the biggest is
#: under 1/255 at 0.45.
STAR_REACH = 0.5
#: What the sky's and the plain's shaders get from Python (they draw the bands these bound).
HORIZON_DEFINES = float_defines(
    HORIZON=HORIZON, CLOUDS_LOW=CLOUDS_LOW, STAR_GRID=STAR_GRID, STAR_THRESHOLD=STAR_THRESHOLD
)


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
        "stars": ProgramSpec("star.vert", "star.frag", HORIZON_DEFINES),
        "star_catalog": ProgramSpec("fullscreen.vert", "star_catalog.frag"),
    }

    def resize(self, size: tuple[int, int]) -> None:
        self._release_stars()
        self.release_sized()
        self.clouds = self.float_texture(size, CLOUD_DIVISOR)
        # The frame's background at the clouds' size: the clouds, drawn with them in one pass
        # (two outputs), then the plain over them below the horizon (plain.py).
        self.background_tex = self.float_texture(size, CLOUD_DIVISOR)
        self.clouds_fbo = self.own_sized(self.ctx.framebuffer([self.clouds, self.background_tex]))
        self.background = self.own_sized(self.ctx.framebuffer([self.background_tex]))
        stars = star_sprites(self._catalogue(size[0] / size[1]), size[0] / size[1])
        self.star_count = len(stars)
        self.star_buffer = self.own_sized(self.ctx.buffer(stars)) if len(stars) else None
        if not hasattr(self, "corners"):
            self.corners = self.ctx.buffer(CORNERS)  # the stars' quad, released in release()

    def _catalogue(self, aspect: float) -> NDArray[np.float32]:
        """The cells in view that hold a star, by their hash as the GPU works it out
        (star_catalog.frag): (n, 2) float32."""
        cx, cy = star_grid(aspect)
        if len(cx) == 0 or len(cy) == 0:
            return np.zeros((0, 2), dtype=np.float32)
        ctx = self.ctx
        tex = ctx.texture((len(cx), len(cy)), 4, dtype="f4")
        fbo = ctx.framebuffer([tex])
        try:
            fbo.use()
            self.uniforms("star_catalog", {"u_origin": (float(cx[0]), float(cy[0]))})
            self.fullscreen("star_catalog").render(moderngl.TRIANGLES, vertices=3)
            h = np.frombuffer(tex.read(), dtype=np.float32).reshape(len(cy), len(cx), 4)[..., 0]
        finally:
            self.clouds_fbo.use()  # one that stays: moderngl rebinds the last-bound framebuffer
            fbo.release()
            tex.release()
        rows, cols = np.nonzero(h > STAR_THRESHOLD)
        return np.stack([cx[cols], cy[rows]], axis=1).astype(np.float32)

    def _release_stars(self) -> None:
        vao = getattr(self, "_stars_vao", None)
        if vao is not None:
            vao[1].release()
        self._stars_vao: tuple[int, moderngl.VertexArray] | None = None

    def _star_vertex_array(self) -> moderngl.VertexArray:
        """The stars' VAO, remade after the program reloads (and after a resize)."""
        hp = self.programs["stars"]
        if self._stars_vao is None or self._stars_vao[0] != hp.version:
            self._release_stars()
            bufs = [
                (self.corners, "2f", "in_corner"),
                (self.star_buffer, "2f 2f/i", "in_cell", "in_extent"),
            ]
            self._stars_vao = (hp.version, self.ctx.vertex_array(hp.program, bufs))
        return self._stars_vao[1]

    def draw_clouds(self, u: Mapping[str, object]) -> None:
        """Render the cloud texture, and the same into the background (leaves their framebuffer
        bound; the caller rebinds)."""
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
        if "plain" not in f.passes:  # else the plain's pass drew the clouds with the plain
            self.uniforms("sky", {**f.u, "u_clouds": 0, "u_band": rows})
            self.fullscreen("sky").render(moderngl.TRIANGLE_STRIP, vertices=4)
        if self.star_buffer is None:
            return
        ctx = self.ctx
        ctx.enable(moderngl.BLEND)
        ctx.blend_func = moderngl.ONE, moderngl.ONE
        self.uniforms("stars", {**f.u, "u_clouds": 0})
        vao = self._star_vertex_array()
        vao.render(moderngl.TRIANGLE_STRIP, vertices=4, instances=self.star_count)
        ctx.disable(moderngl.BLEND)

    def release(self) -> None:
        self._release_stars()
        super().release()
        corners = getattr(self, "corners", None)
        if corners is not None:
            corners.release()


def _fract(x: NDArray[np.float32]) -> NDArray[np.float32]:
    return np.asarray(x - np.floor(x), dtype=np.float32)


def hash22(p: NDArray[np.float32]) -> NDArray[np.float32]:
    """lib/noise.glsl's hash22 in float32, row by row of (n, 2) points."""
    p = np.asarray(p, dtype=np.float32)
    p3 = _fract(p[:, [0, 1, 0]] * np.array([0.1031, 0.1030, 0.0973], dtype=np.float32))
    p3 = p3 + (p3 * (p3[:, [1, 2, 0]] + np.float32(33.33))).sum(axis=1, keepdims=True)
    return _fract((p3[:, [0, 0]] + p3[:, [1, 2]]) * p3[:, [2, 1]])


def _ndc(dirs: NDArray[np.float64], view_proj: NDArray[np.float64]) -> NDArray[np.float64]:
    """Where directions land on screen (NDC), as star.vert places them: far along each from the
    eye that ``view_proj`` was made for (scene.CAMERA_REST)."""
    at = scene.CAMERA_REST + dirs * 100.0
    far = np.concatenate([at, np.ones((len(dirs), 1))], axis=1) @ view_proj.T
    return np.asarray(far[:, :2] / far[:, 3:4])


def _sky_dirs(sp: NDArray[np.float64]) -> NDArray[np.float64]:
    """Directions of sky-grid points (azimuth, dir.y), as star.vert makes them."""
    r = np.sqrt(np.maximum(1.0 - sp[:, 1] ** 2, 0.0))
    return np.stack([np.sin(sp[:, 0]) * r, sp[:, 1], -np.cos(sp[:, 0]) * r], axis=1)


def star_grid(aspect: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The grid cells' x and y (azimuth and dir.y, x STAR_GRID) that the sky shows through a
    lens of ``aspect``, with a margin: the camera never turns, so the lens alone decides."""
    x, y = np.meshgrid(np.linspace(-1.0, 1.0, 33), np.linspace(-1.0, 1.0, 33))
    d = scene.view_directions(aspect, x, y).reshape(-1, 3)
    sky = d[d[:, 1] >= HORIZON]
    if len(sky) == 0:
        return np.zeros(0), np.zeros(0)
    az = np.arctan2(sky[:, 0], -sky[:, 2]) * STAR_GRID
    el = sky[:, 1] * STAR_GRID
    # A margin of cells round the sampled points: the frame's edges bow between them.
    cx = np.arange(np.floor(az.min()) - 3, np.floor(az.max()) + 4)
    cy = np.arange(np.floor(HORIZON * STAR_GRID) - 1, np.floor(el.max()) + 4)
    return cx, cy


def star_sprites(cells: NDArray[np.float32], aspect: float) -> NDArray[np.float32]:
    """Each candidate cell with the half size in NDC of a quad that covers the whole cell from
    the star's place: (n, 4) float32 rows of (cell x, cell y, half width, half height)."""
    vp = scene.view_projection(aspect).astype(np.float64)
    centre = (cells + 0.25 + 0.5 * hash22(cells + np.float32(7.0))).astype(np.float64)
    at = _ndc(_sky_dirs(centre / STAR_GRID), vp)
    # The light reaches STAR_REACH cells from the star (beyond it, under a 255th even for the
    # big ones), and a pixel shows only its own cell's star: the quad spans what both allow.
    lo = np.maximum(cells, centre - STAR_REACH)
    hi = np.minimum(cells + 1.0, centre + STAR_REACH)
    half = np.zeros((len(cells), 2))
    for cx, cy in (
        (lo[:, 0], lo[:, 1]),
        (hi[:, 0], lo[:, 1]),
        (lo[:, 0], hi[:, 1]),
        (hi[:, 0], hi[:, 1]),
    ):
        c = _ndc(_sky_dirs(np.stack([cx, cy], axis=1) / STAR_GRID), vp)
        half = np.maximum(half, np.abs(c - at))
    return np.ascontiguousarray(np.concatenate([cells, half], axis=1), dtype=np.float32)
