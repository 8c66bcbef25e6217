from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from nebula.gallery.watchdog import Judge, Supervisor
from tests.helpers import REPO

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


class FakeProcess:
    """A piece that exits with ``code`` after ``lives`` seconds of the fake clock (None: never)."""

    def __init__(self, clock: FakeClock, pid: int, lives: float | None, code: int) -> None:
        self.clock, self.pid, self.code = clock, pid, code
        self.ends = None if lives is None else clock.now + lives
        self.stopped = False

    def poll(self) -> int | None:
        if self.stopped:
            return -15
        return self.code if self.ends is not None and self.clock.now >= self.ends else None

    def wait(self, timeout: float | None = None) -> int:
        return self.poll() or 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, s: float) -> None:
        self.now += s


def supervise(
    runs: Sequence[tuple[float | None, int]], beats: dict[int, float] | None = None, **kw: object
) -> tuple[Supervisor, list[float], list[FakeProcess]]:
    """Supervise pieces that live and exit as ``runs`` says; ``beats``: for each start (by
    index), how long it writes heartbeats before it stalls. Returns the starting times."""
    clock = FakeClock()
    starts: list[float] = []
    procs: list[FakeProcess] = []

    def spawn() -> FakeProcess:
        lives, code = runs[min(len(starts), len(runs) - 1)]
        starts.append(clock.now)
        procs.append(FakeProcess(clock, 100 + len(starts), lives, code))
        return procs[-1]

    def beat() -> dict[str, object] | None:
        k = len(starts) - 1
        limit = (beats or {}).get(k)
        t = clock.now if limit is None else min(clock.now, starts[k] + limit)
        return {"time": t, "pid": procs[-1].pid, "sig": round(clock.now * 10), "luma": 80}

    def stop(p: FakeProcess) -> None:
        p.stopped = True

    sup = Supervisor(
        Judge(stale=6, frozen=8, black=120, grace=90),
        spawn=spawn,
        stop=stop,  # type: ignore[arg-type]
        read_beat=beat,
        monotonic=lambda: clock.now,
        wall=lambda: clock.now,
        sleep=clock.sleep,
        log=logging.getLogger("test.watchdog"),
        **kw,  # type: ignore[arg-type]
    )
    return sup, starts, procs


def test_supervisor_backs_off_on_quick_failures_and_resets_after_a_good_run() -> None:
    # Six quick crashes, a 10-minute good run that then crashes, one more quick crash, then ok.
    lives = [1.0] * 6 + [600.0, 1.0, 5.0]
    runs = [(x, 3) for x in lives[:-1]] + [(lives[-1], 0)]
    sup, starts, _ = supervise(runs, poll=0.25)
    assert sup.run() == 0
    assert sup.restarts == 8
    waits = [round(b - a - x, 1) for x, a, b in zip(lives, starts, starts[1:], strict=False)]
    # At once, then doubling from 0.5 s up to the 4 s ceiling; a good run starts again at 0.
    assert waits == [0.0, 0.5, 1.0, 2.0, 4.0, 4.0, 0.0, 0.5]


def test_supervisor_gives_up_after_max_restarts() -> None:
    sup, starts, _ = supervise([(1.0, 3)], max_restarts=3)
    assert sup.run() == 1
    assert len(starts) == 3


def test_supervisor_restarts_a_stalled_heartbeat_and_stops_it() -> None:
    sup, starts, procs = supervise([(None, 0), (5.0, 0)], beats={0: 20.0})
    assert sup.run() == 0
    assert len(starts) == 2
    # Its last beat at 20 s is over 6 s old a poll after 26 s: it was stopped there.
    assert 26.0 < starts[1] <= 26.5
    assert procs[0].stopped


def test_supervisor_stops_when_told() -> None:
    sup, starts, procs = supervise([(None, 0)])
    real_sleep = sup.sleep

    def sleep(s: float) -> None:
        real_sleep(s)
        if sup.monotonic() > 30:
            sup.stopping = True  # what the SIGTERM handler does

    sup.sleep = sleep
    assert sup.run() == 0
    assert len(starts) == 1 and procs[0].stopped


def watch(tmp_path: Path, mode: str, seconds: float, run_for: float) -> tuple[list[str], str]:
    hb, starts = tmp_path / "hb.json", tmp_path / "starts.log"
    starts.touch()
    cmd = [
        sys.executable,
        str(REPO / "scripts" / "watchdog.py"),
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
    cmd = [sys.executable, str(REPO / "scripts" / "watchdog.py"), "--heartbeat", str(hb)]
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
def test_watchdog_restarts_a_stalled_process(tmp_path: Path) -> None:
    pids, err = watch(tmp_path, "stall", 0.5, run_for=4.5)
    assert len(pids) >= 2, err
    assert "heartbeat is" in err


def test_watchdog_leaves_a_deliberate_exit_alone(tmp_path: Path) -> None:
    pids, err = watch(tmp_path, "ok", 0.5, run_for=6.0)
    assert len(pids) == 1, err
    assert "exited cleanly" in err


@pytest.mark.slow
def test_watchdog_restarts_a_stopped_process(tmp_path: Path) -> None:
    """SIGSTOP freezes the whole process (no heartbeat at all): restarted, and the old one gone."""
    hb, starts = tmp_path / "hb.json", tmp_path / "starts.log"
    starts.touch()
    cmd = [sys.executable, str(REPO / "scripts" / "watchdog.py"), "--heartbeat", str(hb)]
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
