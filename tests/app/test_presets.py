"""Shipped presets, the per-user folder and the key slots, without a window."""

from __future__ import annotations

from pathlib import Path

import pytest

from nebula.config import PARAM_SPECS, ConfigError
from nebula.presets import (
    load_preset,
    preset_slots,
    save_new_preset,
    shipped_presets_dir,
    user_presets_dir,
)


def test_at_least_three_distinct_looks_ship_and_load() -> None:
    names = sorted(p.stem for p in shipped_presets_dir().glob("*.toml"))
    assert {"twilight", "dawn", "deep-night"} <= set(names)
    looks = [load_preset(n) for n in names]
    full = [{s.name: p.params.get(s.name, s.default) for s in PARAM_SPECS} for p in looks]
    for i in range(len(full)):
        for j in range(i + 1, len(full)):
            assert full[i] != full[j], f"{names[i]} and {names[j]} are the same look"


def test_the_user_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert user_presets_dir() == tmp_path / "nebula" / "presets"


def test_saving_never_overwrites_and_round_trips(tmp_path: Path) -> None:
    a = save_new_preset({"bloom": 1.25, "exposure": 0.7}, tmp_path)
    b = save_new_preset({"bloom": 0.5}, tmp_path)
    assert a != b and a.name == "preset-001.toml" and b.name == "preset-002.toml"
    assert load_preset(str(a)).params == {"bloom": 1.25, "exposure": 0.7}


def test_slots_list_shipped_then_user_and_a_user_copy_wins(tmp_path: Path) -> None:
    (tmp_path / "dawn.toml").write_text('name = "my dawn"\n[params]\nbloom = 0.1\n')
    (tmp_path / "aaa.toml").write_text("[params]\n")
    slots = preset_slots(tmp_path)
    shipped = sorted(p.stem for p in shipped_presets_dir().glob("*.toml"))
    assert [p.stem for p in slots] == [*shipped, "aaa"]
    assert slots[shipped.index("dawn")] == tmp_path / "dawn.toml"
    assert slots[shipped.index("twilight")] == shipped_presets_dir() / "twilight.toml"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[params]\nexposure = 9.0\n", "exposure = 9.0 is out of range: allowed [0.2, 3]"),
        ("[params]\nsparkle = 1.0\n", "unknown parameter 'sparkle'"),
        ('[params]\nbloom = "lots"\n', "bloom must be a number in [0, 2]"),
        ("[colours]\n", "unknown key 'colours'"),
        ("[params\n", "not valid TOML"),
    ],
)
def test_bad_presets_name_the_key_value_and_range(tmp_path: Path, text: str, needle: str) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_preset(str(p))
    assert needle in str(e.value)
