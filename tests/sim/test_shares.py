"""Shares follow the arc; each leaves threads to its listeners and lifts the plain."""

from __future__ import annotations

import numpy as np
import pytest

from nebula.config import Settings
from nebula.sim import story
from nebula.sim.figures import DREAMER, named_figures
from nebula.sim.shares import Share
from nebula.sim.story import Phase
from nebula.sim.world import World
from tests.helpers import LIGHT, run_cycle

_RUNS: dict[tuple[int, float], list[Share]] = {}


def _shares(seed: int, cycle: float = 240.0) -> list[Share]:
    key = (seed, cycle)
    if key not in _RUNS:
        s = Settings(seed=seed, cycle_seconds=cycle, particles=0, **LIGHT)
        _RUNS[key] = run_cycle(s)[1]
    return _RUNS[key]


# Seed 0 in the quick tier; the other three with the slow ones (each is a whole cycle).
@pytest.mark.parametrize("seed", [0, *(pytest.param(s, marks=pytest.mark.slow) for s in (1, 2, 3))])
@pytest.mark.parametrize("cycle", [240.0, 60.0])
def test_shares_follow_the_phases(seed: int, cycle: float) -> None:
    shares = _shares(seed, cycle)
    by_phase: dict[Phase, list[int]] = {p: [] for p in Phase}
    for sh in shares:
        by_phase[story.phase_at(sh.time, cycle)].append(sh.speaker)
    assert by_phase[Phase.ARRIVAL] == []
    assert by_phase[Phase.KNOT] == []
    assert by_phase[Phase.FADE] == []
    assert len(by_phase[Phase.SPEAKING]) >= 2
    assert set(by_phase[Phase.SPEAKING]) == {DREAMER}
    woman, man = named_figures(Settings().figures)
    resonance = by_phase[Phase.RESONANCE]
    assert resonance[:2] == [woman, man]
    # Then the others, each once before anyone speaks twice, in a seeded order.
    others = resonance[2 : Settings().figures]
    assert len(others) >= 3
    assert len(set(others)) == len(others)
    assert not {woman, man, DREAMER} & set(others)


@pytest.mark.slow
def test_the_story_does_not_depend_on_the_particle_pool() -> None:
    # Particles draw from their own random stream: a pool of another size, or light that spawns
    # differently, must not re-time who shares when.
    def story_of(particles: int) -> list[tuple[float, int, float]]:
        s = Settings(seed=5, particles=particles, **LIGHT)
        return [(sh.time, sh.speaker, sh.intensity) for sh in run_cycle(s)[1]]

    assert story_of(0) == story_of(3000)


def test_the_order_of_the_others_is_seeded() -> None:
    def openings(seed: int) -> list[int]:  # the others, in the order they first share
        # (a 60 s cycle keeps the same order of events at a quarter of the steps)
        return list(dict.fromkeys(sh.speaker for sh in _shares(seed, 60.0) if sh.speaker != 0))

    a, b = openings(0), openings(1)
    assert sorted(a) == sorted(b) == list(range(1, Settings().figures + 1))
    assert a != b


def test_every_share_leaves_threads_to_its_listeners() -> None:
    w = World(Settings(seed=3, particles=0, **LIGHT))
    n = 0
    for _ in range(200 * 20):
        before = w.web.data["in_strength"].copy()
        sh = w.step()
        if sh is None:
            continue
        n += 1
        assert len(sh.listeners) == Settings().figures
        assert sh.speaker not in sh.listeners
        assert 0.0 < sh.intensity <= 1.0
        for li in sh.listeners:
            i = w.web.index_of(sh.speaker, li)
            assert i >= 0
            assert i == w.web.index_of(li, sh.speaker)
            assert w.web.data["in_strength"][i] > before[i]  # created or strengthened
            assert w.web.data["in_flash"][i] > 0.0  # it flashed
    assert n >= 8
    assert w.web.count == (Settings().figures + 1) * Settings().figures // 2


def test_threads_are_curved_and_persist_to_the_end_of_the_cycle() -> None:
    w, _ = run_cycle(Settings(seed=4, particles=0, **LIGHT))
    assert story.phase_at(w.cycle_t) == Phase.FADE
    t = w.threads
    assert len(t) == 36
    p0, p1, p2 = (t[k].astype(np.float64) for k in ("in_p0", "in_p1", "in_p2"))
    chord = p2 - p0
    off = p1 - p0 - chord * (np.sum((p1 - p0) * chord, 1) / np.sum(chord * chord, 1))[:, None]
    assert (np.linalg.norm(off, axis=1) > 0.1 * np.linalg.norm(chord, axis=1)).all()
    assert (t["in_strength"] > 0.0).all()
    assert (t["in_grow"] == 1.0).all()
    assert t["in_hue"].min() >= 0.0 and t["in_hue"].max() < 1.0


def test_luminance_rises_with_shares_and_stays_in_unit_range() -> None:
    shared = World(Settings(seed=5, particles=0, **LIGHT))
    gains, lum = [], []
    for _ in range(205 * 20):  # up to the end of unity
        sh = shared.step()
        # Without shares the plain stays on the arc's floor.
        lum.append((shared.moods.luminance, story.moods_at(shared.cycle_t).luminance))
        if sh is not None:
            gains.append(shared.share_gain)
    a = np.array(lum)
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert (a[:, 0] >= a[:, 1]).all()
    assert len(gains) >= 8 and (np.diff(gains) > 0).all()  # every share lifts the plain
    assert a[-1, 0] > a[-1, 1] + 0.3
    assert shared.moods.luminance > story.moods_at(15.0).luminance + 0.3  # 190 s vs 15 s


def test_luminance_saturates_below_one_under_many_shares() -> None:
    w = World(Settings(seed=6, particles=0, **LIGHT))
    w.advance_to(150.0)
    for _ in range(300):
        w.request_share(int(w.rng.integers(0, 9)))
        w.step(share_rate=3.0)
        assert 0.0 <= w.moods.luminance <= 1.0


def test_share_on_demand_happens_on_the_next_step_even_in_arrival() -> None:
    w = World(Settings(seed=0, particles=4000, flowers=0))
    w.advance_to(5.0)
    assert w.web.count == 0
    w.request_share()
    sh = w.step()
    assert sh is not None
    assert sh.requested and sh.speaker == DREAMER
    assert w.web.count == Settings().figures
    w.request_share(3)
    w.request_share(4)
    first, second = w.step(), w.step()
    assert first is not None and first.speaker == 3
    assert second is not None and second.speaker == 4


def test_share_on_demand_refuses_unknown_speakers() -> None:
    w = World(Settings(particles=0, flowers=0))
    for who in (-1, 9):
        with pytest.raises(ValueError, match=r"speaker must be in \[0, 8\]"):
            w.request_share(who)


def test_a_share_swells_into_its_flash_and_decays() -> None:
    from nebula.sim.threads import FLASH_ATTACK_SECONDS, ThreadWeb

    web = ThreadWeb(4, 3)
    hearts = np.array([[0.0, 1.4, 0.0], [2.0, 1.4, -4.0], [-2.0, 1.4, -4.0]], np.float32)
    web.weave(0, 1, 1.0, hearts, np.random.default_rng(0))
    dt = 1.0 / 60.0
    trace = []
    for _ in range(round(3.0 / dt)):
        web.step(dt)
        trace.append(float(web.data["in_flash"][0]))
    flash = np.array(trace)
    peak = int(flash.argmax())
    # No one-frame pop: the first step lights a fraction of the peak, the rise takes a while.
    assert flash[0] < 0.15 * flash[peak]
    assert peak * dt >= 0.5 * FLASH_ATTACK_SECONDS
    assert flash[peak] > 0.5
    assert (np.diff(flash[: peak + 1]) >= 0).all() and (np.diff(flash[peak:]) <= 0).all()
    assert flash[-1] < 0.6 * flash[peak]
