"""The watchdog's judgement, apart from processes so tests can drive it with made-up times.

``Judge.check`` reads the piece's latest heartbeat (see ``health.Heartbeat``) and says why the
piece should be restarted, or None: its heartbeat is older than ``stale`` seconds, or its picture
has stayed frozen (same signature) or black for ``frozen`` / ``black`` seconds. A heartbeat from
an earlier process, or from another pid, is ignored; a new process gets ``grace`` seconds to
write its first one.
Pictures marked ``dark`` (closed by --hours) are neither black nor frozen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass
class Judge:
    stale: float = 6.0
    frozen: float = 8.0
    black: float = 120.0
    grace: float = 60.0
    black_luma: float = 2.0  # mean luminance (0..255) below which a frame counts as black
    started_wall: float = 0.0  # wall time the current process started
    pid: int | None = None  # the current process: a heartbeat from any other is not its own
    started: float = 0.0  # watchdog clock when it started
    _sig: object = None
    _sig_since: float = 0.0
    _black_since: float | None = None
    seen: bool = False  # a heartbeat from this process has arrived

    def start(self, now: float, wall: float, pid: int | None = None) -> None:
        self.started, self.started_wall, self.pid = now, wall, pid
        self._sig, self._sig_since, self._black_since = None, now, None
        self.seen = False

    def check(self, now: float, wall: float, hb: Mapping[str, object] | None) -> str | None:
        """``now``: the watchdog's monotonic clock; ``wall``: time.time() to compare with the
        heartbeat's own timestamp. Returns a reason to restart, or None."""
        beat = hb.get("time") if hb else None
        fresh = isinstance(beat, (int, float)) and beat >= self.started_wall
        if fresh and self.pid is not None and hb is not None and hb.get("pid") != self.pid:
            fresh = False  # another process wrote it (an orphan of an earlier watchdog)
        if not fresh:
            if now - self.started > self.grace:
                return f"no heartbeat within {self.grace:g} s of starting"
            return None
        assert hb is not None and isinstance(beat, (int, float))
        self.seen = True
        age = wall - beat
        if age > self.stale:
            return f"heartbeat is {age:.1f} s old (limit {self.stale:g} s)"
        if hb.get("dark"):
            self._sig, self._sig_since, self._black_since = None, now, None
            return None
        sig = hb.get("sig")
        if sig != self._sig:
            self._sig, self._sig_since = sig, now
        elif now - self._sig_since > self.frozen:
            return f"picture frozen for {now - self._sig_since:.1f} s (limit {self.frozen:g} s)"
        luma = hb.get("luma")
        if isinstance(luma, (int, float)) and luma < self.black_luma:
            if self._black_since is None:
                self._black_since = now
            elif now - self._black_since > self.black:
                return f"picture black for {now - self._black_since:.1f} s (limit {self.black:g} s)"
        else:
            self._black_since = None
        return None
