"""Re-rendering a played session: a live Show is played with hotkeys, OSC (liblo's oscsend and
python-osc on a real socket) and MIDI (a JACK port), at an uneven frame rate and with a pause,
its journal is replayed headless, and every frame signature the live run wrote matches, and a
still from the replay equals the screenshot the live run took at the same piece time."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import moderngl
import numpy as np
import pytest
from PIL import Image
from pythonosc.udp_client import SimpleUDPClient

from nebula.app.session import SessionJournal
from nebula.app.show import Show
from nebula.config import Settings
from nebula.control.journal import read_journal
from nebula.control.midi import MidiInput, load_midi_map
from nebula.control.osc import OscServer
from nebula.replay import check_signatures, replay_piece
from tests.control.test_midi import Controller
from tests.helpers import NEBULA, journaled_session

SIZE = (160, 90)


@pytest.mark.slow
def test_a_played_session_replays_exactly(
    ctx: moderngl.Context, tmp_path: Path, jack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    show = Show(
        ctx,
        SIZE,
        Settings(seed=4),
        now_wall=0.0,
        clock_offset=96.0,  # shares and threads under way, figure 4 about to speak
        screenshot_dir=tmp_path / "shots",
        hud_visible=False,
    )
    journal = SessionJournal(show, tmp_path / "session.jsonl", every=4)
    osc = OscServer(show.post, 0).start()
    ctl = Controller("replay-ctl")
    midi = MidiInput("replay-ctl", load_midi_map(), show).start()
    port = str(osc.address[1])
    shot: Path | None = None
    wall = 0.0
    try:
        for k in range(150):
            wall += (1 / 30, 1 / 21, 1 / 45)[k % 3]  # an uneven frame rate, as a live one is
            if k == 10:
                for _ in range(3):
                    show.do("up:exposure")
            if k == 20:
                subprocess.run(
                    ["oscsend", "localhost", port, "/nebula/param/hue_shift", "f", "0.2"]
                )
                SimpleUDPClient("127.0.0.1", osc.address[1]).send_message("/nebula/share", 3)
            if k == 30:
                ctl.cc(5, round(0.8 / 2 * 127))  # bloom (0 to 2) at its value: taken over
                ctl.cc(5, 120)
            if k == 45:
                show.do("pause")
            if k == 50:
                show.do("up:swirl_intensity")  # while paused: previewed, then settled
                show.do("up:swirl_intensity")
            if k == 60:
                show.do("pause")
            if k == 80:
                subprocess.run(["oscsend", "localhost", port, "/nebula/preset", "s", "dawn"])
            if k == 20 or k == 30 or k == 80:
                time.sleep(0.15)  # the OSC and MIDI threads post before the next frame
            show.frame(wall)
            if k == 120:
                shot = show.actions.screenshot()
                shot_time = show.time
    finally:
        midi.close()
        ctl.close()
        osc.close()
        journal.close()
        show.release()

    j = read_journal(tmp_path / "session.jsonl")
    sources = {e.source for e in j.events}
    assert sources == {"key", "osc", "midi"}, j.events
    targets = {e.target for e in j.events}
    assert {
        "param:exposure",
        "param:hue_shift",
        "share",
        "param:bloom",
        "preset",
        "settle",
    } <= targets
    assert len(j.signatures) >= 30
    assert check_signatures(j, ctx=ctx) == []  # every live frame signature, replayed

    assert shot is not None
    with replay_piece(j, ctx=ctx) as piece:
        still = piece.render(shot_time)
    live = np.asarray(Image.open(shot).convert("RGB"))
    assert still.shape == live.shape
    assert np.array_equal(still, live)


@pytest.mark.slow
def test_record_re_renders_a_journal_at_another_size(ctx: moderngl.Context, tmp_path: Path) -> None:
    journaled_session(ctx, tmp_path / "s.jsonl")
    out = tmp_path / "frames"
    journal_file = str(tmp_path / "s.jsonl")

    def record(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [*NEBULA, "record", "--journal", journal_file, "--codec", "png", *args]
        return subprocess.run(cmd, capture_output=True, text=True)

    r = record("--size", "192x108", "--fps", "8", "--out", str(out))
    assert r.returncode == 0, r.stderr
    frames = sorted(out.glob("frame_*.png"))
    j = read_journal(tmp_path / "s.jsonl")
    assert len(frames) == round((j.end_time - j.start_time) * 8)
    with replay_piece(j, (192, 108), ctx=ctx) as piece:
        k = len(frames) - 1
        want = piece.render(j.start_time + k / 8)
    assert np.array_equal(np.asarray(Image.open(frames[k]).convert("RGB")), want)
    refused = record("--seed", "3", "--out", str(tmp_path / "other"))
    assert refused.returncode == 2 and "drop --seed" in refused.stderr


def test_a_torn_journal_is_said_once_in_one_plain_line(
    ctx: moderngl.Context, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The journal's reader and the replay both meet the torn line: the user reads it once, as
    the command's own line, with no source path."""
    from nebula.cli import main

    path = journaled_session(ctx, tmp_path / "s.jsonl")
    with path.open("ab") as f:
        f.write(b'{"event": {"sour')  # the piece stopped while writing it
    n = path.read_bytes().count(b"\n") + 1
    out = tmp_path / "frames"
    args = ["record", "--journal", str(path), "--codec", "png", "--frames", "2", "--out", str(out)]
    assert main(args) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert err == [
        f"nebula record: journal {path}: line {n} is torn (the piece stopped while writing it); "
        "left out"
    ]
