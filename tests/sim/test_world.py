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
    for _ in range(round(fig_mod.TURN_SECONDS * 20) + 1):  # heads turn over TURN_SECONDS
        w.step()
    f = w.figures
    to_speaker = f["in_heart"][3] - f["in_pos"]
    lean = f["in_lean"]
    for i in range(1, 9):
        if i == 3:
            continue
        assert float(np.dot(lean[i, [0, 2]], to_speaker[i, [0, 2]])) > 0.0, i
    assert f["in_speak"][3] > 0.6  # still speaking (it fades over SPEAK_SECONDS)
    assert (f["in_open"] > 0.25).all()
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
    dist = np.linalg.norm(fl["in_pos"] - scene.CAMERA_REST, axis=1)
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
    att = fig_mod.Attention(8)
    fig_mod.update(f, 10.0, 0.0, 1.0, 0.0, att, talking)
    assert np.abs(f["in_lean"]).max() == 0.0  # guarded: upright, still
    fig_mod.update(f, 10.0, 1.0, 0.0, 1.0, att, talking)
    assert np.abs(f["in_lean"]).max() > 0.03  # open: leaning in
    before = f.copy()
    fig_mod.update(f, 10.0, 1.0, 0.0, 1.0, att, talking)
    assert f.tobytes() == before.tobytes()  # the same moment, the same posture


def _posture_track(turn_seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Heads' look and lean through a change of speaker, at 60 Hz."""
    w = World(Settings(seed=1, particles=0, flowers=0, sim_hz=60.0))
    w.advance_to(126.0)
    looks, leans = [], []
    old, fig_mod.TURN_SECONDS = fig_mod.TURN_SECONDS, turn_seconds
    try:
        w.request_share(1 if w.attention.speaker != 1 else 8)  # someone else speaks
        for _ in range(180):
            w.step()
            looks.append(w.figures["in_look"].copy())
            leans.append(w.figures["in_lean"].copy())
    finally:
        fig_mod.TURN_SECONDS = old
    return np.array(looks), np.array(leans)


def test_heads_turn_and_bodies_lean_to_a_new_speaker_without_snapping() -> None:
    looks, leans = _posture_track(fig_mod.TURN_SECONDS)
    turn = np.abs(np.diff(looks, axis=0)).max()
    lean = np.abs(np.diff(leans, axis=0)).max()
    assert turn < 0.06 and lean < 0.004, (turn, lean)
    assert np.abs(looks[-1] - looks[0]).max() > 0.5  # they did turn to the new speaker
    # The measure catches a snap: turning in one step moves a head by most of a turn at once.
    snapped, _ = _posture_track(1e-6)
    assert np.abs(np.diff(snapped, axis=0)).max() > 0.5


def test_figures_open_one_by_one_as_they_share() -> None:
    w = World(Settings(seed=1, particles=0, flowers=0, sim_hz=20.0))
    w.advance_to(120.0)
    shared = np.isfinite(w.attention.first_share[1:])
    assert shared.any() and not shared.all()
    own = w.figures["in_open"][1:]
    assert own[shared].min() > own[~shared].max()


def test_the_camera_walks_in_holds_and_drifts_back_without_a_seam() -> None:
    from nebula.sim import story

    assert story.approach(0.0) == 0.0 and story.approach(240.0) == 0.0
    assert all(story.approach(t) == 1.0 for t in (54.0, 100.0, 200.0))

    def eye(t: float) -> np.ndarray:  # the camera is a pure function of cycle time
        ct = t % 240.0
        return scene.camera_position(story.approach(ct), story.camera_sway(ct))

    w = World(Settings(particles=0, flowers=0))
    for t in (3.0, 77.0, 230.0):  # and the world shows exactly that one
        w.advance_to(t)
        np.testing.assert_array_equal(w.camera, eye(w.cycle_t))
    eyes = [eye(k / 60.0) for k in range(240 * 60 + 120)]  # every 60 Hz frame, past the seam
    steps = np.linalg.norm(np.diff(np.array(eyes), axis=0), axis=1)
    # Far away first, at the near edge by the end of the knot; never a jump, seam included.
    assert np.linalg.norm(eyes[0] - scene.CAMERA_REST) > 5.0
    assert np.linalg.norm(eyes[54 * 60] - scene.CAMERA_REST) < 0.05
    assert steps.max() < 0.01, steps.argmax()


def test_the_circle_closes_round_the_resting_eye() -> None:
    """From where the approach ends, the circle is a wide ellipse round the viewer: every
    figure stands inside the 16:9 frame, the nearest two at its sides, their heads past its
    middle and cut at the knees; the far side smaller and higher, its feet on the plain."""
    f = World(Settings(particles=0, flowers=0)).figures[1:]
    feet = scene.project(f["in_pos"], 16 / 9)
    heads = f["in_pos"].astype(np.float64)
    heads[:, 1] = f["in_height"]
    top = scene.project(heads, 16 / 9)
    assert ((feet[:, 0] > 0.0) & (feet[:, 0] < 1.0)).all(), feet[:, 0]
    assert (top[:, 1] < 1.0).all()
    near = np.argsort(-f["in_pos"][:, 2])[:2]
    far = np.argmin(f["in_pos"][:, 2])
    assert sorted(np.round(feet[near, 0]).tolist()) == [0.0, 1.0]  # one each side
    assert (top[near, 1] > 0.5).all() and (feet[near, 1] < 0.0).all()
    tall = top[:, 1] - feet[:, 1]
    assert (tall[far] < 0.6 * tall[near]).all()  # the far side clearly smaller...
    assert feet[far, 1] > feet[near, 1].max() + 0.12 and feet[far, 1] > 0.0  # ...and higher
