"""The arc of one cycle as pure functions: cycle time -> phase and moods.

Phase times and mood keyframes are written for the reference 240 s cycle (docs/art.md) and scale
with the cycle length. Every mood track has the same value at both ends of the cycle, and keyframes
are joined with smoothstep, so the loop is seamless (continuous, with a continuous slope).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from enum import IntEnum

REFERENCE_CYCLE = 240.0


class Phase(IntEnum):
    ARRIVAL = 0
    KNOT = 1
    SPEAKING = 2
    RESONANCE = 3
    UNITY = 4
    FADE = 5


#: Start of each phase in the reference cycle; the last entry is the cycle's end.
PHASE_STARTS: tuple[float, ...] = (0.0, 30.0, 54.0, 100.0, 165.0, 210.0, 240.0)
PHASE_NAMES: tuple[str, ...] = tuple(p.name.lower() for p in Phase)

MOOD_NAMES: tuple[str, ...] = (
    "haze",  # heat haze around the figures; indistinct forms
    "tension",  # the knot: darker, tighter sky, static in the air
    "openness",  # the figures soften and lean in
    "warmth",  # colour temperature, rim light, flower unison
    "luminance",  # the arc's floor for the plain's glow (shares lift it, see World)
    "swirl",  # how hard the nebulae turn
    "fade",  # the watercolor wash: 1 at the seam of two cycles
    "voice",  # the hum-like pulse that urges the dreamer, end of the knot
)

# Keyframes (reference seconds, value); first and last values match for a seamless loop.
_TRACKS: dict[str, tuple[tuple[float, float], ...]] = {
    "haze": ((0, 1.0), (30, 0.95), (54, 0.85), (100, 0.3), (165, 0.06), (210, 0.0), (240, 1.0)),
    "tension": (
        (0, 0.35),
        (24, 0.45),
        (42, 1.0),
        (54, 0.8),
        (80, 0.35),
        (100, 0.12),
        (165, 0.0),
        (210, 0.0),
        (240, 0.35),
    ),
    "openness": (
        (0, 0.0),
        (54, 0.0),
        (100, 0.45),
        (165, 0.9),
        (185, 1.0),
        (210, 1.0),
        (234, 0.25),
        (240, 0.0),
    ),
    "warmth": (
        (0, 0.12),
        (30, 0.08),
        (54, 0.1),
        (100, 0.35),
        (165, 0.7),
        (190, 1.0),
        (210, 1.0),
        (240, 0.12),
    ),
    "luminance": (
        (0, 0.08),
        (30, 0.1),
        (45, 0.05),
        (54, 0.08),
        (100, 0.12),
        (165, 0.16),
        (210, 0.18),
        (240, 0.08),
    ),
    "swirl": (
        (0, 0.25),
        (30, 0.3),
        (54, 0.5),
        (100, 0.5),
        (165, 0.75),
        (190, 1.0),
        (210, 1.0),
        (240, 0.25),
    ),
    "fade": ((0, 1.0), (14, 0.35), (28, 0.0), (210, 0.0), (224, 0.72), (240, 1.0)),
    "voice": ((0, 0.0), (38, 0.0), (46, 1.0), (54, 0.7), (70, 0.0), (240, 0.0)),
}


def _smooth(x: float) -> float:
    return x * x * (3.0 - 2.0 * x)


def _track(keys: tuple[tuple[float, float], ...], t_ref: float) -> float:
    for (t0, v0), (t1, v1) in itertools.pairwise(keys):
        if t_ref <= t1:
            x = 0.0 if t1 <= t0 else (t_ref - t0) / (t1 - t0)
            return v0 + (v1 - v0) * _smooth(min(1.0, max(0.0, x)))
    return keys[-1][1]


@dataclass(frozen=True, slots=True)  # slots: one small object per step, no __dict__ to build
class Moods:
    haze: float
    tension: float
    openness: float
    warmth: float
    luminance: float
    swirl: float
    fade: float
    voice: float

    def as_tuple(self) -> tuple[float, ...]:
        return tuple(getattr(self, n) for n in MOOD_NAMES)


def split_time(t: float, cycle_seconds: float) -> tuple[int, float]:
    """Absolute run time (float64 seconds) -> (cycle index, seconds into that cycle)."""
    k = math.floor(t / cycle_seconds)
    return k, t - k * cycle_seconds


def to_reference(cycle_t: float, cycle_seconds: float) -> float:
    """Seconds into a cycle of any length -> the matching moment of the 240 s reference."""
    return min(REFERENCE_CYCLE, max(0.0, cycle_t * REFERENCE_CYCLE / cycle_seconds))


def phase_at(cycle_t: float, cycle_seconds: float = REFERENCE_CYCLE) -> Phase:
    r = to_reference(cycle_t, cycle_seconds)
    for i in range(len(Phase)):
        if r < PHASE_STARTS[i + 1]:
            return Phase(i)
    return Phase.FADE


def phase_start(phase: Phase, cycle_seconds: float = REFERENCE_CYCLE) -> float:
    return PHASE_STARTS[phase] * cycle_seconds / REFERENCE_CYCLE


def mood(name: str, cycle_t: float, cycle_seconds: float = REFERENCE_CYCLE) -> float:
    return _track(_TRACKS[name], to_reference(cycle_t, cycle_seconds))


def moods_at(cycle_t: float, cycle_seconds: float = REFERENCE_CYCLE) -> Moods:
    r = to_reference(cycle_t, cycle_seconds)
    return Moods(*(_track(_TRACKS[n], r) for n in MOOD_NAMES))


def share_rate(cycle_t: float, cycle_seconds: float = REFERENCE_CYCLE) -> float:
    """Expected shares per reference second at this moment: none in arrival and the knot,
    the dreamer's words in speaking, the figures in turn in resonance, fewer in unity."""
    p = phase_at(cycle_t, cycle_seconds)
    openness = mood("openness", cycle_t, cycle_seconds)
    if p in (Phase.ARRIVAL, Phase.KNOT, Phase.FADE):
        return 0.0
    if p == Phase.SPEAKING:
        return 0.16
    if p == Phase.RESONANCE:
        return 0.08 + 0.12 * openness
    return 0.06 * openness  # unity: the web is whole; an occasional murmur


# --------------------------------------------------------------------------- swirl phase

#: Nebula turns per second at zero swirl mood and at full swirl (times the live swirl_speed).
SWIRL_HZ_CALM, SWIRL_HZ_FULL = 0.004, 0.016
_INTEGRAL_SAMPLES = 4801


def _cumulative(name: str) -> tuple[list[float], float]:
    """Cumulative integral of a mood track over the reference cycle (trapezoid rule)."""
    cached = _CUMULATIVE.get(name)
    if cached is None:
        dt = REFERENCE_CYCLE / (_INTEGRAL_SAMPLES - 1)
        vals = [_track(_TRACKS[name], i * dt) for i in range(_INTEGRAL_SAMPLES)]
        cum = [0.0]
        for a, b in itertools.pairwise(vals):
            cum.append(cum[-1] + 0.5 * (a + b) * dt)
        cached = (cum, cum[-1])
        _CUMULATIVE[name] = cached
    return cached


_CUMULATIVE: dict[str, tuple[list[float], float]] = {}


def mood_integral(name: str, cycle_t: float, cycle_seconds: float = REFERENCE_CYCLE) -> float:
    """Integral of a mood over [0, cycle_t], in seconds of this cycle length."""
    cum, _ = _cumulative(name)
    r = to_reference(cycle_t, cycle_seconds) / REFERENCE_CYCLE * (_INTEGRAL_SAMPLES - 1)
    i = min(int(r), _INTEGRAL_SAMPLES - 2)
    f = r - i
    ref = cum[i] + (cum[i + 1] - cum[i]) * f
    return ref * cycle_seconds / REFERENCE_CYCLE


def swirl_turns(t: float, cycle_seconds: float = REFERENCE_CYCLE) -> float:
    """How many turns the nebula has made by run time t: a pure function of time whose rate
    follows the swirl mood. Float64; wrap with ``fract`` before it becomes a uniform."""
    k, ct = split_time(t, cycle_seconds)
    _, total = _cumulative("swirl")
    per_cycle = total * cycle_seconds / REFERENCE_CYCLE
    integral = k * per_cycle + mood_integral("swirl", ct, cycle_seconds)
    return SWIRL_HZ_CALM * t + (SWIRL_HZ_FULL - SWIRL_HZ_CALM) * integral


# --------------------------------------------------------------------------- the camera

#: How far the dreamer has come (0 away .. 1 at the circle's near edge): walking in through the
#: arrival and the knot, holding, drifting back and up through the fade so that the next
#: arrival starts far away again. Eased at every key: no jolt at the seam.
_APPROACH = ((0, 0.0), (50, 1.0), (212, 1.0), (240, 0.0))
#: Breathing while the camera holds: a barely visible sway (metres), a whole number of breaths
#: per cycle so that it, too, is a pure function of cycle time.
BREATHS_PER_CYCLE = 26
BREATH_SWAY = (0.025, 0.018)


def approach(cycle_t: float, cycle_seconds: float = REFERENCE_CYCLE) -> float:
    return _track(_APPROACH, to_reference(cycle_t, cycle_seconds))


def camera_sway(cycle_t: float, cycle_seconds: float = REFERENCE_CYCLE) -> tuple[float, float]:
    """The breathing sway (x, y in metres): zero away, full only while the camera holds."""
    hold = approach(cycle_t, cycle_seconds) ** 2
    u = 2.0 * math.pi * BREATHS_PER_CYCLE * to_reference(cycle_t, cycle_seconds) / REFERENCE_CYCLE
    return (BREATH_SWAY[0] * hold * math.sin(0.5 * u), BREATH_SWAY[1] * hold * math.sin(u))
