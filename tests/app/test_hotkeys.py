"""The hotkey table is data: every binding names a real parameter or action, no key twice."""

from __future__ import annotations

import tomllib

import pytest

from nebula.app.hotkeys import (
    ACTIONS,
    hotkeys_file,
    is_action,
    load_hotkeys,
    normalize_chord,
    parse_hotkeys,
    parse_param_action,
)
from nebula.app.show import key_label
from nebula.config import PARAM_SPECS, ConfigError


def test_every_binding_names_a_real_parameter_or_action() -> None:
    keys = load_hotkeys()
    assert keys.bindings, "no bindings loaded"
    for chord_text, action in keys.bindings.items():
        assert is_action(action), f"{chord_text} -> {action} is neither a parameter nor an action"


def test_no_key_is_bound_twice_in_the_file() -> None:
    # parse_hotkeys would refuse a duplicate; check the raw file too, normalising each chord.
    data = tomllib.loads(hotkeys_file().read_text(encoding="utf-8"))
    chords = [normalize_chord(k) for pair in data["params"].values() for k in pair]
    chords += [normalize_chord(k) for keys in data["actions"].values() for k in keys]
    assert len(chords) == len(set(chords))


def test_every_parameter_has_a_down_up_pair_and_every_action_a_key() -> None:
    keys = load_hotkeys()
    for spec in PARAM_SPECS:
        assert len(keys.keys_for(f"down:{spec.name}")) == 1, spec.name
        assert len(keys.keys_for(f"up:{spec.name}")) == 1, spec.name
    for action in ACTIONS:
        assert keys.keys_for(action), f"action {action} has no key"


def test_the_issue_keys() -> None:
    keys = load_hotkeys()
    expect = {
        "space": "share",
        "p": "pause",
        ".": "step",
        "r": "reset",
        "h": "toggle_hud",
        "tab": "toggle_hud",
        "f11": "fullscreen",
        "f12": "screenshot",
        "ctrl+s": "save_preset",
        "escape": "quit",
        **{str(i): f"preset_{i}" for i in range(1, 10)},
    }
    for chord_text, action in expect.items():
        assert keys.action_for(chord_text) == action, chord_text


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"params": {"swirl_speed": ["q", "w"], "bloom": ["q", "e"]}}, "bound twice"),
        ({"actions": {"share": ["space"], "pause": ["Space"]}}, "bound twice"),
        ({"params": {"sparkle": ["q", "w"]}}, "not a parameter"),
        ({"actions": {"explode": ["x"]}}, "not an action"),
        ({"params": {"bloom": ["q"]}}, "key pair"),
        ({"actions": {"share": ["hyper+x"]}}, "unknown modifier"),
        ({"keys": {}}, "unknown table"),
    ],
)
def test_bad_tables_are_refused(data: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        parse_hotkeys(data)


def test_chords_and_labels() -> None:
    assert normalize_chord("Shift+Ctrl+S") == "ctrl+shift+s"
    assert parse_param_action("up:bloom") == ("bloom", 1)
    assert parse_param_action("down:bloom") == ("bloom", -1)
    assert parse_param_action("up:nothing") is None
    assert key_label("shift+s") == "S"
    assert key_label("ctrl+s") == "Ctrl+S"
    assert key_label("s") == "s"
    assert key_label("f12") == "F12"
