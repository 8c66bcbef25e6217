"""``--target-fps F``: the internal render scale follows the frame rate on weak hardware.

Fed one frame time per frame, ``RenderScaler`` lowers the scale when frames run late and raises
it when there is headroom. Hysteresis keeps it from flapping:
- it decides on a window of frames (their 90th percentile), never on one slow frame, and
  starts a fresh window after every change;
- it only raises when the predicted cost at the higher scale (pixels grow as scale squared)
  still fits with a margin, and not before ``hold_up`` seconds have passed since the last change;
- a raise that has to be taken back within ``flap_seconds`` doubles ``hold_up`` (up to
  ``max_hold_up``); a raise that holds for ``flap_seconds`` brings it back to the base.

Under vsync a frame never measures shorter than the refresh interval, so headroom can be
invisible: after ``probe_after`` seconds of on-time frames the scaler tries one step up, and a
probe that runs late counts as a flap like any other raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


@dataclass
class RenderScaler:
    target_fps: float
    min_scale: float = 0.35
    max_scale: float = 1.0
    step: float = 0.85  # each change multiplies or divides the scale by this
    window_seconds: float = 1.5  # frames per decision: this long at the target rate (>= 30)
    late: float = 1.08  # p90 above budget x this: lower
    headroom: float = 0.8  # predicted p90 at the higher scale below budget x this: raise
    hold_up: float = 5.0  # seconds after a change before a raise is considered
    max_hold_up: float = 300.0
    flap_seconds: float = 20.0
    probe_after: float = 20.0  # seconds of on-time frames before a blind probe up
    scale: float = 1.0
    changes: int = 0
    _ring: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # the window
    _count: int = 0  # frames in the window so far
    _since_change: float = 0.0
    _last_up_at: float | None = None  # clock (sum of frame times) of the last raise
    _clock: float = 0.0
    _base_hold: float = 0.0

    def __post_init__(self) -> None:
        if not (self.target_fps > 0):
            raise ValueError(f"--target-fps must be > 0 (got {self.target_fps})")
        if not (0 < self.min_scale <= self.max_scale):
            raise ValueError("need 0 < min_scale <= max_scale")
        self.scale = min(self.max_scale, max(self.min_scale, self.scale))
        self._base_hold = self.hold_up
        self._ring = np.zeros(self.window)

    @property
    def budget(self) -> float:
        return 1.0 / self.target_fps

    @property
    def window(self) -> int:
        return max(30, round(self.window_seconds * self.target_fps))

    def _set(self, scale: float) -> bool:
        scale = min(self.max_scale, max(self.min_scale, scale))
        changed = abs(scale - self.scale) > 1e-9
        if changed:
            self.changes += 1
        self.scale = scale
        self._count = 0  # the old frames say nothing about the new scale
        self._since_change = 0.0
        return changed

    def observe(self, frame_seconds: float) -> bool:
        """Record one frame's time; True when ``scale`` changed (resize the render target)."""
        self._clock += frame_seconds
        self._since_change += frame_seconds
        # The window's order does not matter to a percentile: a ring, allocated once.
        self._ring[self._count % len(self._ring)] = frame_seconds
        self._count += 1
        if self._last_up_at is not None and self._clock - self._last_up_at > self.flap_seconds:
            self._last_up_at = None  # the raise held: back to a short wait
            self.hold_up = self._base_hold
        if self._count < len(self._ring):
            return False
        p90 = _p90(self._ring)
        budget = self.budget
        if p90 > budget * self.late:
            if self.scale <= self.min_scale:
                return False
            if self._last_up_at is not None:  # the last raise was too much: wait longer
                self.hold_up = min(self.max_hold_up, self.hold_up * 2.0)
                self._last_up_at = None
            return self._set(self.scale * self.step)
        if self.scale >= self.max_scale or self._since_change < self.hold_up:
            return False
        up = min(self.max_scale, self.scale / self.step)
        predicted = p90 * (up / self.scale) ** 2
        if predicted < budget * self.headroom or self._since_change >= max(
            self.probe_after, self.hold_up
        ):
            self._last_up_at = self._clock
            return self._set(up)
        return False


def _p90(x: NDArray[np.float64]) -> float:
    """np.percentile(x, 90) (linear interpolation) from a partial sort: the live loop asks every
    frame, and a full percentile cost ~40 us of it."""
    pos = 0.9 * (len(x) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(x) - 1)
    part = np.partition(x, (lo, hi))
    return float(part[lo] + (part[hi] - part[lo]) * (pos - lo))
