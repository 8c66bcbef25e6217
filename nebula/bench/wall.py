"""The wall's figures: what a tile of a 2x2 wall costs against the whole canvas, measured in
the same loop (``tile_vs_canvas_<size>``: the mean of the four tiles' median frames over the
canvas's), beside the share of the canvas's pixels a tile draws with its guard band
(``tile_share_<size>``; nebula.render.region). The passes cull what lies outside a tile; what
a tile pays beyond its share is the plain's mirror of the sky (a ground tile draws the clouds as
high as its ground reflects) and the vertex work of what reaches into it."""

from __future__ import annotations

import argparse
import time

import numpy as np

from nebula.bench.figures import Figures, say

MOMENTS = (80.0, 130.0, 190.0)  # speaking, resonance, unity
SAMPLES = 4


def two_by_two(size: tuple[int, int]) -> dict[str, tuple[int, int, int, int]]:
    w, h = size[0] // 2, size[1] // 2
    return {"a": (0, 0, w, h), "b": (w, 0, size[0] - w, h), "c": (0, h, w, size[1] - h)} | {
        "d": (w, h, size[0] - w, size[1] - h)
    }


def tile_share(size: tuple[int, int]) -> float:
    """The mean share of the canvas's pixels a 2x2 wall's tile draws: its own and its guard
    band (no fade: the band's usual width), within the canvas."""
    from nebula.render.region import guard, scissor

    band = guard(size, {})
    areas = []
    for x, y, w, h in two_by_two(size).values():
        gl = (x, size[1] - y - h, w, h)
        _, _, sw, sh = scissor(size, size, gl, band)
        areas.append(sw * sh)
    return float(np.mean(areas)) / (size[0] * size[1])


def section_wall(args: argparse.Namespace) -> Figures:
    from nebula.bench.render import SIZES

    out: Figures = {}
    for label in getattr(args, "sizes", None) or ("720p",):
        out.update(measure(SIZES[label], label))
    return out


def measure(size: tuple[int, int], label: str, samples: int = SAMPLES) -> Figures:
    """The wall's figures for a canvas of ``size``."""
    from nebula.config import Settings
    from nebula.piece import Piece
    from nebula.wall.file import parse_wall

    tiles = {n: {"rect": list(r)} for n, r in two_by_two(size).items()}
    wall = parse_wall({"canvas": {"size": list(size)}, "tiles": tiles})
    say(f"wall: the whole {size[0]}x{size[1]} canvas and each tile of a 2x2 wall, interleaved")
    canvas_ms: list[float] = []
    tile_ms: dict[int, list[float]] = {}
    with Piece(Settings(), None, size) as canvas:
        pieces = [
            Piece(Settings(), None, t.size, ctx=canvas.ctx, tile=t) for t in wall.tiles.values()
        ]
        try:
            for m in MOMENTS:
                for p in (canvas, *pieces):  # to the moment and warm: not timed
                    p.draw(m)
                canvas.ctx.finish()
                for k in range(samples):
                    t = m + (k + 1) / 60.0
                    for i, p in enumerate((canvas, *pieces)):
                        t0 = time.perf_counter()
                        p.draw(t)
                        p.ctx.finish()
                        ms = (time.perf_counter() - t0) * 1e3
                        (canvas_ms if p is canvas else tile_ms.setdefault(i, [])).append(ms)
        finally:
            for p in pieces:
                p.close()
    c = float(np.median(canvas_ms))
    t = float(np.mean([np.median(v) for v in tile_ms.values()]))
    return {
        f"wall_canvas_ms_{label}": round(c, 3),
        f"wall_tile_ms_{label}": round(t, 3),
        f"tile_vs_canvas_{label}": round(t / c, 3),
        f"tile_share_{label}": round(tile_share(size), 3),
    }
