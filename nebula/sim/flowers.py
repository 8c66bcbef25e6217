"""The field of crystal flowers: hundreds over the plain, larger and sparser in the foreground,
tiny and dense towards the horizon, a few clustered at the figures' feet.

Each pulses on its own phase; as warmth grows the phases pull into unison and the pulse deepens.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from nebula import scene

FLOWER_DTYPE = np.dtype(
    [
        ("in_pos", np.float32, 3),
        ("in_size", np.float32),  # height in metres
        ("in_phase", np.float32),  # own pulse phase, turns
        ("in_hue", np.float32),  # 0 ice-blue inner light .. 1 lilac
        ("in_glow", np.float32),  # current inner light, written each step
        ("in_seed", np.float32),
    ]
)

PULSE_HZ = 0.23
#: The field's sizes were composed for an eye this high over the plain. A lower eye sees each
#: row of the plain nearer, so its flowers shrink with it and the field looks as it did: the
#: same on screen, not crystals the size of the figures crowding the foreground.
FIELD_EYE_HEIGHT = 2.4


def field(n: int, feet: NDArray[np.float32], rng: np.random.Generator) -> NDArray[np.void]:
    """Place n flowers; ``feet`` are the figures' positions, for the clusters at their feet."""
    fl = np.zeros(n, dtype=FLOWER_DTYPE)
    n_feet = min(n, len(feet) * 3)
    n_open = n - n_feet
    # Uniform in the ground's screen area -> dense at the horizon, sparse close up; the
    # distance follows from the screen row below the horizon. Most are placed as the resting
    # eye sees the plain; a few more cover the foreground the approach walks over.
    away = scene.camera_position(0.0)
    eyes = np.where((rng.random(n_open) < 0.15)[:, None], away, scene.CAMERA_REST)
    below = rng.uniform(0.0, 1.0, n_open) ** 1.35  # 0 at the horizon .. 1 at the bottom edge
    angle = np.radians(2.0 + below * (scene.FOV_Y_DEG * 0.62))
    dist = eyes[:, 1] / np.tan(angle)
    dist = np.minimum(dist, 140.0)
    x_half = dist * math.tan(math.radians(52.0))  # wide enough for 21:9 screens
    fl["in_pos"][:n_open, 0] = rng.uniform(-1.0, 1.0, n_open) * x_half
    fl["in_pos"][:n_open, 2] = eyes[:, 2] - dist
    fl["in_size"][:n_open] = rng.uniform(0.18, 0.5, n_open) * (1.0 + 0.004 * dist)
    fl["in_size"][:n_open] *= eyes[:, 1] / FIELD_EYE_HEIGHT
    # Clusters at the figures' feet (skip the dreamer at index 0).
    idx = rng.integers(1, len(feet), n_feet) if len(feet) > 1 else np.zeros(n_feet, int)
    ang = rng.uniform(0, 2 * math.pi, n_feet)
    rad = rng.uniform(0.35, 0.9, n_feet)
    fl["in_pos"][n_open:, 0] = feet[idx, 0] + np.cos(ang) * rad
    fl["in_pos"][n_open:, 2] = feet[idx, 2] + np.sin(ang) * rad
    fl["in_size"][n_open:] = (
        rng.uniform(0.12, 0.28, n_feet) * scene.CAMERA_REST[1] / FIELD_EYE_HEIGHT
    )
    fl["in_phase"] = rng.random(n)
    fl["in_hue"] = rng.random(n)
    fl["in_seed"] = rng.random(n)
    # Far to near, so alpha-blended facets overlap correctly when drawn in order.
    order = np.argsort(fl["in_pos"][:, 2])
    return fl[order]


def update(fl: NDArray[np.void], cycle_t: float, warmth: float, unity: float) -> None:
    """Inner light in place: gentle and scattered at first, brighter and in unison later."""
    spread = 1.0 - 0.85 * unity  # how far apart the phases are
    base = math.fmod(cycle_t * PULSE_HZ, 1.0)  # float64 phase, wrapped on the CPU
    depth = 0.25 + 0.45 * warmth
    level = 0.35 + 0.4 * warmth
    glow = fl["in_glow"]
    np.multiply(fl["in_phase"], np.float32(spread), out=glow)
    glow += np.float32(base)
    glow *= np.float32(2.0 * math.pi)
    np.sin(glow, out=glow)
    glow *= np.float32(0.5 * depth)
    glow += np.float32(level)
