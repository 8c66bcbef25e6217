"""What a follower joining the wall is sent of its events: the parameters as they stand at the
start of the cycle now showing, as one ``settle`` event on that cycle's first step, and the
events stamped since. A cycle starts afresh from the seed (nebula.sim.world), so the shares of
earlier cycles change nothing a frame of this one shows; only the parameters carry over, and
their glides are a function of steps, computed here as the timeline does (nebula.control
.timeline: on each step the events due, then one glide). So the welcome stays the size of one
cycle's events however long the wall has run, and a follower that joins draws what one that
took every event draws. No GL, no world: a leader runs on any machine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nebula.config import Params, Settings
from nebula.control.events import Event, apply_state
from nebula.sim.world import World


class _NoWorld:
    """Where a share would go: a cycle's shares are its own, so a snapshot has none."""

    def request_share(self, speaker: int = 0) -> None:
        pass


class Snapshot:
    """The wall's events from its start, kept as a snapshot at the current cycle's start."""

    def __init__(self, settings: Settings, params: Mapping[str, float]) -> None:
        self.params = Params()
        self.params.apply(params, immediate=True)
        self.dt = 1.0 / settings.sim_hz
        self.cycle_steps = World(settings).cycle_steps
        self.step = 0  # the step the parameters stand at, before its events and glide
        self.settle: dict[str, object] | None = None  # the snapshot, from the second cycle
        self.events: list[dict[str, object]] = []  # stamped at ``step`` or later, in order

    def add(self, events: list[dict[str, object]]) -> None:
        """Events as the leader broadcasts them (stamped, in the order they take effect)."""
        self.events += events

    def welcome(self) -> list[dict[str, object]]:
        """What a joining follower schedules: the snapshot, then the events since it."""
        return ([self.settle] if self.settle is not None else []) + self.events

    def to_cycle_of(self, step: int) -> None:
        """Move the snapshot to the first step of the cycle that ``step`` is in."""
        start = step - step % self.cycle_steps
        if start <= self.step:
            return
        due = [Event.from_json(e) for e in self.events]
        k, i = 0, self.step
        while i < start:  # Timeline.skip's steps: the events due, then a glide
            while k < len(due) and _step(due[k]) <= i:
                apply_state(due[k], self.params, _NoWorld())  # type: ignore[arg-type]
                k += 1
            if self.params.values == self.params.targets:
                nxt = _step(due[k]) if k < len(due) else start
                if nxt > i + 1:
                    i = min(nxt, start)
                    continue
            self.params.update(self.dt)
            i += 1
        self.events = self.events[k:]
        self.step = start
        value: dict[str, Any] = {
            "values": dict(self.params.values),
            "targets": dict(self.params.targets),
        }
        self.settle = Event("osc", "settle", value).stamped(start, start * self.dt).to_json()


def _step(ev: Event) -> int:
    assert ev.step is not None
    return ev.step
