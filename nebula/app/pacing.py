"""A ceiling on the live loop's frame rate, for when vsync does not hold frames to the display.

Vsync is asked for but not promised: Xvfb, some drivers and compositors, and a window that is
hidden or on a display that sleeps all let buffer swaps return at once. Left alone, the loop then
draws thousands of frames a second that nobody sees, for weeks in a gallery: heat, fans, power.

The pacer keeps a schedule of frame deadlines (not a sleep of one period after each frame, which
would add the frame's own time to every period and drift). A loop that falls behind gives up the
missed deadlines rather than bursting to catch up. Time comes in from outside, so it is tested
without a clock or a window.
"""

from __future__ import annotations

#: The default ceiling: above the refresh of common displays (60, 75, 90, 120 Hz), so where vsync
#: works it never acts, and far below the rate of an unsynced loop.
DEFAULT_MAX_FPS = 120.0


class FramePacer:
    """``wait(now)`` before each frame: how long to sleep before starting it (0 when late).

    Frame starts are held ``1 / max_fps`` apart at least; ``max_fps`` 0 turns the ceiling off.
    """

    def __init__(self, max_fps: float) -> None:
        if max_fps < 0:
            raise ValueError(f"max_fps must be 0 (no ceiling) or more, got {max_fps:g}")
        #: Seconds between frame deadlines; 0 means no ceiling.
        self.period = 1.0 / max_fps if max_fps > 0 else 0.0
        self._due: float | None = None

    def wait(self, now: float) -> float:
        if self.period == 0.0:
            return 0.0
        due = now if self._due is None else self._due + self.period
        if due < now:
            due = now  # behind schedule: start afresh from now instead of rushing
        self._due = due
        return due - now
