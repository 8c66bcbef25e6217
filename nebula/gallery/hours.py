"""Opening hours: ``--hours 10:00-18:00`` fades the piece to black outside them and back in.

The piece keeps running while closed (no exit, no restart at opening); only its brightness
changes. Brightness is a pure function of the local time of day, so a show started in the
middle of the day is bright at once and a show started at night stays dark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

DAY = 86400.0
FADE_SECONDS = 60.0
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


class HoursError(ValueError):
    """A bad --hours value; the message says what is wrong and what a good one looks like."""


def _parse_clock(text: str, whole: str) -> int:
    m = _CLOCK.match(text.strip())
    if not m:
        raise HoursError(f"--hours {whole!r}: {text.strip()!r} is not HH:MM (for example 10:00)")
    h, mi = int(m.group(1)), int(m.group(2))
    if mi > 59 or h > 24 or (h == 24 and mi != 0):
        raise HoursError(
            f"--hours {whole!r}: {text.strip()!r} is not a time between 00:00 and 24:00"
        )
    return h * 3600 + mi * 60


@dataclass(frozen=True)
class Hours:
    """Open from ``start`` to ``end`` (seconds after midnight); end < start wraps midnight."""

    start: float
    end: float
    fade_seconds: float = FADE_SECONDS

    def __str__(self) -> str:
        def hm(x: float) -> str:
            return f"{int(x // 3600):02d}:{int(x % 3600 // 60):02d}"

        return f"{hm(self.start)}-{hm(self.end)}"

    def _since(self, boundary: float, sod: float) -> float:
        return (sod - boundary) % DAY

    def is_open(self, sod: float) -> bool:
        span = (self.end - self.start) % DAY
        return self._since(self.start, sod) < span

    def brightness(self, sod: float) -> float:
        """0 (closed, black) .. 1 (open) at ``sod`` seconds after local midnight.

        Ramps up over ``fade_seconds`` after opening and down over ``fade_seconds`` after
        closing, so the last visitors see the piece fade rather than cut.
        """
        sod = sod % DAY
        if self.fade_seconds <= 0:
            return 1.0 if self.is_open(sod) else 0.0
        if self.is_open(sod):
            return min(1.0, self._since(self.start, sod) / self.fade_seconds)
        return max(0.0, 1.0 - self._since(self.end, sod) / self.fade_seconds)


def parse_hours(text: str, fade_seconds: float = FADE_SECONDS) -> Hours:
    """``"10:00-18:00"`` or an overnight ``"22:00-02:00"``; ``24:00`` is allowed as an end."""
    parts = text.split("-")
    if len(parts) != 2:
        raise HoursError(f"--hours {text!r} is not OPEN-CLOSE (for example 10:00-18:00)")
    start, end = (_parse_clock(p, text) for p in parts)
    span = (end - start) % DAY
    if span == 0:
        raise HoursError(
            f"--hours {text!r}: that is open all day or never; leave --hours out to show all day"
        )
    if span < 2 * fade_seconds or DAY - span < 2 * fade_seconds:
        raise HoursError(
            f"--hours {text!r}: open and closed spans must each last at least "
            f"{2 * fade_seconds:g} s (two fades)"
        )
    return Hours(float(start), float(end % DAY), fade_seconds)


def seconds_of_day(when: datetime) -> float:
    """Local wall-clock time of day in seconds (the gallery's clock, daylight saving included)."""
    return when.hour * 3600 + when.minute * 60 + when.second + when.microsecond / 1e6
