"""The circle of figures: where they stand, where their hearts are, how they lean and open.

Index 0 is the dreamer, standing at the viewer's place (never drawn: its heart is the bottom
centre of the frame). The woman with nebula eyes and the man of moonlight and shadow are the two
figures the text names; they are the first to answer the dreamer.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from nebula import scene

DREAMER = 0
KIND_OTHER, KIND_WOMAN, KIND_MAN, KIND_DREAMER = 0.0, 1.0, 2.0, 3.0

FIGURE_DTYPE = np.dtype(
    [
        ("in_pos", np.float32, 3),  # feet on the plain
        ("in_heart", np.float32, 3),  # chest height: where threads attach
        ("in_lean", np.float32, 3),  # head offset from upright, towards the speaker (metres)
        ("in_height", np.float32),
        ("in_open", np.float32),  # 0 guarded .. 1 open
        ("in_shimmer", np.float32),  # heat haze: 1 indistinct .. 0 in focus
        ("in_speak", np.float32),  # 0 .. 1 while this figure is sharing
        ("in_kind", np.float32),  # KIND_*
        ("in_seed", np.float32),  # per-figure random in [0, 1) for the shader
    ]
)


def named_figures(n: int) -> tuple[int, int]:
    """Indices of (the woman with nebula eyes, the man of moonlight and shadow): the figures
    facing the viewer across the circle, left and right of its far point."""
    woman = 1 + (n - 1) // 2
    man = min(n, woman + 1)
    return woman, man


def layout(n: int, rng: np.random.Generator) -> NDArray[np.void]:
    """The circle for one run: n figures plus the dreamer at index 0."""
    fig = np.zeros(n + 1, dtype=FIGURE_DTYPE)
    # The dreamer's slot faces the camera; the others share the rest of the circle evenly,
    # leaving a gap around the viewer so nobody stands in front of the lens.
    gap = 2.0 * math.pi / (n + 1) * 1.15
    angles = np.linspace(gap, 2.0 * math.pi - gap, n)
    cx, _, cz = scene.CIRCLE_CENTER
    r = scene.CIRCLE_RADIUS
    jitter = rng.uniform(-0.12, 0.12, size=(n, 2))
    fig["in_pos"][1:, 0] = cx + r * np.sin(angles) + jitter[:, 0]
    fig["in_pos"][1:, 2] = cz + r * np.cos(angles) + jitter[:, 1]
    fig["in_height"][1:] = rng.uniform(1.62, 1.86, size=n)
    fig["in_pos"][0] = (cx, 0.0, cz + r)
    fig["in_height"][0] = 1.75
    fig["in_kind"][1:] = KIND_OTHER
    woman, man = named_figures(n)
    fig["in_kind"][woman] = KIND_WOMAN
    fig["in_kind"][man] = KIND_MAN
    fig["in_height"][woman] = 1.68
    fig["in_height"][man] = 1.84
    fig["in_kind"][DREAMER] = KIND_DREAMER
    fig["in_seed"] = rng.random(n + 1)
    fig["in_heart"] = fig["in_pos"]
    fig["in_heart"][:, 1] = fig["in_height"] * 0.72
    fig["in_heart"][DREAMER] = scene.DREAMER_HEART
    fig["in_shimmer"] = 1.0
    return fig


def update(
    fig: NDArray[np.void],
    openness: float,
    haze: float,
    speaker: int,
    speak_level: float,
    talking: NDArray[np.float32],
) -> None:
    """Posture in place: lean towards the current speaker (or the circle's centre) by openness."""
    n = len(fig)
    pos = fig["in_pos"]
    if speaker >= 0:
        target = fig["in_heart"][speaker].astype(np.float64)
        attention = 0.35 + 0.65 * speak_level
    else:
        target = scene.CIRCLE_CENTER + np.array([0.0, 1.2, 0.0])
        attention = 0.35
    d = target[[0, 2]] - pos[:, [0, 2]]
    dist = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-3)
    amount = 0.22 * openness * attention
    lean = fig["in_lean"]
    lean[:, 0] = d[:, 0] / dist * amount
    lean[:, 1] = -0.25 * amount  # the head dips a little as the body leans
    lean[:, 2] = d[:, 1] / dist * amount
    if speaker >= 0:
        lean[speaker] *= 0.3  # the speaker stands, the listeners lean
    fig["in_open"] = openness
    # Focus comes with approach and openness; each figure shimmers on its own.
    fig["in_shimmer"] = np.clip(haze * (1.0 - 0.5 * openness), 0.0, 1.0)
    fig["in_speak"] = talking[:n]
