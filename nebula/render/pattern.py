"""A wall's calibration pattern in place of the piece (shaders/pattern.frag): drawn into the
canvas-sized frame within the tile, so the tile pass blends and pins it like the piece. The
label (the tile's name) comes in as pixels: text is drawn by whoever has a font."""

from __future__ import annotations

from pathlib import Path

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.render.region import Rect
from nebula.render.shaders import HotProgram, ProgramSpec, set_uniforms


class PatternPass:
    def __init__(
        self, ctx: moderngl.Context, label: NDArray[np.uint8], shader_root: Path | None = None
    ) -> None:
        """``label``: (height, width, 4) RGBA, top row first; its alpha is the text."""
        self.ctx = ctx
        self.program = HotProgram(ctx, ProgramSpec("fullscreen.vert", "pattern.frag"), shader_root)
        h, w = label.shape[:2]
        self.label = ctx.texture((w, h), 4, np.ascontiguousarray(label[::-1]).tobytes())
        self.label.filter = moderngl.LINEAR, moderngl.LINEAR
        self.vao = ctx.vertex_array(self.program.program, [])

    def draw(
        self, fbo: moderngl.Framebuffer, scale: float, tile: Rect, region: Rect | None
    ) -> None:
        """The pattern for the canvas ``fbo`` covers (``scale`` of its pixels a canvas pixel),
        around ``tile`` (renderer pixels, GL rows), within ``region`` (None: all of it)."""
        fbo.scissor = region  # type: ignore[assignment]  # moderngl: None is the whole target
        fbo.use()
        self.ctx.viewport = (0, 0, *fbo.size)
        self.ctx.disable(moderngl.BLEND | moderngl.DEPTH_TEST | moderngl.CULL_FACE)
        self.label.use(0)
        lw, lh = self.label.size
        fit = min(1.0, 0.8 * tile[2] / lw, 0.5 * tile[3] / lh) * max(1.0, scale)
        u = {
            "u_canvas": (float(fbo.size[0]), float(fbo.size[1])),
            "u_scale": float(scale),
            "u_tile": tuple(float(v) for v in tile),
            "u_label": 0,
            "u_label_size": (lw * fit, lh * fit),
        }
        set_uniforms(self.program.program, u)
        self.vao.render(moderngl.TRIANGLES, vertices=3)

    def release(self) -> None:
        for obj in (self.vao, self.label):
            obj.release()
        self.program.release()
