"""Installation: the gallery pieces around the live loop's frame, behind one small object.

The window's loop calls ``key_down`` / ``key_up`` / ``focus_lost`` from its events and
``frame(now, draw)`` instead of drawing directly; everything else (key lock, opening hours,
render scale, heartbeat, minute log, fault retries) happens in here. It talks to the show
through the few attributes ``ShowLike`` names, so it needs no window and tests drive it with
a fake show and made-up times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from nebula.gallery.faults import FrameGuard, context_alive
from nebula.gallery.health import (
    FrameStats,
    Heartbeat,
    MinuteReport,
    setup_logging,
)
from nebula.gallery.hours import seconds_of_day
from nebula.gallery.keylock import KeyLock
from nebula.gallery.options import GalleryOptions
from nebula.gallery.scaler import RenderScaler
from nebula.render.context import live_objects
from nebula.signature import frame_signature


class ShowLike(Protocol):
    ctx: Any
    master: float
    running: bool
    frames: int
    render_scale: float
    piece: Any  # nebula.piece.Piece: read() is the frame shown
    idle_listeners: list[Callable[[float], None]]

    def set_render_scale(self, scale: float) -> None: ...
    def message(self, text: str, *, error: bool = ..., seconds: float = ...) -> None: ...


class Installation:
    def __init__(
        self,
        show: ShowLike,
        options: GalleryOptions,
        *,
        log: logging.Logger | None = None,
        local_time: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.show = show
        self.options = options
        self.log = log or setup_logging(options.log_file)
        self.local_time = local_time
        self.lock = KeyLock(options.installation, options.allow_hotkeys)
        # --render-scale (at most 1) is the ceiling the scaler returns to, never beyond.
        ceiling = min(1.0, show.render_scale)
        self.scaler = (
            RenderScaler(
                options.target_fps,
                min_scale=min(0.35, ceiling),
                max_scale=ceiling,
                scale=ceiling,
            )
            if options.target_fps
            else None
        )
        self.heartbeat = Heartbeat(options.heartbeat, log=self.log) if options.heartbeat else None
        self.stats = FrameStats()
        self.report = MinuteReport(self.log)
        self.guard = FrameGuard(self.log, probe=lambda: context_alive(show.ctx))
        self._last: float | None = None
        self._hinted = False
        self.brightness = 1.0
        self.log.info(
            "nebula started: installation=%s hours=%s target_fps=%s heartbeat=%s",
            options.installation,
            options.hours,
            options.target_fps,
            options.heartbeat,
        )

    # ------------------------------------------------------------------ keys

    def key_down(self, key: str, *, ctrl: bool, alt: bool, now: float) -> bool:
        """True when the window may dispatch the key's own binding."""
        allowed = self.lock.key_down(key, ctrl=ctrl, alt=alt, now=now)
        if self.lock.locked and key.lower() == "escape" and not self._hinted:
            # Logged, never shown: a hint on screen tells every visitor how to end the show.
            self._hinted = True
            self.log.info("Esc pressed (hold %g s to end the show)", self.lock.hold_seconds)
        return allowed

    def key_up(self, key: str, *, now: float) -> None:
        self.lock.key_up(key, now=now)
        if key.lower() == "escape":
            self._hinted = False

    def focus_lost(self) -> None:
        self.lock.focus_lost()

    # ------------------------------------------------------------------ the frame

    @property
    def closed(self) -> bool:
        """Fully dark outside the opening hours: the loop idles instead of drawing."""
        return self.options.hours is not None and self.brightness <= 0.0

    def frame(self, now: float, draw: Callable[[], object]) -> bool:
        """Run one frame through ``draw`` (the show's own frame); False when it should end.

        While ``closed`` it draws nothing (a black screen costs nothing to keep) but still
        writes the heartbeat, marked dark, and the minute report.
        """
        if self.lock.update(now):
            self.log.info("deliberate exit (held Esc or Ctrl+Alt+Q): status 0")
            self.show.running = False
            return False
        self._follow_hours()
        if self.closed:
            self._last = None  # idle gaps are not frame times
            if self.heartbeat is not None and self.heartbeat.due(now):
                self._beat(now, 0.0, 0, dark=True)
            self._report(now, brightness=0.0)
            for idle in self.show.idle_listeners:
                idle(now)
            return False
        ok = self.guard.run(draw, now)  # raises ShowExit when faults keep coming
        if self._last is not None:
            self._observe(now - self._last, scale=ok)
        self._last = now
        if ok and self.heartbeat is not None and self.heartbeat.due(now):
            self._beat(now, *frame_signature(self.show.piece.read()), dark=self.brightness <= 0)
        self._report(now, brightness=round(self.brightness, 3))
        return ok

    def _follow_hours(self) -> None:
        """Brightness from the opening hours (if any), logging each opening and closing."""
        hours = self.options.hours
        if hours is None:
            return
        was_closed = self.closed
        self.brightness = hours.brightness(seconds_of_day(self.local_time()))
        self.show.master = self.brightness
        if self.closed != was_closed:
            self.log.info("%s (--hours %s)", "closed: idling" if self.closed else "opening", hours)

    def _observe(self, dt: float, *, scale: bool) -> None:
        """Count one frame time; let the scaler follow it when the frame drew."""
        self.stats.add(dt)
        if scale and self.scaler is not None and self.scaler.observe(dt):
            self.show.set_render_scale(self.scaler.scale)
            self.log.info(
                "render scale %.2f (target %g fps)", self.scaler.scale, self.scaler.target_fps
            )

    def _beat(self, now: float, luma: float, sig: int, *, dark: bool) -> None:
        assert self.heartbeat is not None
        extra: dict[str, object] = {"scale": round(self.show.render_scale, 3)}
        self.heartbeat.write(now, self.show.frames, luma, sig, dark=dark, extra=extra)

    def _report(self, now: float, *, brightness: float) -> None:
        if self.report.due(now):  # counting GL objects walks them all: only once a minute
            # The inputs' counts too (OSC messages taken and refused, MIDI messages).
            counts = {k: v for c in getattr(self.show, "counts", ()) for k, v in c().items()}
            self.report.maybe_log(
                now,
                self.stats,
                live_objects(self.show.ctx),
                scale=round(self.show.render_scale, 3),
                brightness=brightness,
                **counts,
            )


def start_installation(show: ShowLike, options: GalleryOptions) -> Installation | None:
    """What `nebula run` calls once its window and Show exist: None when no gallery option is
    on; in installation mode it also hides the cursor and keeps the display awake."""
    if not options.active:
        return None
    inst = Installation(show, options)
    if options.installation:
        from nebula.gallery.display import keep_awake

        keep_awake(inst.log)
    return inst
