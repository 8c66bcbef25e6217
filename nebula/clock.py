"""Clocks: where time comes from. Everything downstream receives time; nothing reads the wall clock.

Time is always ``frame_index / fps`` in float64 plus an offset, never an accumulated float32 sum,
so a show that has run for weeks steps exactly as smoothly as one that started a minute ago.
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Callable
from dataclasses import dataclass

from nebula.config import ConfigError


def wrap_phase(t: float, freq: float) -> float:
    """``fract(t * freq)`` computed in float64 on the CPU, safe to hand to a float32 uniform."""
    x = t * freq
    return x - math.floor(x)


def frame_time(start: float, k: int, fps: float, offset: float = 0.0) -> float:
    """Run time of frame k: ``offset + (start + k / fps)``, from the index in float64, never an
    accumulated sum. Every offline output (still, record, scan) and FixedClock take time from
    here, grouped so that frame k of a recording is the very moment `nebula still --time`
    names (``--clock-offset`` + ``--time``)."""
    return offset + (start + k / fps)


def _check_start(start: float) -> None:
    if isinstance(start, bool) or not isinstance(start, (int, float)):
        raise ConfigError(f"start must be a number of seconds >= 0 (got {start!r})")
    if not (start >= 0 and math.isfinite(start)):
        raise ConfigError(f"start = {start!r} is out of range: allowed [0, inf), finite")


@dataclass
class FixedClock:
    """Offline time: frame k of a recording or still is at ``start + k / fps`` seconds."""

    fps: float
    start: float = 0.0
    frame: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.fps, bool) or not isinstance(self.fps, (int, float)):
            raise ConfigError(f"fps must be a number > 0 (got {self.fps!r})")
        if not (self.fps > 0 and math.isfinite(self.fps)):
            raise ConfigError(f"fps = {self.fps!r} is out of range: allowed (0, inf), finite")
        _check_start(self.start)
        if isinstance(self.frame, bool) or not isinstance(self.frame, int) or self.frame < 0:
            raise ConfigError(f"frame = {self.frame!r} is out of range: an integer >= 0")

    @property
    def time(self) -> float:
        return frame_time(self.start, self.frame, self.fps)

    def time_of(self, frame: int) -> float:
        return frame_time(self.start, frame, self.fps)

    def tick(self) -> float:
        self.frame += 1
        return self.time


class RealtimeClock:
    """Live time for the window: the piece's time advances with the wall clock times ``scale``.

    Pausing freezes piece time; a change of ``scale`` keeps time continuous. Time is kept as a
    float64 anchor plus a short wall-clock span, so precision never degrades with uptime.
    """

    def __init__(self, start: float = 0.0, now: Callable[[], float] = _time.perf_counter) -> None:
        _check_start(start)
        self._now = now
        self._anchor_piece = start
        self._anchor_wall = now()
        self._scale = 1.0
        self.paused = False

    @property
    def time(self) -> float:
        if self.paused:
            return self._anchor_piece
        return self._anchor_piece + (self._now() - self._anchor_wall) * self._scale

    def _rebase(self) -> None:
        self._anchor_piece = self.time
        self._anchor_wall = self._now()

    def set_scale(self, scale: float) -> None:
        if not (scale >= 0 and math.isfinite(scale)):
            raise ConfigError(f"scale = {scale!r} is out of range: allowed [0, inf), finite")
        if scale != self._scale:
            self._rebase()
            self._scale = scale

    def set_paused(self, paused: bool) -> None:
        if paused != self.paused:
            self._rebase()
            self.paused = paused
            self._anchor_wall = self._now()

    def step(self, seconds: float) -> None:
        """Advance piece time by hand (the single-frame step while paused)."""
        self._anchor_piece += seconds
