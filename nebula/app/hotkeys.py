"""Hotkeys as data: assets/hotkeys.toml maps key chords to parameter steps and named actions.

Every key resolves to one action name; ``Show.do(name)`` carries it out. Parameter steps are
actions too (``down:exposure``, ``up:exposure``), so a filter on action names (installation
mode) covers every key. This module does not import pygame: the window turns events into chords.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from nebula.config import PARAMS_BY_NAME, ConfigError, read_toml
from nebula.control.events import ACTIONS


def hotkeys_file() -> Path:
    """The shipped key table, assets/hotkeys.toml."""
    from nebula.resources import assets_dir

    return assets_dir() / "hotkeys.toml"


MODIFIERS = ("ctrl", "alt", "shift")
_MOD_ALIASES = {"control": "ctrl", "lctrl": "ctrl", "rctrl": "ctrl", "option": "alt"}


def param_action(name: str, steps: int) -> str:
    return f"{'up' if steps > 0 else 'down'}:{name}"


def parse_param_action(action: str) -> tuple[str, int] | None:
    """``up:bloom`` -> ("bloom", 1); ``down:bloom`` -> ("bloom", -1); anything else -> None."""
    direction, _, name = action.partition(":")
    if direction in ("up", "down") and name in PARAMS_BY_NAME:
        return name, 1 if direction == "up" else -1
    return None


def is_action(name: str) -> bool:
    return name in ACTIONS or parse_param_action(name) is not None


def normalize_chord(text: str) -> str:
    """``"Ctrl+S"`` -> ``"ctrl+s"``: modifiers in a fixed order, then the key."""
    parts = [p.strip().lower() for p in text.split("+")]
    # "+" itself is a key name: "shift++" splits into [..., "", ""].
    if len(parts) >= 2 and parts[-1] == "" and parts[-2] == "":
        parts = [*parts[:-2], "+"]
    *mods, key = parts
    if not key:
        raise ConfigError(f"hotkey {text!r} names no key")
    norm: set[str] = set()
    for m in mods:
        m = _MOD_ALIASES.get(m, m)
        if m not in MODIFIERS:
            raise ConfigError(
                f"hotkey {text!r}: unknown modifier {m!r}; use {', '.join(MODIFIERS)}"
            )
        norm.add(m)
    return "+".join([*(m for m in MODIFIERS if m in norm), key])


def chord(key: str, *, ctrl: bool = False, alt: bool = False, shift: bool = False) -> str:
    flags = {"ctrl": ctrl, "alt": alt, "shift": shift}
    return "+".join([*(m for m in MODIFIERS if flags[m]), key.lower()])


@dataclass(frozen=True)
class Hotkeys:
    #: chord -> action name
    bindings: dict[str, str]

    def action_for(self, chord_text: str) -> str | None:
        return self.bindings.get(chord_text)

    def keys_for(self, action: str) -> list[str]:
        return list(self._keys.get(action, ()))

    @functools.cached_property
    def _keys(self) -> dict[str, tuple[str, ...]]:
        """action -> its chords, in binding order (the HUD asks for every action each time it
        is drawn)."""
        keys: dict[str, list[str]] = {}
        for k, a in self.bindings.items():
            keys.setdefault(a, []).append(k)
        return {a: tuple(ks) for a, ks in keys.items()}


def parse_hotkeys(data: Mapping[str, object], where: str = "hotkeys") -> Hotkeys:
    """Validate the table: every parameter and action is real and no chord is bound twice."""
    unknown = set(data) - {"params", "actions"}
    if unknown:
        raise ConfigError(
            f"{where}: unknown table {sorted(unknown)[0]!r}; allowed: params, actions"
        )
    bindings: dict[str, str] = {}

    def bind(key_text: object, action: str) -> None:
        if not isinstance(key_text, str):
            raise ConfigError(f"{where}: {action}: key {key_text!r} must be a string")
        c = normalize_chord(key_text)
        if c in bindings:
            raise ConfigError(f"{where}: key {c!r} is bound twice ({bindings[c]!r} and {action!r})")
        bindings[c] = action

    params = data.get("params", {})
    if not isinstance(params, Mapping):
        raise ConfigError(f"{where}: [params] must be a table")
    for name, pair in params.items():
        if name not in PARAMS_BY_NAME:
            raise ConfigError(
                f"{where}: [params] {name!r} is not a parameter; known: {', '.join(PARAMS_BY_NAME)}"
            )
        if not (isinstance(pair, list) and len(pair) == 2):
            raise ConfigError(f'{where}: {name} must be a ["down", "up"] key pair (got {pair!r})')
        bind(pair[0], param_action(name, -1))
        bind(pair[1], param_action(name, +1))
    actions = data.get("actions", {})
    if not isinstance(actions, Mapping):
        raise ConfigError(f"{where}: [actions] must be a table")
    for name, keys in actions.items():
        if name not in ACTIONS:
            raise ConfigError(
                f"{where}: [actions] {name!r} is not an action; known: {', '.join(ACTIONS)}"
            )
        if not isinstance(keys, list) or not keys:
            raise ConfigError(f"{where}: {name} must be a list of keys (got {keys!r})")
        for k in keys:
            bind(k, name)
    return Hotkeys(bindings)


def load_hotkeys(path: Path | None = None) -> Hotkeys:
    path = path or hotkeys_file()
    return parse_hotkeys(read_toml(path, "hotkeys"), str(path))
