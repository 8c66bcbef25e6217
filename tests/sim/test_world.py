"""Figures, flowers and what the world exposes to the renderer."""

from __future__ import annotations

import numpy as np

from nebula import scene
from nebula.config import Settings
from nebula.sim import figures as fig_mod
from nebula.sim.figures import DREAMER, KIND_DREAMER, KIND_MAN, KIND_WOMAN, named_figures
from nebula.sim.world import World


def test_the_circle_and_its_two_named_figures() -> None:
    w = World(Settings(particles=0, flowers=0))
    f = w.figures
    assert len(f) == 9
    assert f["in_kind"][DREAMER] == KIND_DREAMER
    np.testing.assert_allclose(f["in_heart"][DREAMER], scene.DREAMER_HEART, atol=1e-6)
    woman, man = named_figures(8)
    assert f["in_kind"][woman] == KIND_WOMAN and f["in_kind"][man] == KIND_MAN
    assert list(f["in_kind"]).count(KIND_WOMAN) == 1 and list(f["in_kind"]).count(KIND_MAN) == 1
    r = np.hypot(
        f["in_pos"][1:, 0] - scene.CIRCLE_CENTER[0], f["in_pos"][1:, 2] - scene.CIRCLE_CENTER[2]
    )
    np.testing.assert_allclose(r, scene.CIRCLE_RADIUS, atol=0.25)
    # Hearts at chest height, above the feet.
    assert (f["in_heart"][1:, 1] > 0.9).all() and (f["in_heart"][1:, 1] < 1.5).all()


def test_listeners_lean_towards_the_speaker_and_open_up() -> None:
    w = World(Settings(seed=1, particles=0, flowers=0, sim_hz=20.0))
    w.advance_to(110.0)  # resonance
    w.request_share(3)
    w.step()
    f = w.figures
    to_speaker = f["in_heart"][3] - f["in_pos"]
    lean = f["in_lean"]
    for i in range(1, 9):
        if i == 3:
            continue
        assert float(np.dot(lean[i, [0, 2]], to_speaker[i, [0, 2]])) > 0.0, i
    assert f["in_speak"][3] > 0.9
    assert (f["in_open"] > 0.3).all()
    early = World(Settings(seed=1, particles=0, flowers=0, sim_hz=20.0))
    early.advance_to(15.0)
    assert (early.figures["in_shimmer"] > f["in_shimmer"]).all()  # hazy first, then in focus
    assert (early.figures["in_open"] == 0.0).all()


def test_flowers_by_depth_and_their_pulse() -> None:
    w = World(Settings(particles=0, sim_hz=20.0))
    fl = w.flowers
    assert len(fl) == 420
    z = fl["in_pos"][:, 2]
    assert (np.diff(z) >= 0).all()  # far to near, for blending
    # On screen: tiny and dense towards the horizon, larger and sparser in the foreground.
    open_field = fl[np.abs(fl["in_pos"][:, 2] - scene.CIRCLE_CENTER[2]) > scene.CIRCLE_RADIUS + 1]
    y = scene.project(open_field["in_pos"], 16 / 9)[:, 1]
    horizon = scene.HORIZON_FROM_BOTTOM
    top_band = np.count_nonzero((y > horizon - 0.1) & (y < horizon))
    bottom_band = np.count_nonzero((y > 0.0) & (y < 0.1))
    assert top_band > 2 * bottom_band
    dist = np.linalg.norm(fl["in_pos"] - scene.CAMERA_POS, axis=1)
    apparent = fl["in_size"] / dist
    assert apparent[dist < 10].mean() > 3 * apparent[dist > 30].mean()

    def pulse(t0: float) -> np.ndarray:  # every flower's glow over one pulse period
        rows = []
        for k in range(90):  # 4.5 s at 20 Hz
            w.advance_to(t0 + k / 20.0)
            rows.append(fl["in_glow"].copy())
        return np.array(rows)

    calm, unity = pulse(15.0), pulse(190.0)
    assert unity.max() > calm.max() + 0.2  # brightest in unity
    assert unity.mean() > calm.mean() + 0.2

    # In unison: the field's pulse is large against the flower-to-flower scatter; in arrival
    # the phases scatter, so the field as a whole barely pulses.
    def unison(g: np.ndarray) -> float:
        return float(np.ptp(g.mean(axis=1)) / g.std(axis=1).mean())

    assert unison(unity) > 5.0 * unison(calm)


def test_figures_update_is_pure_in_posture() -> None:
    f = fig_mod.layout(8, np.random.default_rng(0))
    talking = np.zeros(9, np.float32)
    fig_mod.update(f, 0.0, 1.0, -1, 0.0, talking)
    assert np.abs(f["in_lean"]).max() == 0.0  # guarded: upright, still
    fig_mod.update(f, 1.0, 0.0, -1, 0.0, talking)
    assert np.abs(f["in_lean"]).max() > 0.05  # open: leaning in
