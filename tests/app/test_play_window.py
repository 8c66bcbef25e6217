"""`nebula run` in a real window (the suite's Xvfb) played over OSC and MIDI while it journals:
liblo's oscsend plays it, liblo's oscdump hears its feedback, a JACK port's knob turns it, an
xdotool key presses it, and the journal it leaves replays to its own frame signatures."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import mido
import moderngl
import pytest

from nebula.control.journal import read_journal
from nebula.control.midi import backend
from nebula.replay import check_signatures
from tests.helpers import NEBULA, needs_display, wait_for, windows_of, xdotool


def free_port() -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


@pytest.mark.window
def test_a_window_played_over_osc_midi_and_keys_journals_a_session_that_replays(
    jack: str,
    ctx: moderngl.Context,
    tmp_path: Path,
    xdisplay: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A display of its own: keys go to the focused window, and the suite runs on two workers.
    monkeypatch.setenv("DISPLAY", xdisplay)
    needs_display()
    port, back = free_port(), free_port()
    knob = backend().open_output("win-knobs", virtual=True)
    dump = subprocess.Popen(["oscdump", "-L", str(back)], stdout=subprocess.PIPE, text=True)
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    cmd = [*NEBULA, "run", "--size", "160x90", "--exit-after", "12",
           "--clock-offset", "100", "--osc", str(port), "--osc-feedback", f"127.0.0.1:{back}",
           "--midi", "win-knobs", "--journal", str(tmp_path / "live.jsonl")]  # fmt: skip
    piece = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        # The first frame's signature: the OSC receiver and the MIDI port opened before it, so
        # nothing sent from here is lost on a machine slow to compile the shaders.
        journal = tmp_path / "live.jsonl"
        wait_for(lambda: journal.is_file() and '"signature"' in journal.read_text(), 60,
                 "the first frame in the journal")  # fmt: skip
        subprocess.run(["oscsend", "localhost", str(port), "/nebula/param/hue_shift", "f", "0.3"])
        subprocess.run(["oscsend", "localhost", str(port), "/nebula/share", "i", "2"])
        knob.send(mido.Message("control_change", control=4, value=36))  # exposure, near its value
        knob.send(mido.Message("control_change", control=4, value=80))
        wid = windows_of(piece.pid)[0]
        xdotool("windowfocus", "--sync", wid)
        xdotool("key", "shift+b")  # bloom up one step
        out, _ = piece.communicate(timeout=60)
    finally:
        if piece.poll() is None:
            piece.kill()
        knob.close()
        dump.terminate()
    heard, _ = dump.communicate(timeout=10)
    assert piece.returncode == 0, out
    j = read_journal(tmp_path / "live.jsonl")
    got = {(e.source, e.target) for e in j.events}
    assert {("osc", "param:hue_shift"), ("osc", "share"), ("midi", "param:exposure"),
            ("key", "param:bloom")} <= got, got  # fmt: skip
    assert " /nebula/param/hue_shift f 0.300000" in heard  # feedback, whatever the source
    assert " /nebula/param/bloom f " in heard
    assert len(j.signatures) >= 5
    assert check_signatures(j, ctx=ctx) == []
