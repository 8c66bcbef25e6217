"""One event for every input: a key, an OSC message or a MIDI control all become an ``Event``,
and ``nebula.app.show.Show.apply`` is the one door they go through.

An event names its source, its target and its value. Targets are a parameter
(``param:NAME``, the value in the parameter's range) or an action (``share``, the speaker or
None for the dreamer; ``preset``, a name resolved to its values; ``reset``, ``pause``, ...).
When applied it is stamped with the simulation step it takes effect on and the piece time.

Only ``STATE_TARGETS`` change what the piece shows; they take effect on a step, so a replay of
the same events shows the same frames. The rest act on the live session (its clock, its HUD,
its files) and are journaled for the record only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from nebula.config import PARAMS_BY_NAME, ConfigError, default_values

if TYPE_CHECKING:
    from nebula.config import Params
    from nebula.presets import Preset
    from nebula.sim.world import World

#: Every named action the live piece knows, with what it does (the HUD and docs/live.md list these).
ACTIONS: dict[str, str] = {
    "share": "the dreamer shares now",
    "pause": "pause / resume",
    "step": "one frame forward while paused",
    "reset": "every parameter back to its default",
    "toggle_hud": "show / hide this overlay",
    "fullscreen": "fullscreen on / off",
    "screenshot": "save a numbered PNG",
    "save_preset": "save the parameters as a new preset",
    "midi_learn": "MIDI learn: move a control, then press a parameter's key",
    **{f"preset_{i}": f"load preset {i}" for i in range(1, 10)},
    "pattern": "a wall's calibration pattern on / off",
    "pin_corner": "calibration: the next corner of the pin",
    "pin_left": "calibration: the corner a pixel left",
    "pin_right": "calibration: the corner a pixel right",
    "pin_up": "calibration: the corner a pixel up",
    "pin_down": "calibration: the corner a pixel down",
    "pin_save": "calibration: write the pin to the wall file",
    "quit": "quit",
}

SOURCES = ("key", "osc", "midi", "listen")
#: Parameters that act on the live clock, not on the picture: applied at once, never replayed.
CLOCK_PARAMS = frozenset({"time_scale"})
#: Actions that change the picture, and so take effect on a step and are replayed ("settle"
#: is the live piece's own: the glides its preview made while the clock stood, nebula.app.show).
STATE_ACTIONS = frozenset({"share", "preset", "reset", "settle"})

Value = float | int | str | dict[str, object] | None


class EventError(ValueError):
    """An event that cannot be applied; the message names why (logged, counted, refused)."""


@dataclass(frozen=True)
class Event:
    source: str
    target: str
    value: Value = None
    #: The simulation step (``World.index``) it takes effect on, and the piece time it came.
    step: int | None = None
    time: float | None = None

    @property
    def param(self) -> str | None:
        """The parameter this event sets, if it sets one."""
        kind, _, name = self.target.partition(":")
        return name if kind == "param" else None

    @property
    def changes_state(self) -> bool:
        """Whether it changes what the piece shows (and is applied on its step, and replayed)."""
        p = self.param
        return (p is not None and p not in CLOCK_PARAMS) or self.target in STATE_ACTIONS

    def stamped(self, step: int, time: float) -> Event:
        return replace(self, step=step, time=time)

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "step": self.step,
            "time": self.time,
            "target": self.target,
            "value": self.value,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, object]) -> Event:
        """An event from a journal line; EventError names what is wrong with it."""
        keys = {"source", "step", "time", "target", "value"}
        if set(d) != keys:
            raise EventError(f"an event has the keys {sorted(keys)} (got {sorted(d)})")
        step, time, source = d["step"], d["time"], d["source"]
        if not isinstance(step, int) or isinstance(step, bool) or step < 0:
            raise EventError(f"step must be an integer >= 0 (got {step!r})")
        if not isinstance(time, (int, float)) or isinstance(time, bool) or not math.isfinite(time):
            raise EventError(f"time must be a finite number (got {time!r})")
        if source not in SOURCES:
            raise EventError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
        target, value = d["target"], d["value"]
        if not isinstance(target, str):
            raise EventError(f"target must be a string (got {target!r})")
        ev = cls(source, target, value, step, float(time))  # type: ignore[arg-type]
        check(ev, figures=None)
        return ev


def param_event(source: str, name: str, value: object) -> Event:
    """``param:NAME`` set to ``value``; EventError for an unknown name, a value that is not a
    finite number, or one outside the parameter's range."""
    spec = PARAMS_BY_NAME.get(name)
    if spec is None:
        raise EventError(f"unknown parameter {name!r}")
    v = number(value, f"parameter {name}")
    if not spec.lo <= v <= spec.hi:
        raise EventError(f"{name} = {v:g} is out of range [{spec.lo:g}, {spec.hi:g}]")
    return Event(source, f"param:{name}", v)


def number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EventError(f"{what} takes a number (got {type(value).__name__})")
    v = float(value)
    if not math.isfinite(v):
        raise EventError(f"{what} takes a finite number (got {v})")
    return v


def preset_values(preset: Preset) -> dict[str, float]:
    """Every parameter as a preset sets it: its values over the defaults (a preset names only
    what it changes; applied, it sets the rest back)."""
    return default_values() | preset.params


def preset_event_value(preset: Preset) -> dict[str, object]:
    """What a preset event carries: its name and every parameter (``preset_values``)."""
    return {"name": preset.name, "params": preset_values(preset)}


def changes(ev: Event) -> list[tuple[str, float]]:
    """The parameter targets an event sets, as (name, value): what feedback (OSC, MIDI) sends."""
    name = ev.param
    if name is not None and isinstance(ev.value, float):
        return [(name, ev.value)]
    if ev.target in ("preset", "settle") and isinstance(ev.value, dict):
        values = ev.value["params" if ev.target == "preset" else "targets"]
        if isinstance(values, dict):
            return [(k, float(v)) for k, v in values.items()]
    if ev.target == "reset":
        return list(default_values().items())
    return []


def check(ev: Event, figures: int | None) -> None:
    """Refuse an event whose target or value makes no sense (EventError). ``figures`` bounds a
    share's speaker when known."""
    name = ev.param
    if name is not None:
        param_event(ev.source, name, ev.value)
    elif ev.target == "share" and isinstance(ev.value, dict):  # a voice heard (nebula.listen)
        if set(ev.value) != {"intensity", "words"}:
            raise EventError("a voice's share carries its intensity and its words")
        i, w = ev.value["intensity"], ev.value["words"]
        if not isinstance(i, (int, float)) or isinstance(i, bool) or not 0.0 <= i <= 1.0:
            raise EventError(f"a share's intensity is 0 to 1 (got {i!r})")
        if not isinstance(w, int) or isinstance(w, bool) or not 0 <= w <= 1000:
            raise EventError(f"a share's words are 0 to 1000 (got {w!r})")
    elif ev.target == "share":
        if ev.value is not None:
            if isinstance(ev.value, bool) or not isinstance(ev.value, int) or ev.value < 0:
                raise EventError(f"share takes a figure number >= 0 (got {ev.value!r})")
            if figures is not None and ev.value > figures:
                raise EventError(f"there is no figure {ev.value}: 0 (the dreamer) to {figures}")
    elif ev.target == "preset":
        v = ev.value
        if not isinstance(v, dict) or set(v) != {"name", "params"}:
            raise EventError("a preset event carries its name and its parameters")
        params = v["params"]
        if not isinstance(params, dict):
            raise EventError("a preset event's parameters are a table")
        for k, x in params.items():
            try:
                param_event(ev.source, str(k), x)
            except EventError as e:
                raise EventError(f"preset {v['name']!r}: {e}") from None
    elif ev.target == "settle":
        v = ev.value
        if not isinstance(v, dict) or set(v) != {"values", "targets"}:
            raise EventError("a settle event carries the parameters' values and targets")
        for part in v.values():
            if not isinstance(part, dict) or set(part) != set(PARAMS_BY_NAME):
                raise EventError("a settle event names every parameter")
            for k, x in part.items():
                param_event(ev.source, str(k), x)
    elif ev.target not in ACTIONS:
        raise EventError(f"unknown target {ev.target!r}")


def apply_state(ev: Event, params: Params, world: World) -> None:
    """What a state event does to the picture's inputs (the timeline calls it on its step)."""
    name = ev.param
    if name is not None:
        assert isinstance(ev.value, (int, float))
        params.set(name, float(ev.value))
    elif ev.target == "share" and isinstance(ev.value, dict):  # the dreamer, as a voice heard
        intensity, words = ev.value["intensity"], ev.value["words"]
        assert isinstance(intensity, (int, float)) and isinstance(words, int)  # (check())
        world.request_share(0, float(intensity), words)
    elif ev.target == "share":
        world.request_share(0 if ev.value is None else int(ev.value))  # type: ignore[arg-type]
    elif ev.target == "preset":
        assert isinstance(ev.value, dict)
        values = ev.value["params"]
        assert isinstance(values, dict)
        params.apply({k: float(v) for k, v in values.items()})
    elif ev.target == "reset":
        params.reset()
    elif ev.target == "settle":  # the glides a standing clock's preview made (app.show)
        assert isinstance(ev.value, dict)
        for part, into in (("values", params.values), ("targets", params.targets)):
            values = ev.value[part]
            assert isinstance(values, dict)
            into.update({k: float(v) for k, v in values.items()})
    else:
        raise ConfigError(f"{ev.target!r} does not change the picture")


def targets_after(
    ev: Event, wanted: Mapping[str, float]
) -> tuple[dict[str, float], str | None] | None:
    """The parameters' targets once ``ev`` is applied, and the name of the preset it loads
    ("defaults" for a reset; None for one parameter); None for an event that sets no target."""
    name = ev.param
    if name is not None:
        assert isinstance(ev.value, float)
        return {**wanted, name: ev.value}, None
    if ev.target == "preset":
        assert isinstance(ev.value, dict)
        values = ev.value["params"]
        assert isinstance(values, dict)
        return {**wanted, **{k: float(v) for k, v in values.items()}}, str(ev.value["name"])
    if ev.target == "reset":
        return default_values(), "defaults"
    return None
