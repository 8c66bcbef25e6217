"""The watchdog's judgement and loop, apart from processes so tests drive them with made-up times.

``Judge.check`` reads the piece's latest heartbeat (see ``health.Heartbeat``) and says why the
piece should be restarted, or None: its heartbeat is older than ``stale`` seconds, or its picture
has stayed frozen (same signature) or black for ``frozen`` / ``black`` seconds. A heartbeat from
an earlier process, or from another pid, is ignored; a new process gets ``grace`` seconds to
write its first one.
Pictures marked ``dark`` (closed by --hours) are neither black nor frozen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol


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


class Process(Protocol):
    """What the supervisor needs of a started piece (subprocess.Popen has it)."""

    pid: int

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...


@dataclass
class Supervisor:
    """The watchdog's loop: start the piece, judge it every ``poll`` seconds, restart it.

    Everything outside (processes, clocks, sleeping, the heartbeat file) comes in as callables,
    so tests run weeks of restarts in microseconds. A clean exit (status 0) ends it with 0; a
    failure is restarted at once the first time, then after a doubling wait up to
    ``max_backoff`` while it keeps failing; a run of over ``good_run`` seconds resets the wait.
    """

    judge: Judge
    spawn: Callable[[], Process]
    stop: Callable[[Process], None]
    read_beat: Callable[[], Mapping[str, object] | None]
    monotonic: Callable[[], float]
    wall: Callable[[], float]
    sleep: Callable[[float], None]
    log: logging.Logger
    poll: float = 0.25
    max_backoff: float = 4.0
    max_restarts: int = 0  # 0: never give up
    good_run: float = 60.0
    stopping: bool = False  # set by a signal handler: stop the piece, then return 0
    restarts: int = 0
    #: Told why the piece ended each time it does (None: cleanly), before it is restarted.
    ended: Callable[[str | None], None] = lambda reason: None

    def run(self) -> int:
        backoff = 0.0
        while not self.stopping:
            began = self.monotonic()
            proc = self.spawn()  # an OSError is the caller's: the command cannot start at all
            self.judge.start(began, self.wall(), proc.pid)
            reason = self._watch(proc)
            self.stop(proc)
            self.ended(reason)
            if reason is None:  # a clean exit or a stop signal
                return 0
            self.restarts += 1
            if self.monotonic() - began > self.good_run:
                backoff = 0.0
            self.log.warning("restart %d (%s) in %.1f s", self.restarts, reason, backoff)
            if self.max_restarts and self.restarts >= self.max_restarts:
                self.log.error("gave up after %d restarts", self.restarts)
                return 1
            deadline = self.monotonic() + backoff
            while not self.stopping and self.monotonic() < deadline:
                self.sleep(min(0.05, deadline - self.monotonic()))
            backoff = min(self.max_backoff, max(0.5, backoff * 2))
        return 0

    def _watch(self, proc: Process) -> str | None:
        """Why the piece must restart, or None when it ended cleanly or we are stopping."""
        while not self.stopping:
            self.sleep(self.poll)
            code = proc.poll()
            if code == 0:
                self.log.info("the piece exited cleanly (status 0): not restarting")
                return None
            if code is not None:
                return f"exited with status {code}"
            reason = self.judge.check(self.monotonic(), self.wall(), self.read_beat())
            if reason is not None:
                return reason
        self.log.info("stopped")
        return None
