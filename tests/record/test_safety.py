"""`nebula record` refuses bad arguments before rendering, never clobbers, never leaves a
complete-looking file behind after an error or Ctrl+C."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nebula.cli import main
from nebula.cli import record as rec
from nebula.cli.args import describe_failure
from nebula.output import sinks
from nebula.output.png import read_png
from nebula.piece import Piece
from tests.helpers import Run, decode_rgb, others


@pytest.mark.parametrize("codec", ["h264", "h265"])
def test_odd_size_is_refused_for_yuv420p_before_rendering(
    tmp_path: Path,
    record_cli: Run,
    no_render: None,
    codec: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc = record_cli("--frames", "2", "--size", "321x180", "--codec", codec,
                    "--out", str(tmp_path / "odd.mp4"))  # fmt: skip
    assert rc == 2
    err = capsys.readouterr().err
    assert "even" in err and "322x180" in err and err.count("\n") == 1
    assert others(tmp_path) == []


def test_odd_size_is_fine_for_png(tmp_path: Path, record_cli: Run) -> None:
    out = tmp_path / "odd"
    assert record_cli("--frames", "2", "--size", "33x19", "--codec", "png", "--out", str(out)) == 0
    assert [read_png(p).shape for p in sorted(out.iterdir())] == [(19, 33, 3)] * 2


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--fps", "0"], "--fps"),
        (["--fps", "sixty"], "--fps"),
        (["--frame-range", "5:3"], "--frame-range"),
        (["--frame-range", "0:11"], "10 frames"),
        (["--frame-range", "4"], "A:B"),
        (["--crf", "60"], "--crf"),
        (["--codec", "png", "--crf", "18"], "--crf"),
        (["--ssaa", "5"], "--ssaa"),
        (["--ssaa", "3", "--size", "8000x8"], "16384"),
        (["--size", "0x10"], "--size"),
        (["--preset", "no-such-preset"], "no-such-preset"),
    ],
)
def test_bad_arguments_exit_2_before_rendering(
    tmp_path: Path,
    record_cli: Run,
    no_render: None,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    says: str,
) -> None:
    out = tmp_path / "x.mp4"
    assert record_cli("--frames", "10", "--size", "64x36", *args, "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert says in err and err.startswith("nebula record: error:")
    assert others(tmp_path) == []


def test_wrong_suffix_and_missing_folder_are_refused(
    tmp_path: Path, record_cli: Run, no_render: None
) -> None:
    assert record_cli("--frames", "1", "--size", "64x36", "--out", str(tmp_path / "a.avi")) == 2
    assert record_cli("--frames", "1", "--codec", "prores", "--out", str(tmp_path / "a.mp4")) == 2
    assert record_cli("--frames", "1", "--out", str(tmp_path / "nope" / "a.mp4")) == 2
    assert others(tmp_path) == []


def test_seconds_round_to_frames(record_cli: Run, tmp_path: Path) -> None:
    ns = rec_args("--seconds", "0.5", "--fps", "30000/1001", "--out", str(tmp_path / "a.mp4"))
    job = rec.job_from_args(ns)
    assert (job.total, job.first, job.stop) == (15, 0, 15)
    # Time comes from the frame index, grouped exactly as `nebula still` groups it.
    assert job.time_of(7) == 0.0 + (0.0 + 7 / (30000 / 1001))


def rec_args(*argv: str) -> Any:
    from nebula import cli

    return cli.build_parser().parse_args(["record", *argv])


def test_existing_output_is_protected_without_force(
    tmp_path: Path, record_cli: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "keep.mp4"
    out.write_bytes(b"precious")
    args = ("--frames", "2", "--size", "64x36", "--out", str(out))
    assert record_cli(*args) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_bytes() == b"precious"
    assert others(tmp_path) == ["keep.mp4"]

    assert record_cli(*args, "--force") == 0
    assert len(decode_rgb(out)) == 2
    assert others(tmp_path) == ["keep.mp4"]


def test_force_replaces_a_frame_folder_but_never_another_folder(
    tmp_path: Path, record_cli: Run
) -> None:
    out = tmp_path / "frames"
    args = ("--frames", "2", "--size", "32x18", "--codec", "png", "--out", str(out))
    assert record_cli(*args) == 0
    assert record_cli(*args) == 2  # exists, no --force
    (out / "frame_000001.png").unlink()
    assert record_cli(*args, "--force") == 0
    assert others(out) == ["frame_000000.png", "frame_000001.png"]
    assert others(tmp_path) == ["frames"]

    (out / "notes.txt").write_text("mine")
    assert record_cli(*args, "--force") == 2
    assert (out / "notes.txt").read_text() == "mine"


def _raise_at_frame(
    monkeypatch: pytest.MonkeyPatch, exc: BaseException, frame: int, fps: float, folder: Path
) -> list[str]:
    """Make drawing frame ``frame`` raise ``exc``; returns what ``folder`` held at that moment."""
    draw = Piece.draw
    seen: list[str] = []

    def failing(self: Piece, t: float, *a: Any, **k: Any) -> Any:
        if t >= frame / fps - 1e-9:
            seen.extend(others(folder))
            raise exc
        return draw(self, t, *a, **k)

    monkeypatch.setattr(Piece, "draw", failing)
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("codec", ["h264", "png"])
def test_ctrl_c_mid_way_leaves_nothing_behind(
    tmp_path: Path,
    record_cli: Run,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    codec: str,
) -> None:
    # Late enough that x264 has written packets (it holds back ~40 frames of lookahead).
    seen = _raise_at_frame(monkeypatch, KeyboardInterrupt(), 70, 30, tmp_path)
    out = tmp_path / ("cut.mp4" if codec == "h264" else "cut")
    rc = record_cli("--frames", "90", "--fps", "30", "--size", "64x36", "--codec", codec,
                    "--out", str(out))  # fmt: skip
    assert rc == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted" in err
    assert len(seen) == 1 and ".partial-" in seen[0], "a partial output existed when cut"
    assert others(tmp_path) == []  # neither the output nor its temporary file


def test_an_error_mid_way_leaves_nothing_behind(
    tmp_path: Path,
    record_cli: Run,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen = _raise_at_frame(monkeypatch, RuntimeError("boom"), 5, 60, tmp_path)
    rc = record_cli("--frames", "20", "--size", "64x36", "--codec", "png",
                    "--out", str(tmp_path / "e"))  # fmt: skip
    assert rc == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: boom" in err
    assert len(seen) == 1
    assert others(tmp_path) == []


def test_full_disk_is_one_clear_line(
    tmp_path: Path,
    record_cli: Run,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write = sinks.VideoSink.write

    def filling(self: sinks.VideoSink, k: int, rgba: np.ndarray[Any, Any]) -> None:
        if k == 60:  # after x264's lookahead, so the file has been written to
            assert others(tmp_path), "the partial file exists by now"
            raise OSError(errno.ENOSPC, "No space left on device")
        write(self, k, rgba)

    monkeypatch.setattr(sinks.VideoSink, "write", filling)
    rc = record_cli("--frames", "80", "--size", "64x36", "--out", str(tmp_path / "full.mp4"))
    assert rc == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "disk full" in err
    assert others(tmp_path) == []


def test_unwritable_folder_is_refused_up_front(
    tmp_path: Path,
    record_cli: Run,
    no_render: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import nebula.cli.args

    # The tests may run as root, who can write anywhere: pretend the folder is read-only.
    monkeypatch.setattr(nebula.cli.args.os, "access", lambda path, mode: False)  # type: ignore[attr-defined]
    assert record_cli("--frames", "1", "--out", str(tmp_path / "a.mp4")) == 2
    assert "not writable" in capsys.readouterr().err
    assert others(tmp_path) == []


def test_write_errors_read_as_one_plain_line(tmp_path: Path) -> None:
    out = tmp_path / "a.mp4"
    assert "disk full" in describe_failure(OSError(errno.ENOSPC, "No space"), out)
    assert "permission denied" in describe_failure(OSError(errno.EACCES, "Denied"), out)
    assert "Input/output error" in describe_failure(OSError(errno.EIO, "Input/output error"), out)


def test_join_command_line_checks_its_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = tmp_path / "a.mp4"
    a.write_bytes(b"not checked: too few chunks comes first")
    assert main(["join", str(tmp_path / "j.mp4"), str(a)]) == 2
    assert "at least two" in capsys.readouterr().err
    assert main(["join", str(tmp_path / "j.mp4"), str(a), str(tmp_path / "missing.mp4")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert others(tmp_path) == ["a.mp4"]


def test_a_stop_signal_is_not_swallowed_by_a_log_line() -> None:
    """A SIGTERM that lands while a log line is written (a wall's follower logs every frame)
    stops the command: logging catches what its write raises, but not a stop."""
    import io
    import logging
    import os
    import signal

    from nebula.cli.record import Stopped, stop_signals_raise

    class Terminating(io.StringIO):
        def write(self, s: str) -> int:
            os.kill(os.getpid(), signal.SIGTERM)  # the signal arrives mid-write
            return super().write(s)

    log = logging.getLogger("nebula.test-stop")
    handler = logging.StreamHandler(Terminating())
    log.addHandler(handler)
    try:
        with pytest.raises(Stopped), stop_signals_raise():
            log.warning("frame 7 shown")
    finally:
        log.removeHandler(handler)
