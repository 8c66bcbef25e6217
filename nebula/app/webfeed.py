"""The show's side of its page (nebula.web): each frame, when due, its status and a small
frame go into the page's folder (nebula.web.feed), for the page's server to serve."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from nebula.gallery.health import FrameStats, rss_mb
from nebula.presets import list_presets
from nebula.render.context import live_objects
from nebula.web.feed import Feed

#: The preset list is read again this often (seconds): a preset saved meanwhile appears.
PRESETS_SECONDS = 10.0


class ShowFeed:
    """A frame listener of ``show`` (a nebula.app.show.Show) writing ``feed``."""

    def __init__(
        self,
        show: Any,
        feed: Feed,
        *,
        hours: str | None = None,
        state: Callable[[], str] = lambda: "running",
        extra: Callable[[], dict[str, object]] = dict,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.show = show
        self.feed = feed
        self.hours = hours
        self.state = state
        self.extra = extra
        self.clock = clock
        self.started = time.time()
        self.stats = FrameStats(600)
        self._last: float | None = None
        self._presets: list[str] = []
        self._presets_at = -PRESETS_SECONDS

    def __call__(self, piece_time: float) -> None:
        now = self.clock()
        if self._last is not None:
            self.stats.add(now - self._last)
        self._last = now
        if self.feed.frame_due(now):
            self.feed.frame(now, self.show.piece.read())
        if self.feed.status_due(now):
            self.feed.status(now, self.status(now))

    def idle(self, now: float) -> None:
        """While the installation is closed for the night: the status only, so saying."""
        now = self.clock()
        self._last = None  # the night is no frame time
        if self.feed.status_due(now):
            self.feed.status(now, {**self.status(now), "state": "closed for the night"})

    def status(self, now: float) -> dict[str, object]:
        show, world = self.show, self.show.world
        if now - self._presets_at >= PRESETS_SECONDS:
            self._presets, self._presets_at = list_presets(), now
        return {
            "state": self.state(),
            "pid": os.getpid(),
            "uptime_s": round(time.time() - self.started, 1),
            "fps": round(self.stats.fps(), 2),
            "frame_ms_p50": round(self.stats.percentile_ms(50), 2),
            "frame_ms_p99": round(self.stats.percentile_ms(99), 2),
            "render_scale": show.render_scale,
            "memory_mb": round(rss_mb(), 1),
            "gl_objects": live_objects(show.ctx),
            "phase": world.phase.name.lower(),
            "piece_time": round(show.time, 2),
            "cycle": world.cycle,
            "cycle_t": round(world.cycle_t, 2),
            "cycle_seconds": show.settings.cycle_seconds,
            "paused": bool(show.clock.paused),
            "hours": self.hours,
            "params": dict(show.params.values),
            "preset": show.preset_name,
            "presets": self._presets,
            **self.extra(),
        }
