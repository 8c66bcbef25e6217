"""A full disk at every write site: the show keeps running (heartbeat, log, screenshot, preset
save) or the command refuses with one line (still, record, PNG frames, the scan's chart), and
nothing partial is left behind."""

from __future__ import annotations

import logging
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from nebula.app.show import Show
from nebula.cli import main
from nebula.gallery.health import Heartbeat, setup_logging
from nebula.render.context import headless_context
from nebula.resources import shaders_dir
from tests.helpers import others

SMALL = ["--size", "64x36"]


def test_heartbeat_on_a_full_disk_is_logged_once_and_the_old_beat_stays(
    full_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hb = full_dir / "hb.json"
    log = logging.getLogger("test.full.hb")
    beat = Heartbeat(hb, log=log)
    with caplog.at_level(logging.ERROR, logger="test.full.hb"):
        for k in range(3):
            beat.write(float(k), k, 80.0, 1)  # no exception: the show goes on
    assert beat.failing is not None
    assert [r.message for r in caplog.records if "heartbeat" in r.message] == [
        f"cannot write heartbeat {hb}: No space left on device"
    ]
    assert others(full_dir, "filler") == []  # no hb.json.tmp, no half file


def test_log_on_a_full_disk_says_so_once_and_never_raises(
    full_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = setup_logging(full_dir / "nebula.log")
    for k in range(50):
        log.info("line %d %s", k, "x" * 200)
    err = capsys.readouterr().err
    assert err.count("cannot write log file") == 1 and "Traceback" not in err
    assert "line 49" in err  # stderr (the journal) still gets every line
    setup_logging(None)


@pytest.fixture
def show(tmp_path: Path) -> Iterator[Show]:
    ctx = headless_context()
    shaders = tmp_path / "shaders"
    shutil.copytree(shaders_dir(), shaders)
    s = Show(ctx, (64, 36), now_wall=0.0, hud_visible=False, shader_root=shaders)
    s.frame(0.0)
    yield s
    s.release()
    ctx.release()


def test_screenshot_and_preset_save_on_a_full_disk_keep_the_show(
    show: Show, full_dir: Path
) -> None:
    show.actions.screenshot_dir = full_dir
    show.actions.preset_dir = full_dir
    assert show.do("screenshot") and show.do("save_preset")
    errors = [m.text for m in show.messages if m.error]
    assert any(t.startswith("screenshot failed") and "No space" in t for t in errors), errors
    assert any(t.startswith("saving the preset failed") and "No space" in t for t in errors)
    assert others(full_dir, "filler") == []  # no 0-byte nebula-0001.png, no preset-001.toml
    show.frame(1.0)  # still drawing
    assert show.running


def test_still_on_a_full_disk_is_one_line(
    full_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = full_dir / "x.png"
    assert main(["still", "--time", "30", *SMALL, "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0], err
    assert others(full_dir, "filler") == []


@pytest.mark.parametrize(("codec", "out"), [("h264", "x.mp4"), ("png", "frames")])
def test_record_on_a_full_disk_is_one_line(
    full_dir: Path, capsys: pytest.CaptureFixture[str], codec: str, out: str
) -> None:
    rc = main(["record", "--frames", "40", *SMALL, "--codec", codec, "--out", str(full_dir / out)])
    assert rc == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "disk full" in err[0], err
    assert others(full_dir, "filler") == []


@pytest.mark.slow
def test_scan_chart_on_a_full_disk_is_one_line(
    full_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = full_dir / "steps.png"
    rc = main(["scan", "--start", "100", "--seconds", "0.4", *SMALL, "--plot", str(chart)])
    assert rc == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0], err
    assert others(full_dir, "filler") == []


def test_midi_learn_on_a_full_disk_keeps_the_old_map_and_leaves_nothing(full_dir: Path) -> None:
    from nebula.control.midi import save_map, shipped_midi_map
    from nebula.control.midimap import read_midi_map

    path = full_dir / "midi.toml"
    path.touch()  # the user's map (empty: on the full disk a file gets an inode, no blocks)
    m = read_midi_map(shipped_midi_map())
    m.bind(0, 21, "grain")
    with pytest.raises(OSError):
        save_map(m, path)
    assert path.read_text(encoding="utf-8") == ""  # the old map, untouched
    assert sorted(p.name for p in full_dir.iterdir()) == ["filler", "midi.toml"]


def test_a_journal_that_fills_the_disk_stops_and_the_show_goes_on(
    show: Show, full_dir: Path
) -> None:
    from nebula.app.session import SessionJournal
    from nebula.control.journal import read_journal
    from tests.faults.conftest import fill

    (full_dir / "filler").unlink()  # room for the journal's start, then the disk fills
    journal = SessionJournal(show, full_dir / "j.jsonl", every=1)
    show.frame(0.5)
    fill(full_dir)
    for k in range(40):  # events and signatures until the writes fail
        show.do("up:bloom" if k % 2 else "down:bloom")
        show.frame(0.5 + k / 30)
    journal.close()
    assert journal.stopped is not None and "No space" in journal.stopped
    errors = [m.text for m in show.messages if m.error]
    assert sum("journal" in t and "stopped" in t for t in errors) == 1  # said once
    assert show.running
    with warnings.catch_warnings():  # its last line may be torn where the disk filled
        warnings.simplefilter("ignore", UserWarning)
        j = read_journal(full_dir / "j.jsonl")  # what was written reads back
    assert j.signatures and j.signatures[0].time == 0.5
