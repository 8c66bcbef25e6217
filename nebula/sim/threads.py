"""Threads of iridescent light between hearts: one per pair of figures, created by the first
share between them and strengthened by every later one. They persist for the whole cycle.

Each thread is a quadratic Bezier (in_p0 -> in_p1 -> in_p2) through the air between two hearts:
curved, never straight, and a particle with constant acceleration traces it exactly, which is how
light flows along it (see particles.py).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

THREAD_DTYPE = np.dtype(
    [
        ("in_p0", np.float32, 3),  # speaker's heart (the first share's)
        ("in_p1", np.float32, 3),  # control point: the curve's bow
        ("in_p2", np.float32, 3),  # listener's heart
        ("in_strength", np.float32),  # 0 .. 1, grows with each share across it
        ("in_grow", np.float32),  # 0 .. 1: how far the ribbon has reached from p0 to p2
        ("in_flash", np.float32),  # brightening right after a share, decays
        ("in_hue", np.float32),  # iridescence phase offset in turns
        ("in_seed", np.float32),
    ]
)

GROW_SECONDS = 2.2  # a new thread reaches across the circle in this long
FLASH_SECONDS = 3.0
#: A share's brightening swells in over about this long instead of popping on in one frame
#: (the motion scan saw every thread of a share jump by a third of the frame's light at once).
FLASH_ATTACK_SECONDS = 0.25


class ThreadWeb:
    def __init__(self, capacity: int, n_people: int) -> None:
        self.data = np.zeros(capacity, dtype=THREAD_DTYPE)
        self.count = 0
        self._index = np.full((n_people, n_people), -1, dtype=np.int32)
        #: What each thread's flash swells towards: set to 1 by a share, decaying like the flash.
        self._charge = np.zeros(capacity, dtype=np.float32)

    def clear(self) -> None:
        self.data[:] = 0
        self._charge[:] = 0
        self.count = 0
        self._index[:] = -1

    @property
    def active(self) -> NDArray[np.void]:
        """The live threads, contiguous from 0: what the renderer uploads."""
        return self.data[: self.count]

    def index_of(self, a: int, b: int) -> int:
        return int(self._index[a, b])

    def weave(
        self,
        speaker: int,
        listener: int,
        intensity: float,
        hearts: NDArray[np.float32],
        rng: np.random.Generator,
    ) -> int:
        """Create or strengthen the thread between speaker and listener; returns its index."""
        i = int(self._index[speaker, listener])
        if i < 0:
            if self.count >= len(self.data):
                raise RuntimeError("thread capacity exhausted")  # Settings validation prevents it
            i = self.count
            self.count += 1
            self._index[speaker, listener] = self._index[listener, speaker] = i
            t = self.data[i]
            p0 = hearts[speaker].astype(np.float64)
            p2 = hearts[listener].astype(np.float64)
            mid = 0.5 * (p0 + p2)
            span = float(np.linalg.norm(p2 - p0))
            side = np.cross(p2 - p0, [0.0, 1.0, 0.0])
            side /= max(float(np.linalg.norm(side)), 1e-6)
            # Bow upwards and sideways by a seeded amount: a web, not a wire frame.
            mid += [0.0, span * rng.uniform(0.12, 0.3), 0.0]
            mid += side * span * rng.uniform(-0.25, 0.25)
            t["in_p0"], t["in_p1"], t["in_p2"] = p0, mid, p2
            t["in_hue"] = rng.random()
            t["in_seed"] = rng.random()
            t["in_grow"] = 0.0
        t = self.data[i]
        t["in_strength"] = t["in_strength"] + (1.0 - t["in_strength"]) * 0.55 * intensity
        self._charge[i] = 1.0
        return i

    def step(self, dt: float) -> None:
        live = self.data[: self.count]
        np.minimum(live["in_grow"] + dt / GROW_SECONDS, 1.0, out=live["in_grow"])
        charge = self._charge[: self.count]
        charge *= np.float32(max(0.0, 1.0 - dt / FLASH_SECONDS))
        # in_flash follows the charge through a one-pole attack: a swell, then the slow decay.
        k = np.float32(1.0 - math.exp(-dt / FLASH_ATTACK_SECONDS))
        live["in_flash"] += (charge - live["in_flash"]) * k
