"""What every section of the bench shares: its figures' type and how it speaks."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nebula.app.show import Show

#: A section's figures (nebula.bench merges every section's into one object).
Figures = dict[str, float | int | str]


def say(msg: str) -> None:
    """Progress on stderr, so stdout's last line stays the JSON object."""
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def ms(seconds: float) -> float:
    return round(seconds * 1e3, 4)


def show_rate(show: Show, seconds: float) -> tuple[int, float]:
    """The live loop for ``seconds`` (each frame drawn and finished, on the wall clock): the
    frames it drew and the seconds they took. Rates over alternating windows add these up."""
    t0 = last = time.perf_counter()
    n = 0
    while last - t0 < seconds:
        show.frame(last)
        show.ctx.finish()
        last = time.perf_counter()
        n += 1
    return n, last - t0


def alternating_rates(
    show: Show, windows: int, seconds: float, quiet: Callable[[], None], busy: Callable[[], None]
) -> tuple[float, float]:
    """The live loop's frames per second over ``windows`` pairs of windows of ``seconds``,
    ``quiet()`` called before each quiet one and ``busy()`` before each busy one: (quiet fps,
    busy fps), each over all its windows, so a burst of load skews one window, not the ratio."""
    totals = {"quiet": [0, 0.0], "busy": [0, 0.0]}
    for _ in range(windows):
        for name, switch in (("quiet", quiet), ("busy", busy)):
            switch()
            n, t = show_rate(show, seconds)
            totals[name][0] += n
            totals[name][1] += t
    return (totals["quiet"][0] / totals["quiet"][1], totals["busy"][0] / totals["busy"][1])
