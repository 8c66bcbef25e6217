"""The frame as an NDI source takes it, read back through two pixel buffers a frame late (the
frame hands on the one before it, whose copy has had a whole frame to finish, so a GPU never
stalls on it). No pygame, no network here.

- Opaque at the picture's own size, the framebuffer the frame was drawn into (a window's own)
  is read as it is, bottom row first: the sender's thread turns it over. A pass of its own
  would cost llvmpipe 4 ms a 720p frame, the readback 0.3 ms.
- Scaled, or with alpha (the piece's coverage, shaders/ndi.frag), a pass draws it from the
  piece's texture into a target of the source's size, top row first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.render.shaders import HotProgram, ProgramSpec, set_uniforms

if TYPE_CHECKING:
    from nebula.piece import Piece


class NdiTap:
    """Draws and reads back the frames of ``size`` that an NDI source sends."""

    def __init__(
        self,
        ctx: moderngl.Context,
        size: tuple[int, int],
        *,
        alpha: bool = False,
        shader_root: Path | None = None,
    ) -> None:
        self.ctx = ctx
        self.size = size
        self.alpha = alpha
        spec = ProgramSpec("fullscreen.vert", "ndi.frag", {"ALPHA": 1} if alpha else {})
        self.program = HotProgram(ctx, spec, shader_root)
        made: list[moderngl.Texture | moderngl.Framebuffer | moderngl.Buffer] = []
        try:
            self.tex = ctx.texture(size, 4)
            made.append(self.tex)
            self.fbo = ctx.framebuffer([self.tex])
            made.append(self.fbo)
            nbytes = size[0] * size[1] * 4
            self.pbos = [ctx.buffer(reserve=nbytes) for _ in range(2)]
            made += self.pbos
        except moderngl.Error:
            for obj in reversed(made):
                obj.release()
            self.program.release()
            raise
        self._next = 0  # the pixel buffer the next frame goes into
        self._pending: int | None = None  # the one holding a frame not yet handed on
        self._flipped = [False, False]  # which hold rows bottom first

    @property
    def pending(self) -> bool:
        """A frame is read back and waiting to be handed on."""
        return self._pending is not None

    def reads(self, piece: Piece, size: tuple[int, int]) -> bool:
        """Whether a frame drawn at ``size`` is read straight from its framebuffer (else a
        pass draws it from ``piece.output_tex``, which must then hold it)."""
        return not self.alpha and piece.tiler is None and tuple(size) == self.size

    def capture(self, piece: Piece, drawn: moderngl.Framebuffer) -> None:
        """Start reading back the piece's last frame, drawn into ``drawn``."""
        if self.reads(piece, drawn.size):
            drawn.read_into(self.pbos[self._next], (0, 0, *self.size), 4, alignment=1)
            self._flipped[self._next] = True
        else:
            self._draw(piece)
            self.fbo.read_into(self.pbos[self._next], components=4, alignment=1)
            self._flipped[self._next] = False
        self._pending, self._next = self._next, 1 - self._next

    def _draw(self, piece: Piece) -> None:
        """The piece's last frame at the source's size, top row first."""
        fbo = self.ctx.fbo
        picture = piece.output_tex  # first: a tile's may be drawn now, into its own target
        self.fbo.use()
        self.ctx.viewport = (0, 0, *self.size)
        self.ctx.disable(moderngl.BLEND | moderngl.DEPTH_TEST | moderngl.CULL_FACE)
        picture.use(0)
        u: dict[str, object] = {"u_picture": 0}
        if self.alpha:
            r = piece.renderer
            r.scene_tex.use(1)
            r.sky.background_tex.use(2)
            r.post.levels[0][3].use(3)  # the bloom map: both glows as one (post.py)
            u.update(u_scene=1, u_background=2, u_bloom=3)
        set_uniforms(self.program.program, u)
        self.program.fullscreen().render(moderngl.TRIANGLES, vertices=3)
        if fbo is not None:
            fbo.use()

    def take(self, into: NDArray[np.uint8]) -> bool | None:
        """The frame read back last, into ``into`` ((height, width, 4) uint8): whether its
        rows run bottom first, or None when there is none."""
        if self._pending is None:
            return None
        self.pbos[self._pending].read_into(into)
        flipped, self._pending = self._flipped[self._pending], None
        return flipped

    def release(self) -> None:
        for pbo in self.pbos:
            pbo.release()
        self.fbo.release()
        self.tex.release()
        self.program.release()
