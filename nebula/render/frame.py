"""What one frame is drawn from: a read-only view of the simulation, live parameters and time,
turned into the uniform values every pass shares.

Shaders never see raw, ever-growing time. Everything periodic arrives as a phase wrapped on the
CPU in float64 (``fract(t * f)``), so a show in its fifth week animates exactly like its first hour.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from nebula import scene
from nebula.clock import wrap_phase
from nebula.config import PARAM_SPECS
from nebula.sim import story
from nebula.sim.story import Moods

#: Live parameters that no shader reads (see ParamSpec.uniform).
CPU_PARAMS = frozenset(s.name for s in PARAM_SPECS if not s.uniform)
#: Frequencies (Hz) of the generic wave phases handed to shaders as u_wave (twinkle, shimmer...).
WAVE_HZ = (0.05, 0.21, 0.73, 2.3)
#: Periods (s) of two slow loops the nebula drifts around in noise space; wrapped, never jumping.
DRIFT_PERIODS = (173.0, 311.0)
#: The nebula's second eye turns this many times as fast as the first, against it.
SWIRL_B_RATE = 1.5
#: RGB to YIQ and back (lib/color.glsl's hue_rotate, which rotates I and Q about Y).
_TO_YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
_TO_RGB = np.array([[1.0, 0.956, 0.621], [1.0, -0.272, -0.647], [1.0, -1.106, 1.703]])


def hue_matrix(turns: float) -> NDArray[np.float64]:
    """hue_rotate(c, turns) as one matrix (row-major): the composite's hue variant multiplies
    by it (nine multiply-adds, where hue_rotate ran its cos and sin at every pixel)."""
    a = turns * 2.0 * math.pi
    c, s = math.cos(a), math.sin(a)
    rot = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    return np.asarray(_TO_RGB @ rot @ _TO_YIQ)


class SceneState(Protocol):
    """What the renderer reads from the simulation (nebula.sim.world.World provides it)."""

    @property
    def moods(self) -> Moods: ...
    @property
    def cycle_t(self) -> float: ...
    @property
    def camera(self) -> NDArray[np.float64]: ...
    @property
    def figures(self) -> NDArray[np.void]: ...
    @property
    def parts(self) -> NDArray[np.void]: ...
    @property
    def flowers(self) -> NDArray[np.void]: ...
    @property
    def threads(self) -> NDArray[np.void]: ...
    @property
    def particles(self) -> NDArray[np.void]: ...


@dataclass(frozen=True)
class FrameTime:
    """Absolute run time (float64 s) and the cycle length. Everything animated derives from t,
    grain included, so a still and a recording's frame at the same time are the same picture."""

    t: float
    cycle_seconds: float = story.REFERENCE_CYCLE


def frame_uniforms(
    state: SceneState, params: Mapping[str, float], time: FrameTime, size: tuple[int, int]
) -> dict[str, object]:
    w, h = size
    aspect = w / h
    vp = scene.view_projection(aspect, state.camera)
    inv_vp = np.linalg.inv(vp.astype(np.float64)).astype(np.float32)
    m = state.moods
    t = time.t
    swirl = story.swirl_turns(t, time.cycle_seconds) * params.get("swirl_speed", 1.0)
    a, b = (2.0 * math.pi * wrap_phase(t, 1.0 / p) for p in DRIFT_PERIODS)
    u: dict[str, object] = {
        "u_resolution": (float(w), float(h)),
        "u_aspect": aspect,
        "u_view_proj": tuple(vp.T.ravel()),  # GL wants column-major
        "u_inv_view_proj": tuple(inv_vp.T.ravel()),
        "u_cam_pos": tuple(float(x) for x in state.camera),
        "u_circle_center": tuple(float(x) for x in scene.CIRCLE_CENTER),
        "u_cycle_t": float(state.cycle_t),
        "u_cycle_frac": float(state.cycle_t / time.cycle_seconds),
        # Each phase is wrapped here in float64; a shader may only use it in whole turns, so a
        # faster turn gets a phase of its own instead of a fractional multiple of this one.
        "u_swirl_phase": wrap_phase(swirl, 1.0),
        "u_swirl_phase_b": wrap_phase(swirl, SWIRL_B_RATE),
        "u_drift": (math.cos(a), math.sin(a), math.cos(b), math.sin(b)),
        "u_wave": tuple(wrap_phase(t, f) for f in WAVE_HZ),
        # Golden-ratio steps at 60 Hz: a fresh grain pattern each frame that never repeats visibly.
        "u_noise_seed": wrap_phase(t, 60.0 * 0.6180339887498949),
    }
    moods = dict(zip(story.MOOD_NAMES, m.as_tuple(), strict=True))
    for name, value in params.items():
        if name in CPU_PARAMS:
            continue  # acts on the CPU (clock, shares, how much of the pool is drawn)
        if name in moods:
            # A live parameter named like a mood (haze) scales that mood rather than hiding it.
            moods[name] *= float(value)
        else:
            u[f"u_{name}"] = float(value)
    for name, value in moods.items():
        u[f"u_{name}"] = float(value)
    u["u_hue_matrix"] = tuple(hue_matrix(float(params.get("hue_shift", 0.0))).T.ravel())
    return u
