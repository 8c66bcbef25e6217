"""The inbox events wait in between the thread that posts them (OSC, MIDI) and the one that
takes them (the show's frame; the OSC receiver's next batch).

A fader sends far more often than frames come, so the inbox keeps a parameter's latest value
only: a newer value from the same source replaces the one still waiting, in its place (the
order of the rest is kept). Every other event waits in the order it came. A full inbox (a
flood) refuses what comes and counts it.
"""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nebula.control.events import Event

#: Events waiting at most; a flood beyond it is dropped (and counted).
INBOX_SIZE = 4096


def inbox_key(ev: Event, serial: int) -> object:
    """Where an event waits: by source and parameter, else by its ``serial`` number."""
    return (ev.source, ev.target) if ev.param is not None else serial


class Inbox:
    """Events posted from any thread, taken oldest first; ``size`` None: no bound."""

    def __init__(self, size: int | None = INBOX_SIZE) -> None:
        self.size = size
        self._waiting: dict[object, Event] = {}  # in order of arrival
        self._lock = threading.Lock()
        self._posted = 0
        self.dropped = 0  # events refused because the inbox was full
        self.coalesced = 0  # parameter values replaced by a newer one before they were taken

    def post(self, ev: Event) -> bool:
        """Leave ``ev`` for the taker; False when the inbox is full (dropped and counted)."""
        with self._lock:
            self._posted += 1
            key = inbox_key(ev, self._posted)
            if key in self._waiting:
                self._waiting[key] = ev  # keeps its place, takes the newer value
                self.coalesced += 1
                return True
            if self.size is not None and len(self._waiting) >= self.size:
                self.dropped += 1
                return False
            self._waiting[key] = ev
        return True

    def take(self, limit: int | None = None) -> list[Event]:
        """The events waiting, oldest first, at most ``limit`` (the rest wait on)."""
        with self._lock:
            if limit is None or limit >= len(self._waiting):
                taken, self._waiting = list(self._waiting.values()), {}
                return taken
            keys = list(itertools.islice(self._waiting, max(limit, 0)))
            return [self._waiting.pop(k) for k in keys]

    def __len__(self) -> int:
        with self._lock:
            return len(self._waiting)
