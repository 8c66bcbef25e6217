"""A read-only config or state folder: the show keeps running and says so; a command refuses
with one line before it renders; the user's files stay as they were, byte for byte."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from nebula.cli import main
from nebula.gallery.health import Heartbeat, setup_logging
from nebula.presets import load_preset, save_new_preset
from tests.helpers import hashes


def test_read_only_state_folder_log_and_heartbeat(
    readonly_dir: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    before = hashes(readonly_dir)
    log = setup_logging(readonly_dir / "state" / "nebula.log")
    log.info("still running")
    err = capsys.readouterr().err
    assert "cannot write log file" in err and "logging to stderr only" in err
    assert "still running" in err and "Traceback" not in err
    beat = Heartbeat(readonly_dir / "hb.json", log=logging.getLogger("test.ro"))
    with caplog.at_level(logging.ERROR, logger="test.ro"):
        beat.write(0.0, 1, 80.0, 1)
    assert "Read-only file system" in caplog.text
    assert hashes(readonly_dir) == before
    setup_logging(None)


def test_read_only_preset_folder_loads_but_does_not_save(readonly_dir: Path) -> None:
    before = hashes(readonly_dir)
    assert load_preset(str(readonly_dir / "mine.toml")).params == {"exposure": 1.5}
    with pytest.raises(OSError, match="Read-only"):
        save_new_preset({"exposure": 2.0}, readonly_dir)
    assert hashes(readonly_dir) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["still", "--time", "30", "--size", "64x36"],
        ["record", "--frames", "2", "--size", "64x36"],
        ["scan", "--seconds", "1", "--size", "64x36", "--plot"],
    ],
)
def test_commands_refuse_a_read_only_output_before_rendering(
    readonly_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    before = hashes(readonly_dir)
    target = readonly_dir / ("x.png" if argv[0] != "record" else "x.mp4")
    out = [str(target)] if argv[-1] == "--plot" else ["--out", str(target)]
    assert main([*argv, *out]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not writable" in err[0], err
    assert hashes(readonly_dir) == before
