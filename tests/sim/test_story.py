"""The arc: phases at the art direction's times (docs/art.md), scaled with the cycle length;
moods in [0, 1]; no jumps."""

from __future__ import annotations

import numpy as np
import pytest

from nebula.config import Settings
from nebula.sim import story
from nebula.sim.story import MOOD_NAMES, PHASE_STARTS, Phase
from nebula.sim.world import World

#: The art direction's stills (docs/art.md): each moment must read as its phase.
STILLS = {15: Phase.ARRIVAL, 45: Phase.KNOT, 80: Phase.SPEAKING, 130: Phase.RESONANCE}
STILLS |= {190: Phase.UNITY, 225: Phase.FADE}


def _moods(ts: np.ndarray, cycle: float = 240.0) -> np.ndarray:
    return np.array([story.moods_at(float(t), cycle).as_tuple() for t in ts])


def test_phases_at_the_reference_times() -> None:
    for t, phase in STILLS.items():
        assert story.phase_at(t) == phase


@pytest.mark.parametrize("cycle", [10.0, 60.0, 240.0, 997.0, 86400.0])
def test_phase_times_scale_with_the_cycle_length(cycle: float) -> None:
    k = cycle / story.REFERENCE_CYCLE
    for phase in Phase:
        assert story.phase_start(phase, cycle) == pytest.approx(PHASE_STARTS[phase] * k)
    for t, phase in STILLS.items():
        assert story.phase_at(t * k, cycle) == phase
        assert story.moods_at(t * k, cycle).as_tuple() == pytest.approx(
            story.moods_at(t).as_tuple(), abs=1e-12
        )


def test_moods_stay_in_unit_range_and_move_smoothly() -> None:
    ts = np.arange(0.0, 240.0, 1 / 60)
    m = _moods(ts)
    assert m.min() >= 0.0
    assert m.max() <= 1.0
    # 60 Hz steps: no mood moves more than 1% of its range between two frames, anywhere.
    assert np.abs(np.diff(m, axis=0)).max() < 0.01


@pytest.mark.parametrize("cycle", [10.0, 240.0])
def test_the_seam_is_seamless(cycle: float) -> None:
    end = story.moods_at(cycle, cycle).as_tuple()
    start = story.moods_at(0.0, cycle).as_tuple()
    assert end == pytest.approx(start, abs=1e-12)
    eps = 1e-3 * cycle / 240.0
    before = story.moods_at(cycle - eps, cycle).as_tuple()
    after = story.moods_at(eps, cycle).as_tuple()
    assert before == pytest.approx(after, abs=1e-4)


def test_the_arc_reads_as_art_md_says() -> None:
    m = {t: story.moods_at(t) for t in STILLS}
    assert m[45].tension > m[15].tension and m[45].tension > m[130].tension  # the knot
    assert m[15].haze > m[130].haze > m[190].haze  # the figures come into focus
    assert m[190].openness > m[80].openness > m[15].openness
    assert m[190].warmth > m[15].warmth and m[190].swirl > m[15].swirl
    assert m[225].fade > 0.5 > m[130].fade
    assert story.share_rate(15) == 0.0 and story.share_rate(45) == 0.0
    assert story.share_rate(225) == 0.0
    assert story.share_rate(80) > 0.0 and story.share_rate(130) > 0.0


def test_world_moods_are_continuous_across_cycle_boundaries_at_any_uptime() -> None:
    s = Settings(sim_hz=30.0, flowers=0, particles=0)  # moods do not depend on them
    for k in (1, 10800):  # the first seam, and the one 30 days in
        w = World(s)
        seam = k * s.cycle_seconds
        w.advance_to(seam - 2.0)
        rows, cycles = [], set()
        for _ in range(120):  # 4 s across the seam, step by step
            w.step()
            rows.append(w.moods.as_tuple())
            cycles.add(w.cycle)
        assert cycles == {k - 1, k}
        jumps = np.abs(np.diff(np.array(rows), axis=0)).max(axis=0)
        for name, jump in zip(MOOD_NAMES, jumps, strict=True):
            assert jump < 0.01, name


def test_swirl_turns_never_jump() -> None:
    for t0 in (0.0, 240.0 - 1.0, 30 * 86400.0 - 1.0):
        turns = np.array([story.swirl_turns(t0 + k / 60.0) for k in range(120)])
        d = np.diff(turns)
        assert d.min() > 0.0
        assert d.max() < 2.0 * d.min()
