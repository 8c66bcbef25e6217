"""Smaller refusals: sizes GL cannot allocate, frame rates too slow for any codec, times past
float64's precision, files where folders should be (and the reverse), key names that do not
exist, --heartbeat naming a folder, soak's NaN limit, and PNG --force merging frames."""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from nebula.app.hotkeys import parse_hotkeys
from nebula.app.window import check_key_names
from nebula.cli import main
from nebula.config import ConfigError
from nebula.gallery import options
from tests.helpers import REPO as ROOT


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


@pytest.mark.slow  # about 10 s: the search for the size that works allocates gigabytes
def test_a_size_gl_cannot_allocate_is_refused_with_one_that_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "big.png"
    assert main(["still", "--size", "16384x16384", "--out", str(out)]) == 2
    line = one_line(capsys)
    assert "too large to render" in line and "the largest of that shape that works" in line
    assert not out.exists()


@pytest.mark.parametrize("fps", ["1e-9", "1e-6"])
def test_a_frame_rate_too_slow_for_any_codec_is_refused(
    tmp_path: Path, no_render: None, capsys: pytest.CaptureFixture[str], fps: str
) -> None:
    out = tmp_path / "x.mp4"
    assert main(["record", "--frames", "2", "--fps", fps, "--out", str(out)]) == 2
    assert "must be between 0.01 and 1000" in one_line(capsys)


def test_a_time_past_float64_precision_names_the_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as e:  # argparse's own refusal: status 2
        main(["still", "--time", "1e15", "--out", str(tmp_path / "x.png")])
    assert e.value.code == 2
    assert "seconds must be between 0 and 1e+12" in capsys.readouterr().err


def test_a_file_where_a_folder_should_be_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("mine")
    assert main(["still", "--out", str(f / "x.png")]) == 2
    assert "is a file, not a folder" in one_line(capsys)
    assert f.read_text() == "mine"


def test_heartbeat_or_log_naming_a_folder_is_refused(tmp_path: Path) -> None:
    args = argparse.Namespace(
        installation=True, allow_hotkeys=False, hours=None, target_fps=None,
        log_file=None, heartbeat=tmp_path,
    )  # fmt: skip
    with pytest.raises(ValueError, match="is a folder"):
        options.from_args(args)
    f = tmp_path / "file"
    f.write_text("")
    args.heartbeat, args.log_file = None, f / "nebula.log"
    with pytest.raises(ValueError, match="is a file, not a folder"):
        options.from_args(args)


def test_hotkeys_naming_a_key_that_does_not_exist_are_refused() -> None:
    check_key_names(parse_hotkeys({"params": {}, "actions": {"share": ["space", "ctrl+."]}}))
    with pytest.raises(ConfigError, match="'escpae' is not a key name"):
        check_key_names(parse_hotkeys({"params": {}, "actions": {"quit": ["escpae"]}}))


def test_soak_refuses_a_nan_memory_limit() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "soak.py"), "--max-rss-growth", "nan"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 2 and "--max-rss-growth" in r.stderr


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_png_force_rewrites_only_the_frames_of_its_range(tmp_path: Path) -> None:
    out = tmp_path / "frames"
    common = ["record", "--frames", "4", "--size", "32x18", "--codec", "png", "--out", str(out)]
    assert main(common) == 0
    before = {p.name: digest(p) for p in out.iterdir()}
    assert main([*common, "--frame-range", "1:3", "--seed", "5", "--force"]) == 0
    after = {p.name: digest(p) for p in out.iterdir()}
    assert sorted(after) == sorted(before)  # nothing removed
    names = sorted(before)
    assert after[names[0]] == before[names[0]] and after[names[3]] == before[names[3]]
    assert after[names[1]] != before[names[1]] and after[names[2]] != before[names[2]]
    assert [p.name for p in tmp_path.iterdir()] == ["frames"]
