"""``--target-fps F``: the internal render scale follows the frame rate on weak hardware.

Fed one frame time per frame, ``RenderScaler`` lowers the scale when frames run late and raises
it when there is headroom. Hysteresis keeps it from flapping: it decides on a window of frames
(a percentile, not one slow frame), waits for a fresh window after every change, and only
raises when the predicted cost at the higher scale (pixels grow as scale squared) still fits
with a margin.

Under vsync a frame never measures shorter than the refresh interval, so headroom can be
invisible. Feed the busy time (the frame without the swap wait) when the loop has it; otherwise
the scaler probes one step up after a stable stretch and backs off (twice as long each time)
when the probe runs late.
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
    window: int = 45  # frames per decision
    late: float = 1.08  # p90 above budget x this: lower
    headroom: float = 0.8  # predicted p90 at the higher scale below budget x this: raise
    probe_after: float = 20.0  # seconds of steady, on-time frames before a blind probe up
    scale: float = 1.0
    _times: deque[float] = field(default_factory=deque)
    _steady: float = 0.0
    _probe_wait: float = 0.0
    _probing: bool = False

    def __post_init__(self) -> None:
        if not (self.target_fps > 0):
            raise ValueError(f"--target-fps must be > 0 (got {self.target_fps})")
        if not (0 < self.min_scale <= self.max_scale):
            raise ValueError("need 0 < min_scale <= max_scale")
        self.scale = min(self.max_scale, max(self.min_scale, self.scale))
        self._probe_wait = self.probe_after

    @property
    def budget(self) -> float:
        return 1.0 / self.target_fps

    def _set(self, scale: float) -> bool:
        scale = min(self.max_scale, max(self.min_scale, scale))
        changed = abs(scale - self.scale) > 1e-9
        self.scale = scale
        self._times.clear()  # the old frames say nothing about the new scale
        self._steady = 0.0
        return changed

    def observe(self, frame_seconds: float) -> bool:
        """Record one frame's time; True when ``scale`` changed (resize the render target)."""
        self._times.append(frame_seconds)
        self._steady += frame_seconds
        if len(self._times) < self.window:
            return False
        p90 = float(np.percentile(np.fromiter(self._times, float, len(self._times)), 90))
        self._times.popleft()
        budget = self.budget
        if p90 > budget * self.late and self.scale > self.min_scale:
            if self._probing:  # the probe was too much: wait longer before the next one
                self._probe_wait *= 2.0
            self._probing = False
            return self._set(self.scale * self.step)
        self._probing = False
        if self.scale >= self.max_scale:
            return False
        up = min(self.max_scale, self.scale / self.step)
        predicted = p90 * (up / self.scale) ** 2
        if predicted < budget * self.headroom:
            self._probe_wait = self.probe_after
            return self._set(up)
        if p90 <= budget * self.late and self._steady >= self._probe_wait:
            self._probing = True  # maybe vsync hides headroom: try one step up
            return self._set(up)
        return False

    def size_for(self, display: tuple[int, int]) -> tuple[int, int]:
        """The internal render size for a display size at the current scale (at least 1x1)."""
        return max(1, round(display[0] * self.scale)), max(1, round(display[1] * self.scale))
