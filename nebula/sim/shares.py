"""Shares: a speaker opens up to the listeners. A seeded event process per cycle.

The rate follows the arc (story.share_rate) times the live share-rate parameter. Events come
from a hazard budget: an exponential draw is spent as the integrated rate grows, so the process
costs nothing per step and changes of rate take effect at once, deterministically.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from nebula.sim import story
from nebula.sim.figures import DREAMER, named_figures
from nebula.sim.story import Phase


@dataclass(frozen=True)
class Share:
    speaker: int
    listeners: tuple[int, ...]
    intensity: float
    time: float  # seconds into the cycle
    requested: bool = False
    #: Word-birds it sends up (a voice's share: one flock a word it spoke); None: the usual.
    birds: int | None = None


class ShareProcess:
    """Decides who shares when. One instance per cycle, seeded from (seed, cycle index)."""

    def __init__(self, n_figures: int, cycle_seconds: float, rng: np.random.Generator) -> None:
        self.n = n_figures  # not counting the dreamer
        self.cycle_seconds = cycle_seconds
        self.rng = rng
        self._budget = float(rng.exponential())
        self._spent = 0.0
        woman, man = named_figures(n_figures)
        # Resonance: the woman with nebula eyes first, then the man of moonlight and shadow,
        # then the others in a seeded order, over and over.
        others = [i for i in range(1, n_figures + 1) if i not in (woman, man)]
        rng.shuffle(others)
        self._order = [woman, man, *others]
        self._next_in_order = 0
        self._requests: deque[tuple[int, float | None, int | None]] = deque()
        self.log: list[Share] = []

    def request(
        self, speaker: int = DREAMER, intensity: float | None = None, birds: int | None = None
    ) -> None:
        """A share on demand (the window's hotkey, a voice heard); it happens on the next step,
        with ``intensity`` (0..1) and ``birds`` where given."""
        if not 0 <= speaker <= self.n:
            raise ValueError(f"speaker must be in [0, {self.n}] (got {speaker})")
        self._requests.append((speaker, intensity, birds))

    def _make(
        self,
        speaker: int,
        t: float,
        requested: bool,
        intensity: float | None = None,
        birds: int | None = None,
    ) -> Share:
        listeners = tuple(i for i in range(self.n + 1) if i != speaker)
        drawn = float(self.rng.uniform(0.55, 1.0))  # drawn always: the arc's draws stay in step
        share = Share(speaker, listeners, drawn if intensity is None else intensity, t, requested,
                      birds)  # fmt: skip
        self.log.append(share)
        return share

    def _pick_speaker(self, phase: Phase) -> int:
        if phase == Phase.SPEAKING:
            return DREAMER
        if phase == Phase.RESONANCE and self._next_in_order < len(self._order):
            s = self._order[self._next_in_order]
            self._next_in_order += 1
            return s
        # Unity (or resonance once everyone has spoken): anyone, the dreamer included.
        return int(self.rng.integers(0, self.n + 1))

    def step(self, cycle_t: float, dt: float, rate_scale: float) -> Share | None:
        """Advance by dt (seconds); returns the share that happens in this step, if any.

        At most one share per step: a second request waits for the next step.
        """
        if self._requests:
            speaker, intensity, birds = self._requests.popleft()
            return self._make(speaker, cycle_t, True, intensity, birds)
        ref_dt = dt * story.REFERENCE_CYCLE / self.cycle_seconds
        self._spent += story.share_rate(cycle_t, self.cycle_seconds) * rate_scale * ref_dt
        if self._spent < self._budget:
            return None
        self._spent = 0.0
        self._budget = float(self.rng.exponential())
        return self._make(
            self._pick_speaker(story.phase_at(cycle_t, self.cycle_seconds)),
            cycle_t,
            requested=False,
        )
