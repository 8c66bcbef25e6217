"""The listening mapping is checked like a preset: the shipped one loads, a user's copy wins,
and a bad key or value is refused with the key and its range."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from nebula.config import ConfigError
from nebula.listen.mapping import load_listen_map, read_listen_map
from tests.helpers import NEBULA


def test_the_shipped_mapping_moves_four_parameters() -> None:
    m = load_listen_map()
    assert {x.param for x in m.moves} == {"swirl_speed", "flower_pulse", "thread_glow", "exposure"}
    assert m.intensity(1.0, 10.0) == 1.0 and 0.0 < m.intensity(0.2, 0.5) < 0.5


def test_a_user_s_copy_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "nebula").mkdir()
    (tmp_path / "nebula" / "listen.toml").write_text("[voice]\nmin_gap = 20.0\n")
    m = load_listen_map()
    assert m.min_gap == 20.0 and m.moves == ()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[voice]\nmin_gapp = 3\n", "[voice] has unknown key 'min_gapp'"),
        ("[voice]\nmin_gap = 0.1\n", "voice.min_gap = 0.1: a number from 0.5 to 120"),
        ("[bands.bass]\nparam = 'nope'\ndepth = 1\nsmoothing = 1\n", "not a parameter"),
        ("[bands.bass]\nparam = 'exposure'\ndepth = 9\nsmoothing = 1\n", "from -2.8 to 2.8"),
        ("[bands.mid]\nparam = 'exposure'\ndepth = 0.1\n", "needs 'smoothing'"),
        ("[noise]\nx = 1\n", "unknown key 'noise'"),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_key(tmp_path: Path, text: str, said: str) -> None:
    path = tmp_path / "listen.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=said.replace("[", r"\[").replace(".", r"\.")):
        read_listen_map(path)


def test_run_refuses_a_bad_mapping_before_its_window(tmp_path: Path) -> None:
    path = tmp_path / "listen.toml"
    path.write_text("[take]\nrate = 100\n")
    p = subprocess.run([*NEBULA, "run", "--listen", "--listen-map", str(path)],
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert p.returncode == 2 and "take.rate = 100" in p.stderr, p.stderr
