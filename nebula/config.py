"""Typed settings and live parameters, with validation; and the one TOML reader.

Two kinds of knobs:
- ``Settings`` fix what a run *is* (seed, cycle length, counts). They shape the simulation and
  are chosen at start-up; changing one starts a different run.
- ``Params`` are the live, tweakable shader-side values. Each has a range, a default, a step for
  its hotkeys and glides towards its target so a change never jumps.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A setting, parameter or preset that cannot be used; the message says why and what is ok."""


# --------------------------------------------------------------------------- settings


#: What one cycle needs from the particle pool per thread: light flows at up to 4 x 5 per
#: second (a fresh share's flash) for up to 4 s; plus two shares' word-birds (48 each).
_FLOW_PER_THREAD, _BIRD_BURSTS = 20 * 4, 2 * 48


def thread_pairs(figures: int) -> int:
    """Threads one cycle can weave: one per unordered pair among the figures and the dreamer."""
    return (figures + 1) * figures // 2


def min_particles(figures: int) -> int:
    """The smallest non-empty pool that holds every thread's light and a share's word-birds."""
    return thread_pairs(figures) * _FLOW_PER_THREAD + _BIRD_BURSTS


@dataclass(frozen=True)
class Settings:
    """What a run is. Any frame is a function of (settings, frame index).

    Every field is checked on construction; a bad value raises ConfigError naming the field,
    the value and the allowed range.
    """

    #: Run seed, [0, 2**63 - 1]. Each cycle is seeded from (seed, cycle index).
    seed: int = 0
    #: Length of one cycle of the arc in seconds, [10, 86400]; every phase scales with it.
    cycle_seconds: float = 240.0
    #: Simulation rate in Hz, [1, 1000]: the world advances in fixed steps of 1 / sim_hz s.
    sim_hz: float = 60.0
    #: Figures in the circle, not counting the dreamer, [2, 32] (two are named in the text).
    figures: int = 8
    #: Crystal flowers on the plain, [0, 100000].
    flowers: int = 420
    #: Particle pool capacity (motes, word-birds and light flowing along threads): 0 for none,
    #: else [min_particles(figures), 10000000] (2976 for 8 figures). The default fills 1280x720.
    particles: int = 12000
    #: Thread capacity, [thread_pairs(figures), 100000] (36 for 8 figures): one per pair.
    threads: int = 96

    def __post_init__(self) -> None:
        _check("seed", self.seed, 0, 2**63 - 1, integer=True)
        _check("cycle_seconds", self.cycle_seconds, 10.0, 86400.0)
        _check("sim_hz", self.sim_hz, 1.0, 1000.0)
        _check("figures", self.figures, 2, 32, integer=True)
        _check("flowers", self.flowers, 0, 100_000, integer=True)
        _check("particles", self.particles, 0, 10_000_000, integer=True)
        need = min_particles(self.figures)
        if 0 < self.particles < need:
            raise ConfigError(
                f"particles = {self.particles!r} is below what a cycle needs: allowed 0 (none) "
                f"or [{need}, 10000000] for {self.figures} figures (light along every thread "
                "and a share's word-birds)"
            )
        _check(
            "threads",
            self.threads,
            thread_pairs(self.figures),
            100_000,
            integer=True,
            why=f"a cycle weaves one per pair among {self.figures} figures and the dreamer",
        )


def _check(
    name: str,
    value: Any,
    lo: float,
    hi: float,
    *,
    integer: bool = False,
    why: str = "",
) -> None:
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    span = f"[{_num(lo)}, {_num(hi)}]"
    if isinstance(value, bool) or not ok_type:
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"{name} must be {kind} in {span} (got {value!r})")
    if not (lo <= value <= hi) or (not integer and not math.isfinite(value)):
        note = f"; {why}" if why else ""
        raise ConfigError(f"{name} = {value!r} is out of range: allowed {span}{note}")


def _num(x: float) -> str:
    """Whole numbers in full (10000000, not 1e+07), others short."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# --------------------------------------------------------------------------- live params


@dataclass(frozen=True)
class ParamSpec:
    name: str
    default: float
    lo: float
    hi: float
    step: float
    doc: str
    #: Glide time constant in seconds; 0 means the value follows its target at once.
    smoothing: float = 0.25
    #: Whether shaders read it (as ``u_<name>``); the rest act on the CPU (the clock, shares).
    uniform: bool = True

    def stepped(self, value: float, steps: int) -> float:
        """``value`` moved ``steps`` steps (a hotkey's nudge), on the step grid so repeated
        presses land on tidy values, and kept in range."""
        raw = round((value + steps * self.step) / self.step) * self.step
        return min(self.hi, max(self.lo, raw))


#: The registry of live parameters: one place names, ranges, steps and meaning.
PARAM_SPECS: tuple[ParamSpec, ...] = (
    ParamSpec("swirl_speed", 1.0, 0.0, 4.0, 0.1, "how fast the nebula turns (x the arc's swirl)"),
    ParamSpec("swirl_intensity", 1.0, 0.0, 2.5, 0.1, "how strongly the nebula is domain-warped"),
    ParamSpec("hue_shift", 0.0, -0.5, 0.5, 0.02, "rotates every hue, in turns"),
    ParamSpec("exposure", 1.0, 0.2, 3.0, 0.05, "overall brightness before tone mapping"),
    ParamSpec("bloom", 0.8, 0.0, 2.0, 0.05, "glow around everything bright"),
    ParamSpec("haze", 1.0, 0.0, 2.0, 0.1, "heat-haze shimmer around guarded figures"),
    ParamSpec("flower_pulse", 1.0, 0.0, 2.0, 0.1, "depth of the crystal flowers' pulse"),
    ParamSpec("thread_glow", 1.0, 0.0, 3.0, 0.1, "brightness and width of the threads"),
    ParamSpec(
        "particle_density",
        1.0,
        0.0,
        1.0,
        0.05,
        "share of the particle pool that is drawn",
        uniform=False,
    ),
    ParamSpec(
        "share_rate",
        1.0,
        0.0,
        3.0,
        0.1,
        "how often the figures share (x the arc's rate)",
        uniform=False,
    ),
    ParamSpec(
        "time_scale",
        1.0,
        0.0,
        4.0,
        0.1,
        "speed of the piece's clock",
        smoothing=0.0,
        uniform=False,
    ),
    ParamSpec("watercolor", 1.0, 0.0, 2.0, 0.1, "strength of the watercolor wash in the fade"),
    ParamSpec("grain", 1.0, 0.0, 3.0, 0.1, "film grain amount"),
)
PARAMS_BY_NAME: dict[str, ParamSpec] = {s.name: s for s in PARAM_SPECS}


def default_values() -> dict[str, float]:
    """Every parameter at its default, in the registry's order (a new dict each call)."""
    return {s.name: s.default for s in PARAM_SPECS}


def validate_param(name: str, value: Any) -> float:
    spec = PARAMS_BY_NAME.get(name)
    if spec is None:
        raise ConfigError(
            f"unknown parameter {name!r}; known parameters: {', '.join(PARAMS_BY_NAME)}"
        )
    _check(name, value, spec.lo, spec.hi)
    return float(value)


@dataclass
class Params:
    """Live parameter values. ``set`` moves a target; ``update(dt)`` glides values towards it,
    once a fixed simulation step (nebula.control.timeline), so a replay glides alike."""

    values: dict[str, float] = field(default_factory=default_values)
    targets: dict[str, float] = field(default_factory=default_values)

    def __getitem__(self, name: str) -> float:
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def set(self, name: str, value: float, *, immediate: bool = False) -> float:
        spec = PARAMS_BY_NAME[name]
        v = min(spec.hi, max(spec.lo, float(value)))
        self.targets[name] = v
        if immediate or spec.smoothing == 0.0:
            self.values[name] = v
        return v

    def reset(self) -> None:
        for s in PARAM_SPECS:
            self.set(s.name, s.default)

    def apply(self, values: Mapping[str, float], *, immediate: bool = False) -> None:
        for k, v in values.items():
            self.set(k, v, immediate=immediate)

    def update(self, dt: float) -> None:
        for s in PARAM_SPECS:
            target = self.targets[s.name]
            if s.smoothing <= 0.0:
                self.values[s.name] = target
                continue
            if dt <= 0.0:
                continue
            a = 1.0 - math.exp(-dt / s.smoothing)
            v = self.values[s.name] + (target - self.values[s.name]) * a
            # Snap when close so values settle exactly on the grid.
            self.values[s.name] = target if abs(target - v) < 1e-4 * (s.hi - s.lo) else v

    def at(self, elapsed: float) -> dict[str, float]:
        """The values ``elapsed`` seconds on from the last ``update``, gliding as ``update``
        would (``update(e)`` then reads the same): a frame between two fixed steps sees the
        glide where it is, and one at the same moment of a replay sees the same."""
        if elapsed <= 0.0 or self.values == self.targets:
            return self.values
        out = dict(self.values)
        for s in PARAM_SPECS:
            target, v = self.targets[s.name], self.values[s.name]
            if s.smoothing > 0.0 and v != target:
                v += (target - v) * (1.0 - math.exp(-elapsed / s.smoothing))
                out[s.name] = target if abs(target - v) < 1e-4 * (s.hi - s.lo) else v
        return out

    def snapshot(self) -> dict[str, float]:
        return dict(self.targets)


# --------------------------------------------------------------------------- files


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file; a missing, unreadable, non-UTF-8 or malformed one is a ConfigError
    naming it. A UTF-8 byte-order mark is allowed (some editors write one)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read {what} {str(path)!r}: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(
            f"{what} {str(path)!r} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
            f"{e.start}); save it as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{what} {str(path)!r} is not valid TOML: {e}") from None
    except ValueError as e:  # for example an integer of thousands of digits
        raise ConfigError(f"{what} {str(path)!r} has a value that cannot be read: {e}") from None
