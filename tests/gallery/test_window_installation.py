"""End to end through the real window: `nebula run --installation` on its own small Xvfb screen,
keys sent with xdotool (XTEST, as a keyboard would)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.window  # every test here drives a real window


def xdo(display: str, *args: str) -> None:
    env = {**os.environ, "DISPLAY": display}
    subprocess.run(["xdotool", *args], env=env, check=True, timeout=10)


def start_piece(display: str, tmp: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DISPLAY": display, "XDG_STATE_HOME": str(tmp / "state")}
    env.pop("WAYLAND_DISPLAY", None)
    cmd = [sys.executable, "-m", "nebula.cli", "run", "--installation", "--exit-after", "60"]
    cmd += ["--heartbeat", str(tmp / "hb.json"), "--log-file", str(tmp / "nebula.log")]
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def wait_for_frames(proc: subprocess.Popen[str], hb: Path, timeout: float = 40.0) -> int:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        assert proc.poll() is None, proc.communicate()[0]
        try:
            frame = int(json.loads(hb.read_text())["frame"])
            if frame > 0:
                return frame
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.2)
    pytest.fail("the piece wrote no heartbeat")


def exited_within(proc: subprocess.Popen[str], seconds: float) -> int | None:
    try:
        return proc.wait(seconds)
    except subprocess.TimeoutExpired:
        return None


def test_stray_keys_and_an_esc_tap_do_nothing_a_held_esc_quits(
    xdisplay: str, tmp_path: Path
) -> None:
    proc = start_piece(xdisplay, tmp_path)
    try:
        wait_for_frames(proc, tmp_path / "hb.json")
        xdo(xdisplay, "mousemove", "160", "90")
        xdo(xdisplay, "key", "space", "p", "F11", "1", "Escape", "q", "ctrl+q")
        assert exited_within(proc, 3.0) is None  # still showing
        xdo(xdisplay, "keydown", "Escape")
        time.sleep(1.5)
        xdo(xdisplay, "keyup", "Escape")
        assert exited_within(proc, 2.0) is None  # a 1.5 s hold is not enough
        xdo(xdisplay, "keydown", "Escape")
        code = exited_within(proc, 10.0)
        xdo(xdisplay, "keyup", "Escape")
        assert code == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        out = proc.communicate()[0]
    assert "deliberate exit" in (tmp_path / "nebula.log").read_text(), out


def test_ctrl_alt_q_quits(xdisplay: str, tmp_path: Path) -> None:
    proc = start_piece(xdisplay, tmp_path)
    try:
        wait_for_frames(proc, tmp_path / "hb.json")
        xdo(xdisplay, "mousemove", "160", "90")
        xdo(xdisplay, "key", "ctrl+alt+q")
        assert exited_within(proc, 10.0) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
