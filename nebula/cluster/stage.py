"""The leader as MIDI's stage (nebula.control.midi.Stage): a controller on the leader's machine
plays the whole wall. Its events go to the leader's inbox, which stamps and broadcasts them
with the next frame; the parameters' targets (what relative encoders and pickup step from)
follow every event the leader stamps, whatever its source, and MIDI's feedback hears them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from nebula.control import events
from nebula.control.events import Event
from nebula.control.inbox import Inbox


class LeaderStage:
    def __init__(self, inbox: Inbox, params: Mapping[str, float], log: logging.Logger) -> None:
        self._inbox = inbox
        self._wanted = dict(params)
        self._handlers: dict[str, Callable[[], None]] = {}
        self.log = log
        #: Called with every event the leader stamps (MIDI's feedback).
        self.listeners: list[Callable[[Event], None]] = []
        self.learn: Callable[[str], bool] | None = None  # (no parameter keys on a leader)

    @property
    def handlers(self) -> dict[str, Callable[[], None]]:
        return self._handlers

    @property
    def wanted(self) -> dict[str, float]:
        return self._wanted

    def post(self, event: Event) -> bool:
        return self._inbox.post(event)

    def message(self, text: str, *, error: bool = False) -> None:
        self.log.log(logging.WARNING if error else logging.INFO, "%s", text)

    def stamped(self, event: Event) -> None:
        """An event the leader stamped for the wall: the targets follow it, MIDI hears it."""
        after = events.targets_after(event, self._wanted)
        if after is not None:
            self._wanted = after[0]
        for listener in self.listeners:
            listener(event)
