"""The Piece: settings + live parameters + world + renderer, and the one path from a time to a
frame. Every output drives it: the live window (nebula.app.show), a still, a recording, the
scan, the benchmark, the soak and the codec sweep; only where time comes from (a clock) and
where the pixels go differ.

Frame k of a recording and `nebula still --time t` go through exactly this code, which is why
they are the same picture.
"""

from __future__ import annotations

import ctypes
import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.config import Params, Settings
from nebula.control.timeline import Timeline
from nebula.render.context import headless_context, is_headless
from nebula.render.frame import FrameTime
from nebula.render.pattern import PatternPass
from nebula.render.renderer import PASS_NAMES, Renderer
from nebula.render.tile import TilePass, TileView
from nebula.sim.world import World
from nebula.wall.file import Tile

#: Largest supersampling factor: 4 x 4 = 16 samples per pixel is already far past visible gains.
MAX_SSAA = 4


def renderer_capacities(settings: Settings) -> dict[str, int]:
    return {
        "figures": settings.figures + 1,
        "flowers": settings.flowers,
        "threads": settings.threads,
        "particles": settings.particles,
    }


def _gil_free_finish() -> Callable[[], None] | None:
    """glFinish called through ctypes, which lets go of the GIL while it waits.

    moderngl holds the GIL inside every call, so a readback that waits for llvmpipe to finish
    rasterising would stall the recorder's encoder thread for the whole frame. Waiting here
    first lets that thread run meanwhile; the readback that follows only copies. None where
    EGL cannot hand out the function (then the readback simply waits by itself).
    """
    try:
        egl = ctypes.CDLL("libEGL.so.1")
        egl.eglGetProcAddress.restype = ctypes.c_void_p
        egl.eglGetProcAddress.argtypes = [ctypes.c_char_p]
        addr = egl.eglGetProcAddress(b"glFinish")
    except (OSError, AttributeError):
        return None
    if not addr:
        return None
    return ctypes.CFUNCTYPE(None)(addr)


def downsample(
    big: NDArray[np.uint8], k: int, out: NDArray[np.uint8] | None = None
) -> NDArray[np.uint8]:
    """Box-filter (h*k, w*k, c) uint8 down to (h, w, c): the mean of each k x k block, rounded.

    Sums in uint32 so the result is exact and the same on every machine (no float rounding).
    """
    if k == 1:
        if out is None:
            return big
        np.copyto(out, big)
        return out
    hk, wk, c = big.shape
    h, w = hk // k, wk // k
    sums = big.reshape(h, k, w, k, c).sum(axis=(1, 3), dtype=np.uint32)
    sums += (k * k) // 2
    sums //= k * k
    if out is None:
        return np.asarray(sums, dtype=np.uint8)
    np.copyto(out, sums, casting="unsafe")
    return out


class Tap(Protocol):
    """What takes each frame's clean picture elsewhere (nebula.output.ndi.NdiOut)."""

    def needs_texture(self, piece: Piece, size: tuple[int, int]) -> bool:
        """Whether the frame must be in ``piece.output_tex``, not only in the framebuffer it
        was drawn into (a window's, of ``size``)."""

    def __call__(self, piece: Piece, drawn: moderngl.Framebuffer) -> None: ...


class Piece:
    """``draw(t)`` brings the world to run time t and renders it; ``render(t)`` also reads it
    back as (height, width, 3) uint8, top row first (reused by the next call: copy to keep).

    Without ``ctx`` it makes a headless EGL context of its own (and releases it on ``close``);
    the live window passes its own. ``params`` may be a ``Params`` (the window's, gliding) or a
    mapping applied at once. With ``ssaa=k`` it draws at k times ``size`` each way and
    ``render`` box-filters down to ``size``.
    """

    def __init__(
        self,
        settings: Settings,
        params: Params | Mapping[str, float] | None = None,
        size: tuple[int, int] = (1280, 720),
        *,
        ctx: moderngl.Context | None = None,
        ssaa: int = 1,
        shader_root: Path | None = None,
        tile: Tile | None = None,
    ) -> None:
        if not 1 <= ssaa <= MAX_SSAA:
            raise ValueError(f"ssaa must be 1 to {MAX_SSAA} (got {ssaa})")
        self.settings = settings
        if isinstance(params, Params):
            self.params = params
        else:
            self.params = Params()
            if params:
                self.params.apply(params, immediate=True)
        self.size = size
        self.ssaa = ssaa
        #: The size actually drawn: ``size`` times ``ssaa`` each way.
        self.draw_size = (size[0] * ssaa, size[1] * ssaa)
        self.ctx = ctx or headless_context()
        self._own_ctx = ctx is None
        try:
            self.world = World(settings)
            #: Steps the world with the parameters: their glides and the events played on them.
            self.timeline = Timeline(self.world, self.params)
            self.tile = tile
            #: With a wall's ``tile``: the canvas drawn inside the tile, then the tile taken out
            #: of it (nebula.render.tile); ``size`` is then the tile's.
            self.tiler: TilePass | None = None
            view = TileView(tile, self.draw_size) if tile else None
            self.renderer = Renderer(
                self.ctx,
                view.canvas_size if view else self.draw_size,
                capacities=renderer_capacities(settings),
                shader_root=shader_root,
            )
            if view is not None:
                self.renderer.region = view.rect
                self.tiler = TilePass(self.ctx, view, shader_root)
        except BaseException:
            if getattr(self, "renderer", None) is not None:
                self.renderer.release()
            if self._own_ctx:
                self.ctx.release()
            raise
        self._shader_root = shader_root
        self._tile_stale = False
        #: The wall's calibration pattern, shown in place of the piece while set.
        self.pattern: PatternPass | None = None
        self._small: NDArray[np.uint8] | None = None
        # Through EGL only: the window's context is SDL's, whose glFinish EGL may not know.
        self._finish = _gil_free_finish() if is_headless(self.ctx) else None

    def show_pattern(self, label: NDArray[np.uint8] | None) -> None:
        """The wall's calibration pattern in place of the piece, labelled with ``label`` (the
        tile's name as (h, w, 4) RGBA, top row first), or the piece again with None."""
        if self.tiler is None:
            raise ValueError("the calibration pattern is drawn on a wall's tile: give a tile")
        if self.pattern is not None:
            self.pattern.release()
            self.pattern = None
        if label is not None:
            self.pattern = PatternPass(self.ctx, label, self._shader_root)

    def pin(self, corners: tuple[tuple[float, float], ...] | None) -> None:
        """Move the tile's corner pin (tile pixels, y down; None: square) from the next frame."""
        if self.tiler is None or self.tile is None:
            raise ValueError("only a wall's tile has a corner pin")
        self.tile = dataclasses.replace(self.tile, corners=corners)
        view = TileView(self.tile, self.tiler.view.size)
        old, self.tiler = self.tiler, TilePass(self.ctx, view, self._shader_root)
        old.release()

    def draw(
        self,
        t: float,
        passes: tuple[str, ...] = PASS_NAMES,
        output: moderngl.Framebuffer | None = None,
        params: Mapping[str, float] | None = None,
    ) -> moderngl.Framebuffer:
        """Bring the world to run time t and draw it (on the GPU; nothing read back yet), into
        ``output`` when given (the live window's own framebuffer), else the renderer's (for a
        wall's tile, the canvas-sized target it is drawn in: ``read`` and ``output_tex`` give
        the tile); ``params`` instead of the timeline's values (the live preview while the
        clock stands)."""
        values = self.timeline.advance_to(t)
        if params is not None:
            values = dict(params)
        ft = FrameTime(t, self.settings.cycle_seconds)
        if self.tiler is None:
            return self.renderer.draw(self.world, values, ft, passes, output=output)
        if self.pattern is not None:  # the wall's calibration pattern instead of the piece
            view = self.tiler.view
            self.pattern.draw(self.renderer.output, view.scale, view.rect, view.rect)
        else:
            self.renderer.draw(self.world, values, ft, passes)
        # The tile pass runs now only where it must: into a window, or to fade or pin the tile.
        # A plain copy is left to the readback, which takes the tile's rectangle itself.
        self._tile_stale = output is not None or self.tiler.copy
        if output is not None or not self.tiler.copy:
            self.tiler.draw(self.renderer.output_tex, output)
        return output or self.renderer.output

    def _tile_target(self) -> moderngl.Framebuffer:
        """The tile's own target with the last frame in it (the tile pass run now if not yet)."""
        assert self.tiler is not None
        if self._tile_stale:
            self._tile_stale = False
            self.tiler.draw(self.renderer.output_tex)
        return self.tiler.fbo

    @property
    def output_tex(self) -> moderngl.Texture:
        """The last frame's texture: the renderer's, or the tile's on a wall."""
        if self.tiler is None:
            return self.renderer.output_tex
        self._tile_target()
        return self.tiler.tex

    def resize(self, size: tuple[int, int]) -> None:
        """Render at a new size (the window was resized, or its render scale changed)."""
        draw = (size[0] * self.ssaa, size[1] * self.ssaa)
        if self.tiler is None or self.tile is None:
            self.renderer.resize(draw)
        else:
            view = TileView(self.tile, draw)
            self.renderer.resize(view.canvas_size)
            self.renderer.region = view.rect
            old, self.tiler = self.tiler, TilePass(self.ctx, view, self._shader_root)
            old.release()
        self.size = size
        self.draw_size = self.tiler.view.size if self.tiler else self.renderer.size
        self._small = None

    def read(self) -> NDArray[np.uint8]:
        """The last frame drawn as (height, width, 3) RGB, top row first (reused by the next
        call): the tile's on a wall, else the renderer's (which brings a frame drawn into a
        window into its own target first)."""
        if self.tiler is None:
            return self.renderer.read()
        if self.tiler.copy:
            return self.tiler.read(self.renderer.output)
        return self.tiler.read(self._tile_target())

    def render(self, t: float, passes: tuple[str, ...] = PASS_NAMES) -> NDArray[np.uint8]:
        self.draw(t, passes)
        big = self.read()
        if self.ssaa == 1:
            return big
        if self._small is None:
            self._small = np.empty((self.size[1], self.size[0], 3), dtype=np.uint8)
        return downsample(big, self.ssaa, self._small)

    def read_into(self, buf: NDArray[np.uint8]) -> None:
        """Read the last drawn frame into ``buf``, shaped (draw height, draw width, 4), RGBA.

        Rows come out bottom row first, as GL stores them: flip with ``buf[::-1]``. RGBA is the
        framebuffer's own format, so the copy needs no per-pixel conversion (faster than RGB);
        the recorder passes preallocated buffers here so nothing is allocated per frame.
        """
        w, h = self.draw_size
        if buf.shape != (h, w, 4) or buf.dtype != np.uint8 or not buf.flags.c_contiguous:
            raise ValueError(f"buffer must be contiguous uint8 ({h}, {w}, 4), got {buf.shape}")
        if self._finish is not None:
            self._finish()
        if self.tiler is None:
            self.renderer.output.read_into(buf, components=4, alignment=1)
        elif self.tiler.copy:  # the tile's rectangle straight from the canvas's target
            self.renderer.output.read_into(buf, self.tiler.view.rect, components=4, alignment=1)
        else:
            self._tile_target().read_into(buf, components=4, alignment=1)

    def close(self) -> None:
        if self.pattern is not None:
            self.pattern.release()
        if self.tiler is not None:
            self.tiler.release()
        self.renderer.release()
        if self._own_ctx:
            self.ctx.release()

    def __enter__(self) -> Piece:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
