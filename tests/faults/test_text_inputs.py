"""Every text input in every bad shape: UTF-16, Latin-1, a UTF-8 byte-order mark, binary,
empty, huge. A bad one is refused with one line naming the file and the way out (at start: exit
2; while running: a message, and the show keeps its look); a BOM is UTF-8 and is accepted."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from nebula.app.hotkeys import hotkeys_file, load_hotkeys
from nebula.app.show import Show
from nebula.cli import main
from nebula.config import ConfigError
from nebula.presets import load_preset
from nebula.render.context import headless_context
from nebula.render.shaders import ShaderError, preprocess
from nebula.resources import shaders_dir

PRESET = 'name = "mine"\n[params]\nexposure = 1.5\n'
BAD = {
    "utf16": (PRESET.encode("utf-16"), "not UTF-8"),
    "latin1": ('name = "caf\xe9"\n[params]\nexposure = 1.5\n'.encode("latin-1"), "not UTF-8"),
    "binary": (bytes(range(256)) * 4, "not UTF-8"),
    "huge": (b"[params]\nexposure = " + b"9" * 5000 + b"\n", "cannot be read"),
}


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_preset_file_is_refused_at_start(
    tmp_path: Path,
    no_render: None,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    data, says = BAD[case]
    preset = write(tmp_path / "bad.toml", data)
    out = tmp_path / "x.png"
    assert main(["still", "--preset", str(preset), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0] and "bad.toml" in err[0], err
    assert not out.exists() and preset.read_bytes() == data


def test_a_bom_or_an_empty_preset_is_accepted(tmp_path: Path) -> None:
    bom = write(tmp_path / "bom.toml", b"\xef\xbb\xbf" + PRESET.encode())
    assert load_preset(str(bom)).params == {"exposure": 1.5}
    empty = write(tmp_path / "empty.toml", b"")
    assert load_preset(str(empty)).params == {}  # the default look


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_hotkeys_file_is_one_config_error(tmp_path: Path, case: str) -> None:
    data, says = BAD[case]
    path = write(tmp_path / "hotkeys.toml", data)
    with pytest.raises(ConfigError, match=says):
        load_hotkeys(path)
    bom = write(tmp_path / "bom.toml", b"\xef\xbb\xbf" + hotkeys_file().read_bytes())
    assert load_hotkeys(bom).bindings == load_hotkeys().bindings


@pytest.mark.parametrize("case", ["utf16", "latin1", "binary"])
def test_a_bad_shader_file_is_a_shader_error_with_its_line(tmp_path: Path, case: str) -> None:
    root = tmp_path / "shaders"
    shutil.copytree(shaders_dir(), root)
    text = (root / "lib" / "noise.glsl").read_bytes()
    bad = text.replace(b"// ", b"// caf\xe9 ", 1) if case == "latin1" else BAD[case][0]
    write(root / "lib" / "noise.glsl", bad)
    with pytest.raises(ShaderError, match=r"lib/noise\.glsl:\d+: not UTF-8"):
        preprocess(root / "sky_clouds.frag", root)


@pytest.fixture
def show(tmp_path: Path) -> Iterator[Show]:
    ctx = headless_context()
    shaders = tmp_path / "shaders"
    shutil.copytree(shaders_dir(), shaders)
    presets = tmp_path / "presets"
    presets.mkdir()
    s = Show(
        ctx, (64, 36), now_wall=0.0, hud_visible=False, shader_root=shaders, preset_dir=presets
    )
    s.frame(0.0)
    yield s
    s.release()
    ctx.release()


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_preset_on_a_number_key_is_refused_while_running(show: Show, case: str) -> None:
    write(show.actions.preset_dir / "bad.toml", BAD[case][0])
    before = dict(show.params.values)
    assert not show.do("preset_4")  # 1-3 are the shipped looks, 4 the first of the user's
    errors = [m.text for m in show.messages if m.error]
    assert any("preset refused" in t and BAD[case][1] in t for t in errors), errors
    show.frame(1.0)
    assert show.running and dict(show.params.values) == before


def test_a_shader_saved_as_latin1_while_running_keeps_the_last_good_program(show: Show) -> None:
    f = show.renderer.programs["sky"].root / "lib" / "noise.glsl"
    f.write_bytes(f.read_bytes().replace(b"// ", b"// caf\xe9 ", 1))
    show.frame(2.0)  # polls the shaders (every second of wall time)
    show.frame(3.5)
    assert show.running
    errors = [e for e in show.renderer.poll_shaders() if "not UTF-8" in str(e)]
    assert errors and "lib/noise.glsl" in str(errors[0])
    show.frame(4.0)  # still drawing with the last good programs
