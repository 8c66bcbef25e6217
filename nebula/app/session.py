"""The live session's journal: a Show's events and frame signatures into a JournalWriter
(nebula.control.journal), from its listeners. ``nebula run --journal FILE``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from nebula.app.show import Show
from nebula.control.events import Event
from nebula.control.journal import SIGNATURE_FRAMES, JournalWriter, Signature, header
from nebula.signature import frame_signature

LOG = logging.getLogger("nebula.journal")


class SessionJournal:
    """Writes ``show``'s session to ``path`` (a new file: an existing one is refused with
    FileExistsError). ``max_bytes``: rotate past this size at a cycle's start (installation
    mode keeps ``keep`` old files)."""

    def __init__(
        self,
        show: Show,
        path: Path,
        *,
        max_bytes: int | None = None,
        keep: int = 3,
        every: int = SIGNATURE_FRAMES,
    ) -> None:
        self.show = show
        self.every = every
        self.writer = JournalWriter(path, self._header(), max_bytes=max_bytes, keep=keep)
        self._frames = 0
        #: Why the journal stopped writing, once it has (see _writing).
        self.stopped: str | None = None
        show.listeners.append(self.event)
        show.frame_listeners.append(self.frame)
        show.timeline.on_cycle = self.cycle

    def _header(self) -> dict[str, object]:
        s = self.show
        return header(
            s.settings,
            s.preset_name,
            s.params,
            s.time,
            s.world.index,
            s.window_size,
            s.renderer.size,
        )

    def _write(self, write: Callable[[], None]) -> None:
        """Run one write. A journal that cannot be written (a full disk, a folder gone) stops,
        said once on screen and in the log; the show goes on, and what was written stays
        readable (a torn last line is left out when it is read)."""
        if self.stopped is not None:
            return
        try:
            write()
        except OSError as e:
            self.stopped = f"journal {self.writer.path} stopped: {e.strerror or e}"
            LOG.error("%s", self.stopped)
            self.show.message(self.stopped, error=True)
            with suppress(OSError):
                self.writer.close()

    def event(self, ev: Event) -> None:
        self._write(lambda: self.writer.event(ev))

    def frame(self, t: float) -> None:
        s = self.show
        self._frames += 1
        if self.stopped is not None:
            return
        if self._frames % self.every != 1 and self.every > 1:
            return
        # The preview of a standing clock is the live piece's own: no replay draws it.
        if s.drew_preview:
            return
        luma, crc = frame_signature(s.renderer.read())
        sig = Signature(t, s.world.index, round(luma, 4), crc)
        self._write(lambda: self.writer.signature(sig))

    def cycle(self, index: int) -> None:
        """The timeline reached a cycle's first step: past its size, the journal moves on to a
        new file that starts here (the parameters now, the events still to come), which
        replays alone."""
        if self.stopped is not None or not self.writer.full:
            return
        s = self.show
        k = index // s.world.cycle_steps
        head = header(
            s.settings,
            s.preset_name,
            s.params,
            k * s.settings.cycle_seconds,
            index,
            s.window_size,
            s.renderer.size,
        )
        self._write(lambda: self.writer.rotate(head, s.timeline.queued()))

    def close(self) -> None:
        self._write(self.writer.close)
