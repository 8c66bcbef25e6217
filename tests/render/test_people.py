"""The people up close, measured as the frame with the figures against the frame without them
(a pixel is the figures' where the two differ by more than 12 code values): at resonance the
figures cover at least 8% of a 16:9 frame and the nearest stands at least half its height. And
the nebula's rose gold is a family of its own beside amethyst, not a magenta blend of the two.
"""

from __future__ import annotations

import moderngl
import numpy as np
import pytest
from numpy.typing import NDArray

from nebula import scene
from nebula.config import Settings
from nebula.piece import Piece
from nebula.render.renderer import PASS_NAMES

RESONANCE = 130.0
WITHOUT_FIGURES = tuple(p for p in PASS_NAMES if p != "figures")


def figures_measure(ctx: moderngl.Context, seed: int, size: tuple[int, int]) -> tuple[float, float]:
    """(share of the frame the figures cover, the nearest figure's height over the frame's)."""
    w, h = size
    with Piece(Settings(seed=seed), size=size, ctx=ctx) as piece:
        with_them = piece.render(RESONANCE).astype(np.int16)
        without = piece.render(RESONANCE, WITHOUT_FIGURES).astype(np.int16)
        figures, eye = piece.world.figures[1:], piece.world.camera
    mask = np.abs(with_them - without).max(axis=2) > 12
    # The nearest figure's own columns: a band round where its feet stand on screen.
    nearest = int(np.argmin(np.linalg.norm((figures["in_pos"] - eye)[:, [0, 2]], axis=1)))
    x = float(
        np.clip(scene.project(figures["in_pos"][nearest : nearest + 1], w / h, eye)[0, 0], 0, 1)
    )
    band = mask[:, max(0, round(x * (w - 1)) - w // 40) : round(x * (w - 1)) + w // 40 + 1]
    rows = np.flatnonzero(band.any(axis=1))
    height = (rows[-1] - rows[0] + 1) / h if len(rows) else 0.0
    return float(mask.mean()), height


@pytest.mark.parametrize("seed", [0, 7])
def test_the_circle_closes_round_the_viewer_at_resonance(ctx: moderngl.Context, seed: int) -> None:
    cover, nearest = figures_measure(ctx, seed, (960, 540))
    assert cover >= 0.08, f"the figures cover {cover:.1%} of the frame"
    assert nearest >= 0.5, f"the nearest figure stands {nearest:.0%} of the frame's height"


@pytest.mark.slow  # 1080p, twice a seed
@pytest.mark.parametrize("seed", [3, 11])
def test_the_circle_closes_round_the_viewer_at_1080p(ctx: moderngl.Context, seed: int) -> None:
    cover, nearest = figures_measure(ctx, seed, (1920, 1080))
    assert cover >= 0.08 and nearest >= 0.5, (cover, nearest)


def hue_shares(pixels: NDArray[np.uint8]) -> dict[str, float]:
    """Of the top 55% of the frame, the share that is lit (saturation > 0.15, value > 0.12)
    and of each hue family: rose gold 330-25 degrees, magenta 300-330, amethyst 255-300."""
    top = pixels[: int(pixels.shape[0] * 0.55)].astype(np.float64) / 255.0
    hi, lo = top.max(axis=2), top.min(axis=2)
    lit = (hi > 0.12) & ((hi - lo) / np.maximum(hi, 1e-9) > 0.15)
    r, g, b = top[..., 0], top[..., 1], top[..., 2]
    d = np.maximum(hi - lo, 1e-9)
    hue = 60.0 * np.where(
        hi == r, ((g - b) / d) % 6.0, np.where(hi == g, (b - r) / d + 2.0, (r - g) / d + 4.0)
    )
    families = {
        "rose gold": (hue >= 330.0) | (hue < 25.0),
        "magenta": (hue >= 300.0) & (hue < 330.0),
        "amethyst": (hue >= 255.0) & (hue < 300.0),
    }
    return {name: float((lit & f).mean()) for name, f in families.items()}


@pytest.mark.parametrize("seed", [0, 19])
def test_rose_gold_and_amethyst_are_each_a_family_of_the_sky(
    ctx: moderngl.Context, seed: int
) -> None:
    with Piece(Settings(seed=seed), size=(320, 180), ctx=ctx) as piece:
        for t in (130.0, 190.0):
            shares = hue_shares(piece.render(t))
            assert shares["rose gold"] >= 0.06, (t, shares)
            assert shares["amethyst"] >= 0.06, (t, shares)


def test_the_hue_count_tells_the_families_apart() -> None:
    swatch = np.zeros((20, 3, 3), np.uint8)
    swatch[:, 0] = (0xB7, 0x6E, 0x79)  # rose gold, hue 352
    swatch[:, 1] = (0xC0, 0x40, 0xA0)  # magenta, hue 315
    swatch[:, 2] = (0x99, 0x66, 0xCC)  # amethyst, hue 270
    shares = hue_shares(swatch)
    assert shares == pytest.approx({"rose gold": 1 / 3, "magenta": 1 / 3, "amethyst": 1 / 3})
