"""A wall's tile as a picture of its own: the renderer draws the canvas only inside the tile
(nebula.render.region), then this pass takes the tile's rectangle out of the canvas-sized
output into a target of the tile's size, fading the edges it blends with its neighbours and
corner-pinning it where the wall file says (shaders/tile.frag)."""

from __future__ import annotations

from pathlib import Path

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.render.region import Rect
from nebula.render.shaders import HotProgram, ProgramSpec, set_uniforms
from nebula.wall.file import Tile
from nebula.wall.geometry import homography, signal_gain


class TileView:
    """Where a tile of ``tile.canvas`` sits when the tile is drawn at ``size`` pixels: the
    canvas's size at that scale and the tile's rectangle in it (GL rows from the bottom)."""

    def __init__(self, tile: Tile, size: tuple[int, int]) -> None:
        self.tile = tile
        self.size = size
        #: Renderer pixels per canvas pixel (the window's size or supersampling over the
        #: wall's own): a whole number draws every tile on one grid, which stitches exactly.
        self.scale = size[0] / tile.rect[2]
        cw, ch = tile.canvas
        x, y, _, h = tile.rect
        s = self.scale
        self.canvas_size = (round(cw * s), round(ch * s))
        self.rect: Rect = (round(x * s), round((ch - y - h) * s), size[0], size[1])


def render_size(window: tuple[int, int], scale: float, tile: Tile | None = None) -> tuple[int, int]:
    """The size a window's frame is drawn at: the window's times the render ``scale``, or a
    wall's ``tile`` in its own shape, as large as fits the window, times ``scale`` (a whole
    number of times its own size stitches exactly)."""
    if tile is None:
        return max(1, round(window[0] * scale)), max(1, round(window[1] * scale))
    fit = min(window[0] / tile.size[0], window[1] / tile.size[1]) * scale
    return max(1, round(tile.size[0] * fit)), max(1, round(tile.size[1] * fit))


class TilePass:
    """Draws the tile out of the renderer's canvas-sized output."""

    def __init__(
        self, ctx: moderngl.Context, view: TileView, shader_root: Path | None = None
    ) -> None:
        self.ctx = ctx
        self.view = view
        #: Neither faded nor pinned: the tile is its rectangle of the canvas, texel for texel.
        self.copy = not view.tile.blend and view.tile.corners is None
        defines = {"WARP": 1} if view.tile.corners is not None else {}
        if view.tile.blend:
            defines["BLEND"] = 1
        self.program = HotProgram(
            ctx, ProgramSpec("fullscreen.vert", "tile.frag", defines), shader_root
        )
        made: list[moderngl.Texture | moderngl.Framebuffer] = []
        self.gains: list[moderngl.Texture] = []
        try:
            self.tex = ctx.texture(view.size, 4)
            made.append(self.tex)
            self.tex.filter = moderngl.LINEAR, moderngl.LINEAR
            if view.tile.blend:
                for ramp in blend_gains(view.tile, view.size):
                    gain = ctx.texture((len(ramp), 1), 1, ramp.astype("f4").tobytes(), dtype="f4")
                    gain.filter = moderngl.NEAREST, moderngl.NEAREST
                    made.append(gain)
                    self.gains.append(gain)
            self.fbo = ctx.framebuffer([self.tex])
        except moderngl.Error:
            for obj in made:
                obj.release()
            self.program.release()
            raise
        self.uniforms = self._uniforms()
        self._pixels = np.empty((view.size[1], view.size[0], 3), dtype=np.uint8)

    def _uniforms(self) -> dict[str, object]:
        view, tile = self.view, self.view.tile
        u: dict[str, object] = {
            "u_canvas": 0,
            "u_origin": view.rect[:2],
            "u_size": (float(view.size[0]), float(view.size[1])),
        }
        if tile.blend:
            u["u_gain_x"], u["u_gain_y"] = 1, 2
        if tile.corners is not None:
            u["u_unwarp"] = unwarp_matrix(tile, view.size)
        return u

    def draw(self, canvas: moderngl.Texture, into: moderngl.Framebuffer | None = None) -> None:
        """The tile out of ``canvas`` (the renderer's output) into ``into`` or its own target."""
        target = into or self.fbo
        target.use()
        self.ctx.viewport = (0, 0, *self.view.size)
        self.ctx.disable(moderngl.BLEND | moderngl.DEPTH_TEST | moderngl.CULL_FACE)
        canvas.use(0)
        for unit, gain in enumerate(self.gains, start=1):
            gain.use(unit)
        set_uniforms(self.program.program, self.uniforms)
        self.program.fullscreen().render(moderngl.TRIANGLES, vertices=3)

    def read(self, fbo: moderngl.Framebuffer) -> NDArray[np.uint8]:
        """The tile as (height, width, 3) RGB, top row first (one reused array), from its own
        target or, for a plain ``copy``, from the canvas-sized target it was drawn in."""
        rect = self.view.rect if fbo is not self.fbo else (0, 0, *self.view.size)
        fbo.read_into(self._pixels, rect, components=3, alignment=1)
        return self._pixels[::-1]

    def release(self) -> None:
        self.fbo.release()
        for tex in (self.tex, *self.gains):
            tex.release()
        self.program.release()


def blend_gains(tile: Tile, size: tuple[int, int]) -> tuple[NDArray[np.float64], ...]:
    """The signal's gain across the tile (one value a pixel, left to right) and up it (bottom
    row first), drawn at ``size``: each blended edge's Bourke ramp to the power 1 / gamma,
    multiplied where two edges' overlaps meet."""
    s = size[0] / tile.rect[2]
    out = []
    for n, (low, high) in zip(size, (("left", "right"), ("bottom", "top")), strict=True):
        centres = np.arange(n) + 0.5
        gain = np.ones(n)
        for edge, along in ((low, centres), (high, n - centres)):
            e = tile.blend.get(edge)
            if e is not None:
                gain *= signal_gain(along / (e.width * s), e.curve, e.center, e.gamma)
        out.append(gain)
    return tuple(out)


def unwarp_matrix(tile: Tile, size: tuple[int, int]) -> tuple[float, ...]:
    """The corner pin as tile.frag's ``u_unwarp``: an output pixel (GL rows) -> where in the
    tile it shows (GL rows), column-major for GLSL. ``corners`` are in the tile's own pixels
    (y down), scaled to ``size``."""
    assert tile.corners is not None
    sx, sy = size[0] / tile.rect[2], size[1] / tile.rect[3]
    src = [(x * sx, y * sy) for x, y in tile.square_corners()]
    dst = [(x * sx, y * sy) for x, y in tile.corners]
    flip = np.array([[1.0, 0.0, 0.0], [0.0, -1.0, float(size[1])], [0.0, 0.0, 1.0]])
    # output (GL) -> output (y down) -> tile (y down) -> tile (GL)
    m = flip @ np.linalg.inv(homography(src, dst)) @ flip
    m = m / m[2, 2]
    return tuple(float(v) for v in m.T.ravel())
