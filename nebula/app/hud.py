"""Putting pixels on screen: the frame scaled to the window, and the HUD (text in a texture).

The HUD's text is drawn with pygame.font onto one Surface and uploaded into one GL texture, both
allocated once; it is redrawn only when its lines change, from parts of lines already drawn
where they did not. pygame.font needs no window, so the headless soak runs this code too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import moderngl

from nebula.render.shaders import HotProgram, ProgramSpec, set_uniforms

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame

BLIT = ProgramSpec("blit.vert", "blit.frag")

#: HUD texture size in pixels: big enough for every parameter line and a few messages.
HUD_SIZE = (720, 460)
HUD_FONT_PX = 17
HUD_MARGIN = 8
#: The box's width is a multiple of this many pixels (see Hud._extent).
HUD_WIDTH_STEP = 32
#: Where tab-separated parts of a line start, in pixels (the default font is proportional).
TAB_STOPS = (0, 110, 270, 330)


class Presenter:
    """Draws textures as rectangles into the window's framebuffer (hot-reloadable blit.*)."""

    def __init__(self, ctx: moderngl.Context, shader_root: Path | None = None) -> None:
        self.ctx = ctx
        self.program = HotProgram(ctx, BLIT, shader_root)
        self._vao: moderngl.VertexArray | None = None
        self._vao_version = -1

    def _vertex_array(self) -> moderngl.VertexArray:
        if self._vao is None or self._vao_version != self.program.version:
            if self._vao is not None:
                self._vao.release()
            # No buffers: blit.vert makes its 4 corners from gl_VertexID.
            self._vao = self.ctx.vertex_array(self.program.program, [])
            self._vao_version = self.program.version
        return self._vao

    def draw(
        self,
        texture: moderngl.Texture,
        rect: tuple[float, float, float, float] = (-1.0, -1.0, 1.0, 1.0),
        *,
        uv: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0),
        flip_y: bool = False,
        opacity: float = 1.0,
        blend: bool = False,
    ) -> None:
        vao = self._vertex_array()
        texture.use(0)
        set_uniforms(
            self.program.program,
            {
                "u_image": 0,
                "u_rect": rect,
                "u_uv_rect": uv,
                "u_flip_y": 1.0 if flip_y else 0.0,
                "u_opacity": opacity,
            },
        )
        if blend:
            self.ctx.enable(moderngl.BLEND)
            self.ctx.blend_func = moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA
        else:
            self.ctx.disable(moderngl.BLEND)
        vao.render(moderngl.TRIANGLE_STRIP, vertices=4)
        self.ctx.disable(moderngl.BLEND)

    def release(self) -> None:
        if self._vao is not None:
            self._vao.release()
            self._vao = None
        self.program.release()


@dataclass(frozen=True)
class Line:
    text: str
    color: tuple[int, int, int] = (235, 228, 245)


class Hud:
    """Lines of text in one texture, re-rendered only when they change."""

    def __init__(self, ctx: moderngl.Context, size: tuple[int, int] = HUD_SIZE) -> None:
        pygame.font.init()
        self.font = pygame.font.Font(None, HUD_FONT_PX)
        self.line_h = self.font.get_linesize()
        self.size = size
        self.surface = pygame.Surface(size, pygame.SRCALPHA, 32)
        self.texture = ctx.texture(size, 4)
        self.texture.filter = moderngl.LINEAR, moderngl.LINEAR
        self.lines: tuple[Line, ...] = ()
        self.renders = 0  # how often the text was re-rendered and uploaded (tests read it)
        self.extent = (0, 0)
        # Each part of a line as pygame drew it, by (text, colour): a value that changes every
        # frame (an OSC fader, the fps) re-renders its own part, not the whole HUD's text.
        self._parts: dict[tuple[str, tuple[int, int, int]], pygame.Surface] = {}

    def set_lines(self, lines: Sequence[Line]) -> bool:
        """Show ``lines``; returns True when that meant re-rendering the texture."""
        new = tuple(lines)
        if new == self.lines:
            return False
        old, self.lines = self.lines, new
        if len(self._parts) > 4 * len(new) + 256:
            self._parts.clear()  # values come and go: keep only about what is on screen
        rows = [self._row(ln) for ln in new]
        extent = self._extent(rows)
        if len(old) == len(new) and extent == self.extent:
            # The same box: redraw and upload only the rows that changed (a fader's value each
            # frame is one row, a fraction of the whole's cost), each run of them at once.
            changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
            for i in changed:
                self._draw_row(rows[i], i)
            for first, last in _runs(changed):
                self._upload(self._row_y(first), min(self._row_y(last + 1), extent[1]))
        else:
            self.extent = extent
            self.surface.fill((0, 0, 0, 0))
            for i, row in enumerate(rows):
                self._draw_row(row, i)
            self._upload(0, extent[1])
        self.renders += 1
        return True

    def _extent(self, rows: list[list[tuple[int, pygame.Surface]]]) -> tuple[int, int]:
        """The box the text fills, margins and all: (0, 0) for none."""
        if not rows:
            return (0, 0)
        widest = max((stop + p.get_width() for row in rows for stop, p in row), default=0)
        # Rounded up: the widest value's digits (a proportional font) then rarely move the box,
        # and a moved box is the whole text drawn again.
        width = -(-(widest + 2 * HUD_MARGIN) // HUD_WIDTH_STEP) * HUD_WIDTH_STEP
        return (
            min(self.size[0], width),
            min(self.size[1], len(rows) * self.line_h + 2 * HUD_MARGIN),
        )

    def _row_y(self, i: int) -> int:
        return HUD_MARGIN + i * self.line_h

    def _draw_row(self, row: list[tuple[int, pygame.Surface]], i: int) -> None:
        """Row ``i`` over the box's backdrop, clipped to its own height (a row past the
        texture's bottom is left out)."""
        y = self._row_y(i)
        if y + self.line_h > self.size[1]:
            return
        band = pygame.Rect(0, y - HUD_MARGIN if i == 0 else y, self.extent[0], self.line_h)
        if i == 0:  # the first row's band takes the top margin, the last's the bottom one
            band.height += HUD_MARGIN
        if i == len(self.lines) - 1 or y + 2 * self.line_h > self.size[1]:  # (or last to fit)
            band.height = self.extent[1] - band.y
        self.surface.fill((10, 6, 24, 170), band)
        self.surface.set_clip(pygame.Rect(0, y, self.extent[0], self.line_h))
        for stop, part_surface in row:
            self.surface.blit(part_surface, (HUD_MARGIN + stop, y))
        self.surface.set_clip(None)

    def _upload(self, y0: int, y1: int) -> None:
        """Rows y0 to y1 of the box into the texture: only the extent is ever drawn (``uv``)."""
        w, h = max(1, self.extent[0]), max(1, y1 - y0)
        region = self.surface.subsurface(pygame.Rect(0, y0, w, h))
        self.texture.write(pygame.image.tobytes(region, "RGBA"), viewport=(0, y0, w, h))

    def _row(self, line: Line) -> list[tuple[int, pygame.Surface]]:
        """A line's tab-separated parts, drawn, each with the x it starts at."""
        parts = zip(TAB_STOPS, line.text.split("\t"), strict=False)
        return [(stop, self._part(part, line.color)) for stop, part in parts if part]

    def _part(self, text: str, color: tuple[int, int, int]) -> pygame.Surface:
        key = (text, color)
        got = self._parts.get(key)
        if got is None:
            got = self._parts[key] = self.font.render(text, True, color)
        return got

    def rect(self, window: tuple[int, int]) -> tuple[float, float, float, float]:
        """Clip-space rectangle of the text's extent at the top-left, shrunk to fit small
        windows. Only the extent is drawn: blending the texture's empty rest cost a frame of a
        software rasterizer milliseconds."""
        w, h = window
        ew, eh = max(1, self.extent[0]), max(1, self.extent[1])
        scale = min(1.0, (w - 2 * HUD_MARGIN) / ew, (h - 2 * HUD_MARGIN) / eh)
        scale = max(scale, 0.05)
        x0 = -1.0 + 2.0 * HUD_MARGIN / w
        y1 = 1.0 - 2.0 * HUD_MARGIN / h
        return (x0, y1 - 2.0 * eh * scale / h, x0 + 2.0 * ew * scale / w, y1)

    def uv(self) -> tuple[float, float, float, float]:
        """The extent's part of the texture: its top-left corner (texture rows are the
        surface's, top row first, which is why the HUD is drawn with flip_y)."""
        tw, th = self.size
        return (0.0, 0.0, max(1, self.extent[0]) / tw, max(1, self.extent[1]) / th)

    def draw(self, presenter: Presenter, window: tuple[int, int]) -> None:
        if self.lines:
            presenter.draw(self.texture, self.rect(window), uv=self.uv(), flip_y=True, blend=True)

    def release(self) -> None:
        self.texture.release()


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as runs of consecutive ones: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for i in rows:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs
