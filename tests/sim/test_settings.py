"""Bad settings and clocks are refused with a message that names the setting and its range."""

from __future__ import annotations

import math
from typing import Any

import pytest

from nebula.clock import FixedClock, RealtimeClock
from nebula.config import ConfigError, Settings, min_particles, thread_pairs
from nebula.sim.world import World

BAD_SETTINGS = [
    ("seed", -1, r"allowed \[0, 9223372036854775807\]"),
    ("seed", 1.5, r"must be an integer"),
    ("cycle_seconds", 0.0, r"allowed \[10, 86400\]"),
    ("cycle_seconds", -240.0, r"allowed \[10, 86400\]"),
    ("cycle_seconds", math.nan, r"allowed \[10, 86400\]"),
    ("cycle_seconds", math.inf, r"allowed \[10, 86400\]"),
    ("sim_hz", 0.0, r"allowed \[1, 1000\]"),
    ("sim_hz", -60.0, r"allowed \[1, 1000\]"),
    ("figures", -1, r"allowed \[2, 32\]"),
    ("figures", 1, r"allowed \[2, 32\]"),
    ("figures", True, r"must be an integer"),
    ("flowers", -5, r"allowed \[0, 100000\]"),
    ("particles", -1, r"allowed \[0, 10000000\]"),
    ("particles", 100, r"allowed 0 \(none\) or \[2976, 10000000\] for 8 figures"),
    ("threads", -1, r"allowed \[36, 100000\]"),
    ("threads", 35, r"allowed \[36, 100000\]; a cycle weaves one per pair"),
    ("threads", "96", r"must be an integer"),
]


@pytest.mark.parametrize(("name", "value", "allowed"), BAD_SETTINGS)
def test_bad_setting_is_refused_naming_it_and_its_range(
    name: str, value: Any, allowed: str
) -> None:
    with pytest.raises(ConfigError, match=rf"^{name}\b") as e:
        Settings(**{name: value})
    assert e.match(allowed)


def test_capacities_follow_the_figure_count() -> None:
    for n in (2, 8, 32):
        Settings(figures=n, threads=thread_pairs(n), particles=min_particles(n))
        with pytest.raises(ConfigError, match=r"^threads = "):
            Settings(figures=n, threads=thread_pairs(n) - 1, particles=min_particles(n))
        with pytest.raises(ConfigError, match=r"^particles = "):
            Settings(figures=n, threads=thread_pairs(n), particles=min_particles(n) - 1)


def test_the_smallest_capacities_run_a_whole_cycle() -> None:
    s = Settings(figures=2, threads=3, particles=min_particles(2), sim_hz=10.0, cycle_seconds=20)
    w = World(s)
    w.advance_to(19.9)
    assert w.web.count == 3  # every pair woven, nothing over capacity
    Settings(particles=0)  # no particle layer at all is allowed


@pytest.mark.parametrize("fps", [0, -30.0, math.nan, math.inf])
def test_fixed_clock_refuses_bad_fps(fps: float) -> None:
    with pytest.raises(ConfigError, match=r"^fps = .* allowed \(0, inf\)"):
        FixedClock(fps)


@pytest.mark.parametrize("start", [-1.0, math.nan, math.inf])
def test_clocks_refuse_bad_starts(start: float) -> None:
    with pytest.raises(ConfigError, match=r"^start = .* allowed \[0, inf\)"):
        FixedClock(60.0, start=start)
    with pytest.raises(ConfigError, match=r"^start = .* allowed \[0, inf\)"):
        RealtimeClock(start, now=lambda: 0.0)


def test_clock_time_is_frame_over_fps_in_float64() -> None:
    c = FixedClock(60.0, start=30 * 86400.0)
    for _ in range(3):
        c.tick()
    assert c.time == 30 * 86400.0 + 3 / 60.0
    assert c.time_of(600) == 30 * 86400.0 + 10.0
    rt = RealtimeClock(5.0, now=lambda: 100.0)
    with pytest.raises(ConfigError, match=r"^scale = "):
        rt.set_scale(-1.0)
