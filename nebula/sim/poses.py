"""The figures' bodies: a small skeleton per figure, posed each frame from its posture (how open
it is, whether it speaks, where it looks, how far it leans), and the solid parts the renderer
draws over it.

Every part is a round cone: two end points and a radius at each, with a cross-section that may
be deeper or shallower than it is wide (``in_radii``' DEPTH) along the part's own forward axis,
and ends that are round or flattened (CAP). A head
is a short one, an arm two long thin ones, a robe one that flares to the ground. All of it is a
pure function of the figures' records (nebula.sim.figures), so a pose glides when they glide.

Who each figure is (height aside) comes from its seed once per layout (``traits``): build,
shoulders and hips, head, hair (cropped, gathered up, falling to the shoulders, a hood) and
clothing (a robe to the ground, or a coat over trousers). The two named figures are fixed: the
woman's hair falls to her shoulders over a robe, the man is cropped, in a coat.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from nebula import scene
from nebula.sim.figures import KIND_MAN, KIND_WOMAN

F32 = np.float32

PART_DTYPE = np.dtype(
    [
        ("in_a", F32, 3),  # one end's centre (metres, world)
        ("in_b", F32, 3),  # the other end's
        # radius at a, radius at b (both 0: not drawn), the cross-section's depth over its
        # width, how round the ends are (1 a hemisphere .. 0 flat)
        ("in_radii", F32, 4),
        ("in_fwd", F32, 3),  # the part's forward: the cross-section's depth axis
        ("in_feet", F32, 3),  # the figure's feet: body-space patterns stay on the body
        ("in_heart", F32, 3),  # the figure's heart, on its chest: where it glows
        ("in_figure", F32, 4),  # the figure's height, openness, shimmer, speaking
        ("in_id", F32, 3),  # PART_* below, the figure's kind, its seed
    ]
)
#: Where each value sits in the packed fields (a vertex shader takes 16 attributes at most).
RA, RB, DEPTH, CAP = range(4)
HEIGHT, OPEN, SHIMMER, SPEAK = range(4)
PART, KIND, SEED = range(3)

#: Each figure's parts, in this order (the renderer draws heads apart: only they have faces).
PART_NAMES = (
    "head",
    "hair",
    "hair_back",
    "neck",
    "shoulders",
    "chest",
    "belly",
    "upper_arm_r",
    "upper_arm_l",
    "forearm_r",
    "forearm_l",
    "hand_r",
    "hand_l",
    "thigh_r",
    "thigh_l",
    "shin_r",
    "shin_l",
    "foot_r",
    "foot_l",
    "garment",
)
PARTS = len(PART_NAMES)
P = {name: i for i, name in enumerate(PART_NAMES)}
PART_HEAD = float(P["head"])
#: What each part is made of, for the shaders (passes/figures.py gives them these as defines).
MATERIAL_CLOTH, MATERIAL_SKIN, MATERIAL_HAIR = 0.0, 1.0, 2.0

#: How far a guarded figure stands back from the circle (metres); opening, it steps in.
GUARDED_STEP = 0.18
#: Limb lengths, in units of the figure's height.
UPPER_ARM, FOREARM = 0.172, 0.152

TRAIT_DTYPE = np.dtype(
    [
        ("shoulder", F32),  # half the shoulders' width, in units of height
        ("waist", F32),
        ("hip", F32),
        ("head", F32),  # the head's radius
        ("hair", F32),  # 0 cropped, 1 gathered up, 2 falling to the shoulders, 3 a hood
        ("robe", np.bool_),  # a robe to the ground, else a coat over trousers
        ("hem", F32),  # a robe's radius at the hem
        ("build", F32),  # 0 slight .. 1 broad: the limbs' thickness
    ]
)


def traits(fig: NDArray[np.void]) -> NDArray[np.void]:
    """Who each figure is, from its seed (and its kind, for the two named ones)."""
    seed = fig["in_seed"].astype(np.float64)
    rng = np.random.default_rng(np.round(seed * 2**31).astype(np.int64) + 17)
    r = rng.random((len(fig), 6))
    t = np.zeros(len(fig), dtype=TRAIT_DTYPE)
    t["build"] = r[:, 0]
    t["shoulder"] = 0.098 + 0.024 * r[:, 0]
    t["waist"] = 0.066 + 0.02 * r[:, 1]
    t["hip"] = t["waist"] * (1.08 + 0.22 * r[:, 2])
    t["head"] = 0.043 + 0.005 * r[:, 3]
    t["hair"] = np.floor(r[:, 4] * 4.0)
    t["robe"] = r[:, 5] < 0.5
    t["hem"] = 0.12 + 0.05 * r[:, 2]
    woman = fig["in_kind"] == KIND_WOMAN
    t["shoulder"][woman], t["waist"][woman], t["hip"][woman] = 0.1, 0.064, 0.082
    t["head"][woman], t["hair"][woman], t["robe"][woman], t["hem"][woman] = 0.044, 2, True, 0.14
    t["build"][woman] = 0.3
    man = fig["in_kind"] == KIND_MAN
    t["shoulder"][man], t["waist"][man], t["hip"][man] = 0.118, 0.078, 0.082
    t["head"][man], t["hair"][man], t["robe"][man], t["build"][man] = 0.046, 0, False, 0.7
    return t


def _unit(v: NDArray[np.float64], fallback: NDArray[np.float64]) -> NDArray[np.float64]:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.where(n > 1e-9, v / np.maximum(n, 1e-9), fallback)


def _smooth(x: NDArray[np.float64]) -> NDArray[np.float64]:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _ik(
    shoulder: NDArray[np.float64],
    target: NDArray[np.float64],
    pole: NDArray[np.float64],
    l1: NDArray[np.float64],
    l2: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Elbow and wrist of a two-bone arm from ``shoulder`` reaching for ``target``, bending
    towards ``pole`` (all (..., 3)): the limbs keep their lengths whatever the pose asks."""
    d = target - shoulder
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    reach = np.clip(dist, np.abs(l1 - l2) + 1e-4, l1 + l2 - 1e-4)
    axis = d / np.maximum(dist, 1e-9)
    a = (l1 * l1 - l2 * l2 + reach * reach) / (2.0 * reach)
    h = np.sqrt(np.maximum(l1 * l1 - a * a, 0.0))
    bend = _unit(pole - axis * np.sum(pole * axis, axis=-1, keepdims=True), pole)
    return shoulder + axis * a + bend * h, shoulder + axis * reach


class Poser:
    """Poses one layout's figures into ``parts`` (figures x PARTS records, allocated once)."""

    def __init__(self, fig: NDArray[np.void]) -> None:
        self.traits = traits(fig)
        self.parts = np.zeros(len(fig) * PARTS, dtype=PART_DTYPE)

    def pose(self, fig: NDArray[np.void]) -> NDArray[np.void]:
        """The parts for the figures' posture now (written in place; the same array)."""
        n = len(fig)
        tr = self.traits
        h = np.maximum(fig["in_height"].astype(np.float64), 0.05)[:, None]
        open_ = fig["in_open"].astype(np.float64)[:, None]
        speak = _smooth(fig["in_speak"].astype(np.float64) / 0.75)[:, None]
        up = np.array([0.0, 1.0, 0.0])
        center = scene.CIRCLE_CENTER.astype(np.float64)
        pos = fig["in_pos"].astype(np.float64)
        inward = _unit((center - pos) * [1.0, 0.0, 1.0], np.array([0.0, 0.0, -1.0]))
        look = _unit(fig["in_look"].astype(np.float64) * [1.0, 0.0, 1.0], inward)
        # The body turns half way to where the head looks; the head all the way.
        fwd = _unit(inward + look, inward)
        right = np.stack([-fwd[:, 2], np.zeros(n), fwd[:, 0]], axis=1)
        # Guarded, each stands a step back from the circle; opening, it steps in.
        feet = pos - inward * (GUARDED_STEP * (1.0 - open_))
        lean = fig["in_lean"].astype(np.float64)

        def at(x: Any, y: Any, z: Any) -> NDArray[np.float64]:
            """Body coordinates (units of height: x right, y up, z forward; a number or one per
            figure) to the world, the upper body bent by the lean (none below the pelvis, all
            of it at the head)."""
            bend = np.clip((y - 0.52) / 0.41, 0.0, 1.0) ** 1.6
            p = feet + (right * x + fwd * z) * h
            p[:, 1:2] += y * h
            return np.asarray(p + lean * bend)

        sh = tr["shoulder"].astype(np.float64)[:, None]
        waist = tr["waist"].astype(np.float64)[:, None]
        hip = tr["hip"].astype(np.float64)[:, None]
        head_r = tr["head"].astype(np.float64)[:, None]
        build = tr["build"].astype(np.float64)[:, None]
        # Guarded: shoulders drawn up and in; open: lowered, wider, the chest lifts.
        sy = 0.818 + 0.012 * (1.0 - open_)
        sw = sh * (0.93 + 0.07 * open_)
        parts = self.parts.reshape(n, PARTS)

        # Written part by part into plain arrays, then into the records once per field (a
        # structured array's field is a strided view: many small writes cost more than these).
        ends = np.empty((2, n, PARTS, 3))
        radii = np.empty((n, PARTS, 4))
        forwards = np.empty((n, PARTS, 3))

        def put(name: str, a: Any, b: Any, ra: Any, rb: Any, depth: Any,
                forward: NDArray[np.float64] = fwd, cap: float = 1.0) -> None:  # fmt: skip
            i = P[name]
            ends[0, :, i] = a
            ends[1, :, i] = b
            radii[:, i, RA] = (ra * h)[:, 0] if np.ndim(ra) else ra * h[:, 0]
            radii[:, i, RB] = (rb * h)[:, 0] if np.ndim(rb) else rb * h[:, 0]
            radii[:, i, DEPTH] = depth[:, 0] if np.ndim(depth) else depth
            radii[:, i, CAP] = cap
            forwards[:, i] = forward

        # The head looks where the figure looks, tilted with the lean.
        neck_top = at(0.0, 0.872, 0.0)
        head_c = at(0.0, 0.925, 0.004)
        head_up = _unit(head_c - neck_top, np.broadcast_to(up, (n, 3)))
        along = 0.5 * (0.125 - 2.0 * head_r) * h  # the head's capsule: 0.125 of the height
        put("head", head_c - head_up * along, head_c + head_up * along, head_r, head_r, 1.18,
            look)  # fmt: skip
        style = tr["hair"].astype(np.float64)[:, None]
        back = head_c - look * 0.012 * h
        cap = np.where(style > 2.5, 1.18, 1.07)
        top = back + head_up * (along + 0.006 * h)
        put("hair", back - head_up * along * 0.2 + head_up * 0.008 * h, top, head_r * cap,
            head_r * cap, 1.1, look)  # fmt: skip
        # The back hair: a knot gathered up (1), a fall to the shoulders (2), a hood's fall (3).
        bun = head_c - look * 0.05 * h + head_up * 0.045 * h
        fall_a = head_c - look * 0.03 * h
        fall_b = at(0.0, 0.79, -0.05)
        has_back = style > 0.5
        put("hair_back", np.where(style < 1.5, bun, fall_a), np.where(style < 1.5, bun, fall_b),
            np.where(has_back, np.where(style < 1.5, 0.028, 0.05 + 0.012 * (style > 2.5)), 0.0),
            np.where(has_back, np.where(style < 1.5, 0.028, 0.066 + 0.014 * (style > 2.5)), 0.0),
            0.6, fwd)  # fmt: skip
        put("neck", at(0.0, sy - 0.03, -0.004), neck_top, 0.026, 0.024, 1.0)
        shoulder_r, shoulder_l = at(sw, sy, -0.006), at(-sw, sy, -0.006)
        # The shoulders' line: thin in the middle (the collarbones), round at each end.
        deltoid = 0.03 + 0.006 * build
        put("shoulders", shoulder_r, shoulder_l, deltoid, deltoid, 0.8)
        put("chest", at(0.0, 0.6, 0.0), at(0.0, 0.745, 0.01), waist, sw * 0.66, 0.64, cap=0.9)
        # Under a coat the belly is hidden whole: not drawn (radius 0), a software rasterizer
        # would shade it anyway wherever it is drawn before the coat.
        coat = np.where(tr["robe"][:, None], 1.0, 0.0)
        put("belly", at(0.0, 0.49, -0.004), at(0.0, 0.6, 0.0), hip * coat, waist * coat, 0.7,
            cap=0.7)  # fmt: skip

        # The arms reach for a pose's hands: guarded, clasped in front (arms in); open, loose
        # at the sides, a little forward and out; speaking, the right hand on the heart and the
        # left opening outwards. The elbows bend out and back.
        for side, name in ((1.0, "r"), (-1.0, "l")):
            guarded = at(side * 0.028, 0.56, 0.1)
            opened = at(side * (sw + 0.042), 0.495, 0.07)
            # The right hand to the heart, the left opening outwards.
            speaking = at(0.02, 0.725, 0.118) if side > 0 else at(-(sw + 0.07), 0.6, 0.15)
            hand = guarded + (opened - guarded) * open_
            hand = hand + (speaking - hand) * speak
            s = shoulder_r if side > 0 else shoulder_l
            pole = right * side * 0.6 - fwd * 0.7 - up * 0.4
            elbow, wrist = _ik(s, hand, pole, UPPER_ARM * h, FOREARM * h)
            limb = 0.026 + 0.006 * build
            put(f"upper_arm_{name}", s, elbow, limb, limb * 0.84, 1.0)
            put(f"forearm_{name}", elbow, wrist, limb * 0.84, limb * 0.66, 1.0)
            # The hand carries on from the forearm; on the heart it lies flat across the chest.
            along_arm = _unit(wrist - elbow, -np.broadcast_to(up, (n, 3)))
            across = _unit(-right * side + up * 0.35, along_arm)
            heart_w = speak if side > 0 else 0.0
            direction = _unit(along_arm * (1.0 - heart_w) + across * heart_w, along_arm)
            put(f"hand_{name}", wrist, wrist + direction * 0.07 * h, 0.017, 0.013, 0.55, right)

        # Legs: hidden (radius 0) under a robe, which falls from the waist to a hem that sways.
        robe = tr["robe"][:, None]
        legs = np.where(robe, 0.0, 1.0)
        for side, name in ((1.0, "r"), (-1.0, "l")):
            hip_j, knee = at(side * 0.052, 0.5, 0.0), at(side * 0.056, 0.285, 0.01)
            ankle, toe = at(side * 0.06, 0.045, -0.008), at(side * 0.066, 0.016, 0.07)
            put(f"thigh_{name}", hip_j, knee, 0.048 * legs, 0.034 * legs, 1.0)
            put(f"shin_{name}", knee, ankle, 0.032 * legs, 0.022 * legs, 1.0)
            put(f"foot_{name}", ankle, toe, 0.02 * legs, 0.017 * legs, 0.6)
        hem = tr["hem"].astype(np.float64)[:, None]
        put("garment", np.where(robe, at(0.0, 0.56, 0.0), at(0.0, 0.755, 0.0)),
            np.where(robe, feet + up * 0.012 * h, at(0.0, 0.36, 0.004)),
            np.where(robe, hip * 1.08, sw * 0.86), np.where(robe, hem, hip * 1.25),
            np.where(robe, 0.82, 0.68), cap=0.35)  # fmt: skip

        parts["in_a"] = ends[0]
        parts["in_b"] = ends[1]
        parts["in_radii"] = radii
        parts["in_fwd"] = forwards
        figure = parts["in_figure"]
        for k, name in ((HEIGHT, "in_height"), (OPEN, "in_open"), (SHIMMER, "in_shimmer"),
                        (SPEAK, "in_speak")):  # fmt: skip
            figure[..., k] = fig[name][:, None]
        ids = parts["in_id"]
        ids[..., PART] = np.arange(PARTS, dtype=F32)[None, :]
        ids[..., KIND] = fig["in_kind"][:, None]
        ids[..., SEED] = fig["in_seed"][:, None]
        parts["in_feet"] = feet[:, None, :]
        parts["in_heart"] = at(0.0, 0.725, 0.062)[:, None, :]
        return self.parts
