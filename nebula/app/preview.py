"""What the frames show while the piece's clock stands (paused, or time_scale 0).

A change to the picture takes effect on the next simulation step, and while the clock stands no
step comes: the edits would wait unseen. So the frames show them meanwhile, gliding on the wall
clock. When the clock runs again, ``settle`` makes the glides so far one event of the next
step: what the piece shows after it is the same live and replayed (the frames of the standing
step itself are live only, and no replay draws them).
"""

from __future__ import annotations

from typing import Protocol

from nebula.config import Params
from nebula.control.events import Event
from nebula.control.timeline import Timeline


class ShowPreviewed(Protocol):
    """What the preview uses of a Show (nebula.app.show)."""

    params: Params
    wanted: dict[str, float]
    timeline: Timeline

    @property
    def frozen(self) -> bool: ...

    def apply(self, event: Event) -> bool: ...


class Preview:
    """The standing clock's preview of one Show."""

    def __init__(self, show: ShowPreviewed) -> None:
        self.show = show
        self._params: Params | None = None
        self._settled = False

    @property
    def active(self) -> bool:
        return self._params is not None

    @property
    def shown(self) -> dict[str, float]:
        """The parameter values the frames show now (the preview's while the clock stands)."""
        p = self._params if self._params is not None else self.show.params
        return dict(p.values)

    def values(self, dt: float) -> dict[str, float] | None:
        """The values this frame shows, ``dt`` wall seconds after the last; None when the
        piece's own parameters are shown (the clock runs, or nothing waits)."""
        show = self.show
        if self._params is None:
            if not (show.frozen and show.timeline.pending):
                return None
            params = show.params
            self._params = Params(dict(params.values), dict(params.targets))
        if not show.frozen:
            self.settle()
        if not self._settled:  # settled: held as the event has them until its step
            self._params.apply(show.wanted)
            self._params.update(dt)
        return self._params.values

    def drawn(self) -> None:
        """After a frame: the preview ends once the timeline has applied the edits."""
        if self._params is not None and self.show.timeline.pending == 0 and not self.show.frozen:
            self._params, self._settled = None, False

    def settle(self) -> None:
        """The preview's glides as an event on the next step (once a standing spell ends)."""
        p = self._params
        if p is None or self._settled:
            return
        self._settled = True
        value: dict[str, object] = {"values": dict(p.values), "targets": dict(p.targets)}
        self.show.apply(Event("key", "settle", value))
