"""What every section of the bench shares: its figures' type and how it speaks."""

from __future__ import annotations

import sys
import time
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
