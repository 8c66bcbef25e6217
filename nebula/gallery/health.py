"""Health: a heartbeat file for the watchdog, a rotating log, and figures once a minute.

The heartbeat is a small JSON file replaced atomically every few seconds. Besides a timestamp
and the frame counter it carries a signature of the picture (mean luminance and a checksum of a
downsampled frame), so the watchdog can tell a black or frozen picture from a live one without
taking screenshots, and a ``dark`` flag so the opening-hours blackout is not taken for a fault.
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.handlers
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nebula import files

LOGGER_NAME = "nebula"
LOG_MAX_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 3
HEARTBEAT_SECONDS = 1.0
REPORT_SECONDS = 60.0


# ---------------------------------------------------------------------------- memory


def rss_mb() -> float:
    """Resident memory now, in MiB (Linux /proc; elsewhere the peak from getrusage)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1024.0  # kilobytes on Linux (and this fallback is not for macOS precision)


# ---------------------------------------------------------------------------- frame times


class FrameStats:
    """Frame times in a ring allocated once (nothing grows however long the show runs)."""

    def __init__(self, capacity: int = 3600) -> None:
        self._ring = np.zeros(capacity, dtype=np.float64)
        self._n = 0
        self._i = 0

    def add(self, seconds: float) -> None:
        self._ring[self._i] = seconds
        self._i = (self._i + 1) % len(self._ring)
        self._n = min(self._n + 1, len(self._ring))

    def clear(self) -> None:
        self._n = self._i = 0

    @property
    def count(self) -> int:
        return self._n

    def percentile_ms(self, q: float) -> float:
        if self._n == 0:
            return 0.0
        return float(np.percentile(self._ring[: self._n], q)) * 1000.0

    def fps(self) -> float:
        if self._n == 0:
            return 0.0
        total = float(self._ring[: self._n].sum())
        return self._n / total if total > 0 else 0.0


# ---------------------------------------------------------------------------- heartbeat


@dataclass
class Heartbeat:
    """Writes ``path`` every ``every`` seconds: {time, frame, pid, luma, sig, dark, scale}."""

    path: Path
    every: float = HEARTBEAT_SECONDS
    log: logging.Logger | None = None
    #: Why the last write failed, or None when it succeeded.
    failing: str | None = None
    _last: float = field(default=-1e18)

    def due(self, now: float) -> bool:
        return now - self._last >= self.every

    def write(
        self,
        now: float,
        frame: int,
        luma: float,
        sig: int,
        *,
        dark: bool = False,
        extra: dict[str, object] | None = None,
    ) -> None:
        self._last = now
        data: dict[str, object] = {
            "time": time.time(),
            "frame": frame,
            "pid": os.getpid(),
            "luma": round(luma, 3),
            "sig": sig,
            "dark": dark,
            **(extra or {}),
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            files.replace(self.path, json.dumps(data).encode("utf-8"))  # never half a file
        except OSError as e:
            # A full disk or a vanished folder must not end the show: the watchdog sees the
            # heartbeat go stale and decides; we say so once per failing streak.
            if self.failing is None:
                self.failing = f"{e.strerror or e}"
                if self.log is not None:
                    self.log.error("cannot write heartbeat %s: %s", self.path, self.failing)
            return
        if self.failing is not None and self.log is not None:
            self.log.info("heartbeat %s written again", self.path)
        self.failing = None


def read_heartbeat(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# ---------------------------------------------------------------------------- logging


def setup_logging(
    path: Path | None, *, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS
) -> logging.Logger:
    """The "nebula" logger: a rotating, size-capped file (at most (backups + 1) x max_bytes)
    when ``path`` is given, and stderr always (the journal keeps it under systemd)."""
    log = logging.getLogger(LOGGER_NAME)
    log.setLevel(logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    for h in list(log.handlers):
        if getattr(h, "_nebula", False):
            log.removeHandler(h)
            h.close()
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    problem = None
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(_QuietRotatingFile(path, max_bytes, backups))
        except OSError as e:
            # A read-only or full state folder must not stop the show: stderr (the journal
            # under systemd) still gets every line.
            problem = f"cannot write log file {path}: {e.strerror or e}; logging to stderr only"
    for h in handlers:
        h.setFormatter(fmt)
        h._nebula = True  # type: ignore[attr-defined]
        log.addHandler(h)
    log.propagate = False
    if problem:
        log.error(problem)
    return log


class _QuietRotatingFile(logging.handlers.RotatingFileHandler):
    """A rotating log that, when a write fails (a disk filled up), says so once on stderr
    instead of printing a traceback for every line, and tries again with the next line."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        self.failing = False

    def close(self) -> None:
        try:
            super().close()
        except OSError:  # flushing lines that no longer fit
            self.stream = None

    def handleError(self, record: logging.LogRecord) -> None:
        if not self.failing:
            self.failing = True
            print(
                f"nebula: cannot write log file {self.baseFilename}; lines go to stderr only",
                file=sys.stderr,
            )
            if self.stream is not None:
                with contextlib.suppress(Exception):
                    self.stream.close()
            self.stream = None  # reopened by the next emit


@dataclass
class MinuteReport:
    """Logs fps, frame-time p50/p99, RSS and the GL object count every ``every`` seconds."""

    log: logging.Logger
    every: float = REPORT_SECONDS
    _last: float | None = None

    def due(self, now: float) -> bool:
        return self._last is None or now - self._last >= self.every

    def maybe_log(self, now: float, stats: FrameStats, gl_objects: int, **extra: object) -> bool:
        if self._last is None:
            self._last = now  # the first minute starts now, not at the epoch
            return False
        if now - self._last < self.every:
            return False
        self._last = now
        tail = "".join(f" {k}={v}" for k, v in extra.items())
        self.log.info(
            "health fps=%.1f frame_ms_p50=%.2f frame_ms_p99=%.2f rss_mb=%.1f gl_objects=%d%s",
            stats.fps(),
            stats.percentile_ms(50),
            stats.percentile_ms(99),
            rss_mb(),
            gl_objects,
            tail,
        )
        stats.clear()
        return True
