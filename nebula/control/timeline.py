"""The timeline: the world's ``Controls``. Parameters glide once a fixed step and events take
effect on the step they are stamped with, so what a frame shows is a function of its piece
time and the events before it: the live piece and a replay of its journal draw the same.

Live, ``submit`` stamps an event with the next step (the world stands on a step it has already
drawn; changing it there would show differently on frames drawn before and after the change at
one piece time). A replay ``schedule``s a journal's events, which carry their steps.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

from nebula.config import Params
from nebula.control.events import Event, EventError, apply_state
from nebula.sim.world import World


class Timeline:
    def __init__(self, world: World, params: Params) -> None:
        self.world = world
        self.params = params
        self.dt = world.dt
        self._pending: list[Event] = []  # by step; ties keep their order of arrival
        self._steps: list[int] = []
        self.applied = 0  # state events applied so far
        self.index = world.index  # the last step reached
        #: Called on reaching a cycle's first step, before what is due there (the journal
        #: starts a new file there: the world starts the cycle afresh from its seed).
        self.on_cycle: Callable[[int], None] | None = None

    # ------------------------------------------------------------------ Controls

    def reach(self, index: int) -> float:
        if index != self.index and index % self.world.cycle_steps == 0 and self.on_cycle:
            self.on_cycle(index)
        self.index = index
        n = bisect.bisect_right(self._steps, index)
        if n:
            due, self._pending, self._steps = self._pending[:n], self._pending[n:], self._steps[n:]
            for ev in due:
                apply_state(ev, self.params, self.world)
            self.applied += n
        return self.params.values["share_rate"]

    def glide(self) -> None:
        self.params.update(self.dt)

    def skip(self, start: int, stop: int) -> None:
        # Step by step only while something glides or an event falls due: a seek 30 days into
        # a run is millions of steps, and settled parameters do not change over them.
        i = start
        while i < stop:
            self.reach(i)
            if self.params.values == self.params.targets:
                nxt = self._steps[0] if self._steps else stop
                if nxt > i + 1:
                    i = min(nxt, stop)
                    continue
            self.glide()
            i += 1

    # ------------------------------------------------------------------ events

    def submit(self, ev: Event, time: float) -> Event:
        """Stamp a live state event with the step after the one the world stands on, queue it,
        and return it stamped (as the journal writes it)."""
        stamped = ev.stamped(self.world.index + 1, time)
        self._queue(stamped)
        return stamped

    def schedule(self, events: Iterable[Event]) -> None:
        """Queue stamped events (a journal's) to take effect on their steps."""
        for ev in events:
            if ev.step is None:
                raise EventError(f"event {ev.target!r} has no step")
            if ev.step <= self.index and ev.step < self.world.index:
                raise EventError(f"event {ev.target!r} at step {ev.step} is already past")
            self._queue(ev)

    def _queue(self, ev: Event) -> None:
        assert ev.step is not None and ev.changes_state
        at = bisect.bisect_right(self._steps, ev.step)
        self._steps.insert(at, ev.step)
        self._pending.insert(at, ev)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def queued(self) -> list[Event]:
        """The events sent that have not taken effect yet, in the order they will."""
        return list(self._pending)

    # ------------------------------------------------------------------ frames

    def advance_to(self, t: float) -> dict[str, float]:
        """Bring the world to piece time ``t``; the parameter values a frame at ``t`` shows.

        Forward only once events are in play: parameters cannot glide backwards.
        """
        world = self.world
        if world.index_at(t) < world.index and (self.applied or self._pending):
            raise EventError(
                f"the timeline runs forwards: t = {t:g} s is before step {world.index}"
            )
        world.advance_to(t, controls=self)
        return self.params.at(world.offset_of(t))
