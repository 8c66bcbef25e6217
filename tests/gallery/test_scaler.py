from __future__ import annotations

import numpy as np

from nebula.gallery.scaler import RenderScaler


def run(s: RenderScaler, cost_at_full: float, frames: int) -> list[float]:
    """Feed frames whose time is proportional to the pixels drawn; return the scales seen."""
    seen = []
    for _ in range(frames):
        s.observe(cost_at_full * s.scale**2)
        seen.append(s.scale)
    return seen


def test_scale_drops_when_late_and_settles_on_time() -> None:
    s = RenderScaler(target_fps=60.0, probe_after=1e9)
    run(s, cost_at_full=1 / 30, frames=2000)  # twice too slow at full size
    assert s.scale < 0.75
    assert (1 / 30) * s.scale**2 <= s.budget * s.late  # on time now
    final = s.scale
    seen = run(s, cost_at_full=1 / 30, frames=2000)
    assert set(seen) == {final}  # hysteresis: no flapping at a steady load


def test_scale_rises_back_with_headroom() -> None:
    s = RenderScaler(target_fps=60.0, probe_after=1e9)
    run(s, cost_at_full=1 / 25, frames=2000)
    low = s.scale
    assert low < 0.7
    run(s, cost_at_full=1 / 200, frames=20000)  # the load went away (about 40 s of frames)
    assert s.scale == 1.0 > low


def test_one_slow_frame_changes_nothing() -> None:
    s = RenderScaler(target_fps=60.0)
    for i in range(500):
        assert s.observe(0.5 if i == 250 else 0.010) is False
    assert s.scale == 1.0


def test_vsync_capped_times_probe_up_and_back_off() -> None:
    """Under vsync frames measure the refresh interval even with headroom: probe blindly."""
    s = RenderScaler(target_fps=60.0, probe_after=5.0)
    run(s, cost_at_full=1 / 30, frames=1000)
    low = s.scale
    # Work now fits easily, but vsync shows every frame as 1/60 s: only a probe can find out.
    for _ in range(60 * 60):
        s.observe(1 / 60)
    assert s.scale > low


def test_noisy_load_near_the_limit_does_not_flap() -> None:
    """Frame times that scatter around the budget (a busy machine) change the scale rarely."""
    rng = np.random.default_rng(3)
    s = RenderScaler(target_fps=30.0)
    for i in range(30 * 600):  # ten minutes at 30 fps
        if i == 30 * 300:
            halfway = s.changes
        cost = (1 / 30) * s.scale**2 * 2.2  # needs about scale 0.67 on average
        s.observe(cost * float(rng.lognormal(0.0, 0.25)))
    assert 0.35 <= s.scale < 0.8
    # Without the growing hold-off (hold_up=0) this load changes the scale 38 times.
    assert s.changes <= 25
    assert s.changes - halfway <= 4  # and it settles: few changes in the second five minutes
