"""Drawing one tile of a wall (nebula.wall) as a window onto the whole canvas.

The renderer keeps its targets at the canvas's size and draws only inside a scissor: the tile,
widened by a guard band in every target that a later pass reads around a pixel (the bloom's
blurs, the heat haze, the watercolour's bleeding, the plain's reflection of the clouds). Inside
the tile every fragment is then computed from exactly the inputs, coordinates and neighbours it
has in a frame of the whole canvas: grain, noise and the vignette are keyed to canvas pixels,
and the camera's aspect is the canvas's, so tiles stitch byte for byte. A scissored draw costs
llvmpipe and a GPU only the pixels inside it (measured: a quarter of a 2560x1440 target cost
what a 1280x720 one does); the price is the memory of canvas-sized targets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import moderngl
import numpy as np

from nebula import scene

Rect = tuple[int, int, int, int]

#: Renderer pixels every read-around reaches at most, summed along the bloom chain: the near
#: glow's blur (about 4 texels of a quarter) and its bright pass, the far glow's (about 4
#: texels of a sixteenth), the bilinear reads between them and each level's rounding, about
#: 140 in all; the rest is margin. The stitch tests fail when it is too small.
GUARD_PX = 192
#: How far the watercolour's bleeding reads, as a share of the frame (post_composite.frag:
#: 0.05 of the frame at full fade, 1.6 times that for the far glow), and the heat haze's
#: sideways shift at most (post.py's HAZE_REACH, halved, with room for a strong u_haze).
BLEED_SHARE = 0.05 * 1.6
HAZE_SHARE = 0.01
#: The plain mirrors the clouds with long ripples (plain.frag): up to 0.015 across, a few
#: hundredths of the frame's width, and 0.005 up; the clouds are drawn that much wider, and up
#: as far as the mirror of the tile's lowest ground looks, with this much elevation to spare.
REFLECTION_SHARE = 0.03
REFLECTION_MARGIN = 0.03


def guard(size: tuple[int, int], u: Mapping[str, object]) -> tuple[int, int]:
    """The guard band this frame, in renderer pixels across and up: the watercolour's reach
    only while it shows (it is most of the band at full fade)."""
    fade = _number(u, "u_fade") * _number(u, "u_watercolor", 1.0)
    wash = BLEED_SHARE * min(1.0, max(0.0, fade))
    w, h = size
    return (
        GUARD_PX + math.ceil((wash + HAZE_SHARE) * w),
        GUARD_PX + math.ceil(wash * h),
    )


def scissor(fbo: tuple[int, int], size: tuple[int, int], rect: Rect, band: tuple[int, int]) -> Rect:
    """``rect`` (renderer pixels, GL rows from the bottom) widened by ``band`` and brought to
    a target of ``fbo`` pixels that covers the frame of ``size`` (a half or quarter target),
    rounded outward, within the target."""
    sx, sy = fbo[0] / size[0], fbo[1] / size[1]
    x0 = max(0, math.floor((rect[0] - band[0]) * sx) - 1)
    y0 = max(0, math.floor((rect[1] - band[1]) * sy) - 1)
    x1 = min(fbo[0], math.ceil((rect[0] + rect[2] + band[0]) * sx) + 1)
    y1 = min(fbo[1], math.ceil((rect[1] + rect[3] + band[1]) * sy) + 1)
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


def reach(size: tuple[int, int], rect: Rect, u: Mapping[str, object]) -> Rect:
    """The tile and its guard band this frame, within the frame (renderer pixels, GL rows):
    the part of the frame whose pixels are drawn right."""
    return scissor(size, size, rect, guard(size, u))


def mirror_top(aspect: float, bottom: float) -> float:
    """The highest screen row (NDC) the plain's mirror reads the clouds at for ground seen at
    or above the row ``bottom`` (NDC): the row of the steepest reflected elevation. Directions
    depend on the lens alone (nebula.scene), so this is the same for every frame of a size."""
    x = np.linspace(-1.0, 1.0, 17)
    deepest = -float(scene.view_directions(aspect, x, np.full_like(x, bottom))[..., 1].min())
    rows = scene.elevation_band(aspect, -1.0, max(0.0, deepest) + REFLECTION_MARGIN)
    return 1.0 if rows is None else rows[1]


def clip(
    size: tuple[int, int],
    rect: Rect | None,
    u: Mapping[str, object],
    banded: list[moderngl.Framebuffer],
    columns: list[moderngl.Framebuffer],
    exact: list[moderngl.Framebuffer],
) -> None:
    """Scissor every target for this frame: ``banded`` ones to the tile and its guard band,
    ``columns`` (the clouds, which the plain mirrors) up as far as the mirror reads, and
    ``exact`` ones (the output) to the tile alone; no scissor at all without a ``rect``."""
    if rect is None:
        for fbo in (*banded, *columns, *exact):
            fbo.scissor = None  # type: ignore[assignment]  # moderngl: None is the whole target
        return
    band = guard(size, u)
    for fbo in banded:
        fbo.scissor = scissor(fbo.size, size, rect, band)
    wide = (band[0] + math.ceil(REFLECTION_SHARE * size[0]), band[1])
    bottom = max(-1.0, 2.0 * (rect[1] - band[1]) / size[1] - 1.0)
    top = mirror_top(size[0] / size[1], bottom)
    for fbo in columns:
        x, y, w, h = scissor(fbo.size, size, rect, wide)
        reach = min(fbo.size[1], math.ceil(0.5 * (top + 1.0) * fbo.size[1]) + 2)
        fbo.scissor = (x, y, w, max(h, reach - y))
    for fbo in exact:
        fbo.scissor = rect


def _number(u: Mapping[str, object], name: str, default: float = 0.0) -> float:
    v = u.get(name, default)
    return float(v) if isinstance(v, (int, float)) else default
