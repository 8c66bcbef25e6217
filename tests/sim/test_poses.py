"""The figures' bodies (nebula.sim.poses): each person distinct, limbs that keep their lengths,
postures that read at a glance (guarded arms in, open at the sides, the speaker's hand on the
heart), and poses that glide from step to step through a whole cycle, never popping."""

from __future__ import annotations

import numpy as np
import pytest

from nebula.config import Settings
from nebula.sim.figures import FIGURE_DTYPE, KIND_MAN, KIND_WOMAN
from nebula.sim.poses import FOREARM, PARTS, RA, RB, UPPER_ARM, P, Poser, traits
from nebula.sim.world import World


def one_figure(open_: float, speak: float) -> np.ndarray:
    f = np.zeros(1, FIGURE_DTYPE)
    f["in_pos"] = (0.0, 0.0, -3.6)  # the circle's near point, facing its centre
    f["in_look"] = (0.0, 0.0, -1.0)
    f["in_height"] = 1.8
    f["in_open"] = open_
    f["in_speak"] = speak
    f["in_seed"] = 0.37
    return f


def part(parts: np.ndarray, name: str) -> np.void:
    rec: np.void = parts[P[name]]
    return rec


def test_every_figure_is_someone_else() -> None:
    fig = World(Settings(particles=0, flowers=0)).figures
    t = traits(fig)
    looks = {(round(float(r["shoulder"]), 4), int(r["hair"]), bool(r["robe"])) for r in t[1:]}
    assert len(looks) >= 6  # eight figures, hardly two alike
    assert len(set(t["hair"][1:].tolist())) >= 3 and len(set(t["robe"][1:].tolist())) == 2
    woman = t[fig["in_kind"] == KIND_WOMAN][0]
    man = t[fig["in_kind"] == KIND_MAN][0]
    assert woman["hair"] == 2 and woman["robe"] and man["hair"] == 0 and not man["robe"]


@pytest.mark.parametrize(("open_", "speak"), [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.4, 0.6)])
def test_arms_keep_their_lengths_in_every_pose(open_: float, speak: float) -> None:
    parts = Poser(one_figure(open_, speak)).pose(one_figure(open_, speak))
    h = 1.8
    for side in ("r", "l"):
        upper, fore = part(parts, f"upper_arm_{side}"), part(parts, f"forearm_{side}")
        assert np.linalg.norm(upper["in_b"] - upper["in_a"]) == pytest.approx(UPPER_ARM * h, 1e-4)
        assert np.linalg.norm(fore["in_b"] - fore["in_a"]) == pytest.approx(FOREARM * h, 1e-4)
        assert np.allclose(upper["in_b"], fore["in_a"])  # the elbow joins them


def test_postures_read_at_a_glance() -> None:
    def hands(open_: float, speak: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        f = one_figure(open_, speak)
        parts = Poser(f).pose(f)
        heart = parts["in_heart"][0]
        return part(parts, "hand_r")["in_a"], part(parts, "hand_l")["in_a"], heart

    # Guarded: the hands together in front of the body (arms in).
    r, left, _ = hands(0.0, 0.0)
    assert np.linalg.norm(r - left) < 0.15
    # Open: loose at the sides, well apart, below the waist.
    r, left, heart = hands(1.0, 0.0)
    assert np.linalg.norm(r - left) > 0.45 and r[1] < heart[1] - 0.3
    # Speaking: the right hand on the heart.
    r, _, heart = hands(1.0, 1.0)
    assert np.linalg.norm(r - heart) < 0.12


def test_legs_under_a_robe_are_not_drawn() -> None:
    f = World(Settings(particles=0, flowers=0)).figures
    poser = Poser(f)
    parts = poser.pose(f).reshape(len(f), PARTS)
    for i, t in enumerate(poser.traits):
        legs = parts[i, [P["thigh_r"], P["shin_l"], P["foot_r"]]]["in_radii"][:, [RA, RB]]
        assert (legs == 0.0).all() == bool(t["robe"])


@pytest.mark.slow  # a whole cycle of steps, each posed
def test_poses_glide_through_a_whole_cycle() -> None:
    """Step by step through a cycle (shares, turns, leaning, opening): no part's end moves
    more than a few centimetres in one 60 Hz step, and nothing is ever undefined."""
    w = World(Settings(particles=0, flowers=0))
    prev = w.parts[["in_a", "in_b"]].copy()
    worst = 0.0
    for _ in range(240 * 60):
        w.step()
        now = w.parts[["in_a", "in_b"]]
        assert np.isfinite(now["in_a"]).all() and np.isfinite(now["in_b"]).all()
        if w.steps > 1:  # a new cycle starts afresh, as the camera does (behind the wash)
            moved = max(
                float(np.abs(now["in_a"] - prev["in_a"]).max()),
                float(np.abs(now["in_b"] - prev["in_b"]).max()),
            )
            worst = max(worst, moved)
        prev = now.copy()
    assert worst < 0.03, worst
