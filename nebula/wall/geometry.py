"""The wall's arithmetic, in numpy: the soft-edge blend ramp of two overlapping projectors and
the corner pin's homography. The tile pass (shaders/tile.frag) does the same per pixel; the
tests hold the two to each other."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

Point = tuple[float, float]


def ramp(
    x: NDArray[np.floating] | float, curve: float = 2.0, center: float = 0.5
) -> NDArray[np.float64]:
    """Paul Bourke's blend: the share of light a projector gives at ``x`` (0 at its outer edge,
    1 where the overlap ends): a(2x)^p below the middle, 1 - (1 - a)(2(1 - x))^p above it. With
    a = 0.5 the two projectors' shares add up to 1 everywhere (f(x) + f(1 - x) = 1)."""
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    low = center * (2.0 * x) ** curve
    high = 1.0 - (1.0 - center) * (2.0 * (1.0 - x)) ** curve
    return np.where(x < 0.5, low, high)


def signal_gain(
    x: NDArray[np.floating] | float, curve: float = 2.0, center: float = 0.5, gamma: float = 2.2
) -> NDArray[np.float64]:
    """What the signal is multiplied by so that the light (signal^gamma) is ``ramp`` of it."""
    return ramp(x, curve, center) ** (1.0 / gamma)


def homography(src: Sequence[Point], dst: Sequence[Point]) -> NDArray[np.float64]:
    """The 3x3 projective map taking the four ``src`` points to the four ``dst`` points
    (the direct linear transform, h33 = 1)."""
    a = np.zeros((8, 8))
    b = np.zeros(8)
    for i, ((x, y), (u, v)) in enumerate(zip(src, dst, strict=True)):
        a[2 * i] = (x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y)
        a[2 * i + 1] = (0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y)
        b[2 * i], b[2 * i + 1] = u, v
    h = np.linalg.solve(a, b)
    return np.append(h, 1.0).reshape(3, 3)


def apply(h: NDArray[np.float64], points: NDArray[np.floating]) -> NDArray[np.float64]:
    """``points`` (n, 2) through the homography ``h``."""
    p = np.c_[np.asarray(points, dtype=np.float64), np.ones(len(points))] @ h.T
    out: NDArray[np.float64] = p[:, :2] / p[:, 2:3]
    return out


def folds(corners: Sequence[Point]) -> bool:
    """Whether the quad through ``corners`` (in order round it) folds over: crosses itself,
    turns back on itself or has no area. A pin that folds has no homography worth drawing."""
    p = np.asarray(corners, dtype=np.float64)
    edges = np.roll(p, -1, axis=0) - p
    turns = (
        edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1]
        - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    )
    return not (bool(np.all(turns > 1e-9)) or bool(np.all(turns < -1e-9)))
