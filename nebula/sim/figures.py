"""The circle of figures: where they stand, where their hearts are, how they lean and open.

Index 0 is the dreamer, standing at the viewer's place (never drawn: its heart is the bottom
centre of the frame). The woman with nebula eyes and the man of moonlight and shadow are the two
figures the text names; they are the first to answer the dreamer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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
        ("in_look", np.float32, 3),  # where the head turns: a horizontal unit direction
        ("in_height", np.float32),
        ("in_open", np.float32),  # 0 guarded .. 1 open: this figure's own, it opens by sharing
        ("in_shimmer", np.float32),  # heat haze: 1 indistinct .. 0 in focus
        ("in_speak", np.float32),  # 0 .. 1 while this figure is sharing: hands open at the heart
        ("in_kind", np.float32),  # KIND_*
        ("in_seed", np.float32),  # per-figure random in [0, 1) for the shader
    ]
)

#: Heads turn from one speaker to the next over this long; leaning in rises over LEAN_SECONDS.
TURN_SECONDS = 1.6
LEAN_SECONDS = 2.2
#: A figure that has shared opens the rest of the way over this long.
OPEN_SECONDS = 5.0


@dataclass
class Attention:
    """Who the circle attends to: the state the posture is a pure function of. The world writes
    it at each share (``listen``) and clears it at each cycle's start."""

    figures: int
    speaker: int = -1
    previous: int = -1
    since: float = 0.0  # cycle time of the current speaker's share
    first_share: NDArray[np.float64] = field(init=False)
    #: Headings between figures (see ``headings``), filled on first use: the layout is fixed.
    headings: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        self.first_share = np.full(self.figures + 1, np.inf)

    def clear(self) -> None:
        self.speaker, self.previous, self.since = -1, -1, 0.0
        self.first_share[:] = np.inf

    def listen(self, speaker: int, now: float) -> None:
        self.previous, self.speaker, self.since = self.speaker, speaker, now
        self.first_share[speaker] = min(self.first_share[speaker], now)


def _ease(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3.0 - 2.0 * x)


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
    # leaving an opening round the viewer so nobody stands in front of the lens.
    gap = math.radians(scene.OPENING_DEG)
    angles = np.linspace(gap, 2.0 * math.pi - gap, n)
    cx, _, cz = scene.CIRCLE_CENTER
    r = scene.CIRCLE_RADIUS
    jitter = rng.uniform(-0.12, 0.12, size=(n, 2))
    fig["in_pos"][1:, 0] = cx + r * np.sin(angles) + jitter[:, 0]
    fig["in_pos"][1:, 2] = cz + r * np.cos(angles) + jitter[:, 1]
    fig["in_height"][1:] = rng.uniform(1.68, 1.88, size=n)
    fig["in_pos"][0] = (scene.DREAMER_HEART[0], 0.0, scene.DREAMER_HEART[2])
    fig["in_height"][0] = 1.75
    fig["in_kind"][1:] = KIND_OTHER
    woman, man = named_figures(n)
    fig["in_kind"][woman] = KIND_WOMAN
    fig["in_kind"][man] = KIND_MAN
    fig["in_height"][woman] = 1.7
    fig["in_height"][man] = 1.86
    fig["in_kind"][DREAMER] = KIND_DREAMER
    fig["in_seed"] = rng.random(n + 1)
    fig["in_heart"] = fig["in_pos"]
    fig["in_heart"][:, 1] = fig["in_height"] * 0.72
    fig["in_heart"][DREAMER] = scene.DREAMER_HEART
    fig["in_shimmer"] = 1.0
    return fig


def headings(fig: NDArray[np.void]) -> NDArray[np.float64]:
    """(figures, figures + 1): each figure's heading on the plain (radians) towards each
    figure's heart, and in the last column (index -1: nobody speaking) towards the circle's
    centre. A figure looks at the centre instead of its own heart. Constant for a layout."""
    pos = fig["in_pos"][:, [0, 2]].astype(np.float64)
    targets = np.vstack([fig["in_heart"][:, [0, 2]], scene.CIRCLE_CENTER[[0, 2]]])
    d = targets[None, :, :] - pos[:, None, :]
    out = np.arctan2(d[..., 1], d[..., 0])
    n = len(fig)
    out[np.arange(n), np.arange(n)] = out[:, -1]
    return np.asarray(out)


def update(
    fig: NDArray[np.void],
    now: float,
    openness: float,
    haze: float,
    approach: float,
    att: Attention,
    talking: NDArray[np.float32],
) -> None:
    """Posture in place, a pure function of the moment and ``att``: heads turn to the speaker
    and bodies lean in by openness, both eased from the previous speaker, never snapped."""
    n = len(fig)
    if att.headings is None or len(att.headings) != n:
        att.headings = headings(fig)
    since = now - att.since
    turn = _ease(since / TURN_SECONDS) if att.speaker >= 0 else 1.0
    # Turn the short way round from the previous speaker to this one.
    a0, a1 = att.headings[:, att.previous], att.headings[:, att.speaker]
    heading = a0 + (np.mod(a1 - a0 + math.pi, 2.0 * math.pi) - math.pi) * turn
    look_x, look_z = np.cos(heading), np.sin(heading)
    fig["in_look"][:, 0] = look_x
    fig["in_look"][:, 1] = 0.0
    fig["in_look"][:, 2] = look_z
    # Each figure opens with the circle's mood, and the rest of the way once it has shared.
    x = np.clip((now - att.first_share[:n]) / OPEN_SECONDS, 0.0, 1.0)
    own_open = np.clip(openness * (0.6 + 0.4 * x * x * (3.0 - 2.0 * x)), 0.0, 1.0)
    fig["in_open"] = own_open
    # Attention passes from the last speaker's words to the new one's as the lean rises, so
    # a new share never drops or jumps the lean.
    rise = _ease(since / LEAN_SECONDS) if att.speaker >= 0 else 0.0
    was = float(talking[att.previous]) if att.previous >= 0 else 0.0
    now_level = float(talking[att.speaker]) if att.speaker >= 0 else 0.0
    attention = 0.35 + 0.65 * (was * (1.0 - rise) + now_level * rise)
    amount = 0.22 * own_open * attention
    stand = np.ones(n)  # the speaker stands, the listeners lean
    if att.speaker >= 0:
        stand[att.speaker] -= 0.7 * turn
    if att.previous >= 0 and att.previous != att.speaker:
        stand[att.previous] -= 0.7 * (1.0 - turn)
    lean = fig["in_lean"]
    amount *= stand
    lean[:, 0] = look_x * amount
    lean[:, 1] = -0.25 * amount  # the head dips a little as the body leans
    lean[:, 2] = look_z * amount
    # Focus comes with the approach and with opening; each figure shimmers on its own.
    near = 0.5 + 0.5 * (1.0 - approach)
    fig["in_shimmer"] = np.clip(haze * (1.0 - 0.5 * own_open) * near, 0.0, 1.0)
    fig["in_speak"] = talking[:n]
