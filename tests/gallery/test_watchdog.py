from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nebula.gallery.watchdog import Judge

ROOT = Path(__file__).resolve().parents[2]
FAKE = Path(__file__).with_name("fake_piece.py")


def beat(wall: float, sig: int, luma: float = 80.0, dark: bool = False) -> dict[str, object]:
    return {"time": wall, "sig": sig, "luma": luma, "dark": dark}


def test_judge_grace_then_stale() -> None:
    j = Judge(stale=5, frozen=10, black=10, grace=20)
    j.start(now=0.0, wall=1000.0)
    old = beat(990.0, 1)  # left by the previous process: ignored
    assert j.check(5.0, 1005.0, old) is None
    assert j.check(5.0, 1005.0, None) is None
    assert "no heartbeat" in (j.check(21.0, 1021.0, old) or "")
    j.start(now=30.0, wall=1030.0)
    assert j.check(31.0, 1031.0, beat(1031.0, 1)) is None
    assert j.check(36.0, 1036.0, beat(1031.0, 2)) is None
    assert "old" in (j.check(36.5, 1036.5, beat(1031.0, 2)) or "")


def test_judge_frozen_and_black_but_not_when_dark() -> None:
    j = Judge(stale=5, frozen=10, black=10, grace=20)
    j.start(now=0.0, wall=0.0)
    for t in range(0, 11):
        assert j.check(float(t), float(t), beat(float(t), 7)) is None
    assert "frozen" in (j.check(11.0, 11.0, beat(11.0, 7)) or "")
    j.start(now=0.0, wall=0.0)
    for t in range(0, 11):
        assert j.check(float(t), float(t), beat(float(t), t, luma=0.5)) is None
    assert "black" in (j.check(11.5, 11.5, beat(11.5, 99, luma=0.5)) or "")
    j.start(now=0.0, wall=0.0)
    for t in range(0, 60):  # closed by --hours: dark and unchanging is fine
        assert j.check(float(t), float(t), beat(float(t), 7, luma=0.0, dark=True)) is None


def watch(tmp_path: Path, mode: str, seconds: float, run_for: float) -> tuple[list[str], str]:
    hb, starts = tmp_path / "hb.json", tmp_path / "starts.log"
    starts.touch()
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "watchdog.py"),
        "--heartbeat",
        str(hb),
        "--stale=1",
        "--frozen=1",
        "--black=1",
        "--grace=3",
        "--poll=0.1",
        "--",
        sys.executable,
        str(FAKE),
        str(hb),
        str(starts),
        mode,
        str(seconds),
    ]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + run_for
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    pids = starts.read_text().split()
    for pid in pids:  # every child the watchdog started is gone
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)
    return pids, err


@pytest.mark.slow
def test_watchdog_restarts_a_killed_process(tmp_path: Path) -> None:
    hb, starts = tmp_path / "hb.json", tmp_path / "starts.log"
    starts.touch()
    cmd = [sys.executable, str(ROOT / "scripts" / "watchdog.py"), "--heartbeat", str(hb)]
    cmd += ["--stale=2", "--grace=3", "--poll=0.1", "--", sys.executable, str(FAKE)]
    cmd += [str(hb), str(starts), "ok", "1000"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.monotonic()
        while len(starts.read_text().split()) < 1 and time.monotonic() - t0 < 10:
            time.sleep(0.05)
        first = int(starts.read_text().split()[0])
        os.kill(first, signal.SIGKILL)
        while len(starts.read_text().split()) < 2 and time.monotonic() - t0 < 15:
            time.sleep(0.05)
        pids = starts.read_text().split()
        assert len(pids) == 2 and int(pids[1]) != first
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "exited with status -9" in err
    with pytest.raises(ProcessLookupError):
        os.kill(int(pids[1]), 0)  # the watchdog stopped its child on SIGTERM


@pytest.mark.slow
def test_watchdog_restarts_a_crashing_process(tmp_path: Path) -> None:
    pids, err = watch(tmp_path, "die", 0.3, run_for=3.5)
    assert len(pids) >= 2, err
    assert "exited with status 3" in err


@pytest.mark.slow
def test_watchdog_restarts_a_frozen_process(tmp_path: Path) -> None:
    pids, err = watch(tmp_path, "freeze", 0.5, run_for=4.5)
    assert len(pids) >= 2, err
    assert "picture frozen" in err


@pytest.mark.slow
def test_watchdog_restarts_a_stalled_process(tmp_path: Path) -> None:
    pids, err = watch(tmp_path, "stall", 0.5, run_for=4.5)
    assert len(pids) >= 2, err
    assert "heartbeat is" in err


@pytest.mark.slow
def test_watchdog_restarts_a_black_picture(tmp_path: Path) -> None:
    pids, err = watch(tmp_path, "black", 0.5, run_for=4.5)
    assert len(pids) >= 2, err
    assert "picture black" in err


def test_watchdog_leaves_a_deliberate_exit_alone(tmp_path: Path) -> None:
    pids, err = watch(tmp_path, "ok", 0.5, run_for=6.0)
    assert len(pids) == 1, err
    assert "exited cleanly" in err


@pytest.mark.slow
def test_watchdog_restarts_a_stopped_process(tmp_path: Path) -> None:
    """SIGSTOP freezes the whole process (no heartbeat at all): restarted, and the old one gone."""
    hb, starts = tmp_path / "hb.json", tmp_path / "starts.log"
    starts.touch()
    cmd = [sys.executable, str(ROOT / "scripts" / "watchdog.py"), "--heartbeat", str(hb)]
    cmd += ["--stale=1", "--grace=3", "--poll=0.1", "--", sys.executable, str(FAKE)]
    cmd += [str(hb), str(starts), "ok", "1000"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.monotonic()
        while not hb.exists() and time.monotonic() - t0 < 10:
            time.sleep(0.05)
        first = int(starts.read_text().split()[0])
        os.kill(first, signal.SIGSTOP)
        while len(starts.read_text().split()) < 2 and time.monotonic() - t0 < 15:
            time.sleep(0.05)
        assert len(starts.read_text().split()) == 2
        time.sleep(0.3)
        with pytest.raises(ProcessLookupError):
            os.kill(first, 0)  # TERM (with CONT) or KILL ended the stopped piece
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert "heartbeat is" in err
