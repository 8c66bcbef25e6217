"""What an OSC message asks for: its address and arguments turned into an event, or refused
with the reason (``Refused``); and the addresses' table the docs print."""

from __future__ import annotations

from collections.abc import Callable

from nebula.config import PARAM_SPECS, PARAMS_BY_NAME, ConfigError
from nebula.control.events import (
    ACTIONS,
    Event,
    EventError,
    number,
    param_event,
    preset_event_value,
)

PREFIX = "/nebula"
#: Actions a message may not ask for: they write files or end the show.
REFUSED_ACTIONS = frozenset({"screenshot", "quit"})
INSTALL_HINT = "OSC needs python-osc: pip install 'nebula[osc]'"

ADDRESSES: tuple[tuple[str, str, str], ...] = (
    ("/nebula/param/NAME", "f", "set a parameter to a value in its range"),
    ("/nebula/param/NAME/norm", "f", "set a parameter from 0 to 1 across its range"),
    ("/nebula/share", "[i]", "the dreamer shares, or figure i (1 to the number of figures)"),
    ("/nebula/preset", "s", "load a preset by name (from the preset folders only)"),
    (
        "/nebula/action",
        "s",
        "an action by name: " + ", ".join(sorted(set(ACTIONS) - REFUSED_ACTIONS)),
    ),
)


class Refused(Exception):
    """A message that is not applied; the message is the reason (its kind is ``kind``)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


def address_table() -> str:
    """The table of addresses and parameters on docs/control.md (tests/control/test_osc.py
    checks the page holds it as generated)."""
    rows = ["| address | arguments | what it does |", "| --- | --- | --- |"]
    rows += [f"| `{a}` | `{t}` | {d} |" for a, t, d in ADDRESSES]
    rows += ["", "| NAME | range | default | what it changes |", "| --- | --- | --- | --- |"]
    rows += [
        f"| `{s.name}` | {s.lo:g} to {s.hi:g} | {s.default:g} | {s.doc} |" for s in PARAM_SPECS
    ]
    return "\n".join(rows)


def _one(args: list[object], address: str) -> object:
    if len(args) != 1:
        raise Refused("wrong type", f"{address} takes one argument (got {len(args)})")
    return args[0]


def to_event(
    address: str,
    args: list[object],
    *,
    figures: int,
    preset: Callable[[str], dict[str, object]] | None = None,
) -> Event:
    """The event a message asks for; Refused with the reason otherwise. ``preset`` resolves a
    preset's name to its event value (a name from the preset folders only)."""
    if not address.startswith(PREFIX + "/"):
        raise Refused("unknown address", f"unknown address {address!r}")
    parts = address[len(PREFIX) + 1 :].split("/")
    try:
        if parts[0] == "param" and len(parts) in (2, 3):
            name = parts[1]
            spec = PARAMS_BY_NAME.get(name)
            if spec is None or (len(parts) == 3 and parts[2] != "norm"):
                raise Refused("unknown address", f"unknown address {address!r}")
            v = _number(_one(args, address), address)
            if len(parts) == 3:
                if not 0.0 <= v <= 1.0:
                    raise Refused("out of range", f"{address} = {v:g} is out of range [0, 1]")
                v = spec.lo + v * (spec.hi - spec.lo)
            return param_event("osc", name, v)
        if parts == ["share"]:
            if not args:
                return Event("osc", "share", None)
            i = _one(args, address)
            if isinstance(i, bool) or not isinstance(i, int):
                raise Refused("wrong type", f"{address} takes an integer figure (got {_type(i)})")
            if not 1 <= i <= figures:
                raise Refused("out of range", f"{address} {i}: figures are 1 to {figures}")
            return Event("osc", "share", i)
        if parts == ["preset"]:
            what = _one(args, address)
            if not isinstance(what, str):
                raise Refused("wrong type", f"{address} takes a name (got {_type(what)})")
            if preset is None:
                raise Refused("refused", "presets are not taken here")
            try:
                return Event("osc", "preset", preset(what))
            except ConfigError as e:
                raise Refused("refused", str(e)) from None
        if parts == ["action"]:
            act = _one(args, address)
            if not isinstance(act, str):
                raise Refused("wrong type", f"{address} takes an action's name (got {_type(act)})")
            if act in REFUSED_ACTIONS:
                raise Refused("refused", f"action {act!r} is not taken over the network")
            if act not in ACTIONS:
                raise Refused("unknown address", f"unknown action {act!r}")
            return Event("osc", act)
    except EventError as e:
        kind = "out of range" if "out of range" in str(e) else "wrong type"
        if "finite" in str(e):
            kind = "not finite"
        raise Refused(kind, f"{address}: {e}") from None
    raise Refused("unknown address", f"unknown address {address!r}")


def _number(v: object, address: str) -> float:
    try:
        return number(v, address)
    except EventError as e:
        raise Refused("not finite" if "finite" in str(e) else "wrong type", str(e)) from None


def _type(v: object) -> str:
    return type(v).__name__


def named_preset(name: str) -> dict[str, object]:
    """A preset's event value by name, from the preset folders only (ConfigError otherwise)."""
    from nebula.presets import load_named_preset

    return preset_event_value(load_named_preset(name))
