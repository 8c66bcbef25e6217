"""`nebula still`: the same arguments give the same bytes; every bad argument exits 2 with one
line on stderr before anything renders and leaves an existing file as it was; --force overwrites."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import nebula.piece
from nebula.cli import main
from nebula.output.png import read_png

FAST = ["--time", "40", "--size", "160x90"]  # the knot: static and noise, a hard case


def test_still_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    assert main(["still", *FAST, "--seed", "3", "--out", str(a)]) == 0
    assert main(["still", *FAST, "--seed", "3", "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert read_png(a).shape == (90, 160, 3)


class _NoRender:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("rendering started before the arguments were checked")


BAD = {
    "size not WxH": ["--size", "big"],
    "size zero": ["--size", "0x90"],
    "size negative": ["--size", "-5x90"],
    "size over 16384": ["--size", "16385x90"],
    "unknown preset": ["--preset", "no-such-preset-anywhere"],
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_argument_exits_2_with_one_line_and_keeps_the_file(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(nebula.piece, "Piece", _NoRender)
    out = tmp_path / "keep.png"
    out.write_bytes(b"precious")
    os.utime(out, (1_000_000_000, 1_000_000_000))
    # --force too: a bad argument must stop even a run that would be allowed to overwrite.
    code = main(["still", "--time", "1", *BAD[case], "--out", str(out), "--force"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("nebula still: error: ")
    assert out.read_bytes() == b"precious"
    assert out.stat().st_mtime == 1_000_000_000


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("/proc/nebula-still.png", "cannot write /proc/nebula-still.png: "),
        ("{tmp}/no/such/folder/x.png", "folder {tmp}/no/such/folder does not exist"),
        ("{tmp}", "{tmp}/dir.png is a folder; --out needs a file name"),
    ],
    ids=["proc", "missing-folder", "a-folder"],
)
def test_unwritable_out_exits_2_before_rendering(
    where: str,
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(nebula.piece, "Piece", _NoRender)
    target = where.format(tmp=tmp_path)
    if target == str(tmp_path):
        target = str(tmp_path / "dir.png")
        Path(target).mkdir()
    code = main(["still", "--time", "1", "--size", "32x18", "--out", target, "--force"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert says.format(tmp=tmp_path) in err
    assert not Path(target).is_file()


def test_existing_out_is_kept_without_force_and_replaced_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "still.png"
    out.write_bytes(b"precious")
    os.utime(out, (1_000_000_000, 1_000_000_000))
    with monkeypatch.context() as m:
        m.setattr(nebula.piece, "Piece", _NoRender)
        code = main(["still", "--time", "1", "--size", "32x18", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "--force" in err
    assert out.read_bytes() == b"precious"
    assert out.stat().st_mtime == 1_000_000_000
    assert main(["still", "--time", "1", "--size", "32x18", "--out", str(out), "--force"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert read_png(out).shape == (18, 32, 3)


def test_the_figures_model_sheet_shows_each_pose(tmp_path: Path) -> None:
    out = tmp_path / "sheet.png"
    assert main(["still", "--sheet", "figures", "--size", "320x120", "--out", str(out)]) == 0
    img = read_png(out).astype(np.float64)
    assert img.shape == (480, 320, 3)  # one 320x120 row per pose, and the faces
    guarded, open_, speaking, faces = img[:120], img[120:240], img[240:360], img[360:]
    # The figures stand in the lower middle of each row; the poses differ there.
    body = (slice(40, 110), slice(20, 300))
    assert np.abs(open_[body] - guarded[body]).mean() > 8.0
    assert np.abs(speaking[body] - open_[body]).mean() > 0.5
    # Up close, the heads stand where the bodies' chests were: the rows differ there.
    heads = (slice(30, 70), slice(20, 300))
    assert np.abs(faces[heads] - open_[heads]).mean() > 8.0
    # Each row is labelled at its top left (light text on the sky).
    assert all(row[4:16, 6:60].max() > 200 for row in (guarded, open_, speaking, faces))
