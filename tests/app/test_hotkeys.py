"""The hotkey table is data: every binding names a real parameter or action, no key twice."""

from __future__ import annotations

import tomllib

import pytest

from nebula.app.hotkeys import (
    hotkeys_file,
    is_action,
    load_hotkeys,
    normalize_chord,
    parse_hotkeys,
    parse_param_action,
)
from nebula.app.status import key_label
from nebula.config import PARAM_SPECS, ConfigError
from nebula.control.events import ACTIONS
from tests.helpers import REPO


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


def _readme_rows(header: str) -> list[list[str]]:
    """The rows of the docs/live.md table whose header line is ``header``."""
    lines = (REPO / "docs" / "live.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(header) + 2  # past the header and the --- line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def test_the_readme_key_tables_say_what_the_file_binds() -> None:
    """docs/live.md documents assets/hotkeys.toml: same keys, same parameters and ranges."""
    keys = load_hotkeys()
    params = _readme_rows("| keys | parameter | range (default), step: meaning |")
    assert [r[1] for r in params] == [s.name for s in PARAM_SPECS]
    for (pair, _, text), spec in zip(params, PARAM_SPECS, strict=True):
        down, up = keys.keys_for(f"down:{spec.name}"), keys.keys_for(f"up:{spec.name}")
        assert pair == f"`{key_label(down[0])}` / `{key_label(up[0])}`", spec.name
        assert text.startswith(f"{spec.lo:g} to {spec.hi:g} ({spec.default:g}), step {spec.step:g}")
    # The actions table, in ACTIONS order with the nine preset keys on one row.
    actions = [a for a in ACTIONS if not a.startswith("preset_") or a == "preset_1"]
    rows = _readme_rows("| key | action |")
    assert len(rows) == len(actions)
    for (label, _), action in zip(rows, actions, strict=True):
        if action == "preset_1":
            bound = [keys.keys_for(f"preset_{i}")[0] for i in range(1, 10)]
            assert label == f"{bound[0]} to {bound[-1]}" and bound == [str(i) for i in range(1, 10)]
            continue
        want = {key_label(k).strip("`").lower() for k in keys.keys_for(action)}
        assert {x.strip("`").lower() for x in label.split(" or ")} == want, action


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
    assert key_label("escape") == "Esc"
