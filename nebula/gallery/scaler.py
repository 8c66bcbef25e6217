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

from collections import deque
from dataclasses import dataclass, field

import numpy as np


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
    _times: deque[float] = field(default_factory=deque)
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
        self._times.clear()  # the old frames say nothing about the new scale
        self._since_change = 0.0
        return changed

    def observe(self, frame_seconds: float) -> bool:
        """Record one frame's time; True when ``scale`` changed (resize the render target)."""
        self._clock += frame_seconds
        self._since_change += frame_seconds
        self._times.append(frame_seconds)
        if self._last_up_at is not None and self._clock - self._last_up_at > self.flap_seconds:
            self._last_up_at = None  # the raise held: back to a short wait
            self.hold_up = self._base_hold
        if len(self._times) < self.window:
            return False
        p90 = float(np.percentile(np.fromiter(self._times, float, len(self._times)), 90))
        self._times.popleft()
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
