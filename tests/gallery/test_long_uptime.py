"""Weeks of uptime: at a clock offset of 30 days the piece moves as it does at 0."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from nebula.app.soak import consecutive_differences
from nebula.clock import wrap_phase
from nebula.config import Settings
from nebula.render.frame import DRIFT_PERIODS, WAVE_HZ
from nebula.sim import story
from nebula.sim.world import World

DAYS_30 = 30 * 86400.0
SIZE = (160, 90)
START = 80.0  # speaking: the sky swirls, birds fly, threads reach out
FRAMES = 10
NO_GRAIN = {"grain": 0.0}  # grain changes every frame by design; measure motion only


@pytest.mark.slow
def test_motion_at_30_days_is_as_smooth_as_at_0() -> None:
    d0 = consecutive_differences(0.0, START, FRAMES, SIZE, params=NO_GRAIN)
    d30 = consecutive_differences(DAYS_30, START, FRAMES, SIZE, params=NO_GRAIN)
    print(f"mean abs diff per frame: offset 0: {d0.mean():.4f}, offset 30 days: {d30.mean():.4f}")
    assert d0.min() > 0.0 and d30.min() > 0.0  # every frame moves: nothing stutters or freezes
    ratio = d30.mean() / d0.mean()
    assert 0.5 <= ratio <= 2.0
    # Frame to frame the motion is steady, not bursts of jumps between still frames.
    assert d30.max() <= 3.0 * d30.mean()


def test_the_measure_catches_a_float32_clock() -> None:
    """Control: with time rounded to float32 (0.25 s steps at 30 days) the same measure fails."""
    d = consecutive_differences(
        DAYS_30, START, FRAMES, SIZE, params=NO_GRAIN, time_map=lambda t: float(np.float32(t))
    )
    assert d.min() == 0.0  # frozen frames between jumps
    assert d.max() > 3.0 * d.mean()


def _mood_steps(t0: float, seconds: float) -> np.ndarray:
    w = World(Settings(particles=0, flowers=0))  # moods do not depend on them; much faster
    rows = []
    for k in range(int(seconds * 60)):
        w.advance_to(t0 + k / 60.0)
        rows.append(w.moods.as_tuple())
    steps: NDArray[np.float64] = np.abs(np.diff(np.array(rows), axis=0)).max(axis=0)
    return steps


@pytest.mark.slow
def test_no_mood_jumps_across_the_cycle_seam_at_30_days() -> None:
    # 30 days is exactly 10800 cycles: this window crosses the seam into a new cycle.
    at30 = _mood_steps(DAYS_30 - 1.0, 2.0)
    at0 = _mood_steps(240.0 - 1.0, 2.0)
    # The largest change of any mood from one frame to the next, at both offsets: tiny.
    assert at30.max() < 0.01
    assert at0.max() < 0.01


def _steps_per_frame(offset: float) -> set[int]:
    w = World(Settings())
    w.advance_to(offset + 10.0)
    return {w.advance_to(offset + 10.0 + k / 60.0) for k in range(1, 240)}


def test_sim_steps_once_per_60hz_frame_at_0() -> None:
    assert _steps_per_frame(0.0) == {1}


def test_sim_steps_once_per_60hz_frame_at_30_days() -> None:
    # With too tight a rounding tolerance in World.advance_to, frames far into a run take 0 or
    # 2 steps (the simulation stutters) while the sky, fed wrapped phases, still moves smoothly.
    assert _steps_per_frame(DAYS_30) == {1}
    assert _steps_per_frame(7 * 86400.0) == {1}


def test_no_phase_jumps_at_30_days() -> None:
    ts = np.arange(0.0, 3.0, 1 / 60)
    for name in ("swirl", "wave", "drift"):
        for off0, off30 in ((0.0, DAYS_30), (100.0, DAYS_30 + 100.0)):
            a = _phase_track(name, off0 + ts)
            b = _phase_track(name, off30 + ts)
            da = np.diff(a, axis=0) % 1.0
            db = np.diff(b, axis=0) % 1.0
            # Same per-frame advance (mod one turn) at both offsets: no jumps, no stalls.
            np.testing.assert_allclose(db, da, atol=1e-6, err_msg=name)


def _phase_track(name: str, ts: np.ndarray) -> np.ndarray:
    if name == "swirl":
        return np.array([[story.swirl_turns(float(t))] for t in ts])
    if name == "wave":
        return np.array([[wrap_phase(float(t), f) for f in WAVE_HZ] for t in ts])
    return np.array([[wrap_phase(float(t), 1.0 / p) for p in DRIFT_PERIODS] for t in ts])
