"""A wall of machines on loopback: a leader (`nebula wall lead`) and recording followers
(`nebula record --follow`), each a process of its own, headless through EGL."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nebula.cluster.protocol import Refused, Signer
from nebula.output.png import read_png
from tests.web.conftest import free_port

NEBULA = [sys.executable, "-m", "nebula"]
TOKEN = "a-shared-secret-of-this-wall-0123"
WALL = f"""[canvas]
size = [480, 180]
[tiles.a]
rect = [0, 0, 160, 180]
[tiles.b]
rect = [160, 0, 163, 180]
[tiles.c]
rect = [323, 0, 157, 180]
[wall]
token = "{TOKEN}"
"""
FRAMES, FPS, START = 6, 30, 130.0


def run_wall(tmp_path: Path, wall: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """A leader on the checkable clock and three recording followers, to the wall's end."""
    port = free_port()
    lead = [*NEBULA, "wall", "lead", str(wall), "--port", str(port), "--step", "--fps", str(FPS)]
    lead += ["--start", str(START), "--frames", str(FRAMES), "--followers", "3"]
    # No follower is marked late here, however busy the machine: this run checks the barrier
    # itself (a late one is let go by design; tests/cluster/test_faults.py covers that).
    lead += ["--deadline-ms", "30000"]
    leader = subprocess.Popen(lead, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    followers = []
    for name in "abc":
        cmd = [*NEBULA, "record", "--wall", str(wall), "--tile", name, "--codec", "png"]
        cmd += ["--follow", f"127.0.0.1:{port}", "--out", str(tmp_path / name)]
        followers.append(
            subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        )
    logs = [f.communicate(timeout=180)[0] for f in followers]
    for f, log in zip(followers, logs, strict=True):
        assert f.returncode == 0, log
    done = subprocess.CompletedProcess(lead, leader.wait(timeout=60), leader.communicate()[0], "")
    assert done.returncode == 0, done.stdout
    return done, logs


@pytest.fixture(scope="module")
def wall_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    tmp = tmp_path_factory.mktemp("wall")
    wall = tmp / "wall.toml"
    wall.write_text(WALL, encoding="utf-8")
    _, logs = run_wall(tmp, wall)
    return tmp, logs


def test_followers_tiles_stitch_into_the_canvas_s_recording(
    wall_run: tuple[Path, list[str]],
) -> None:
    tmp, _ = wall_run
    whole = tmp / "whole"
    cmd = [*NEBULA, "record", "--codec", "png", "--size", "480x180", "--fps", str(FPS)]
    cmd += ["--start", str(START), "--frames", str(FRAMES), "--out", str(whole)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    for n in range(FRAMES):
        tiles = [read_png(tmp / t / f"frame_{n:06d}.png")[..., :3] for t in "abc"]
        canvas = read_png(whole / f"frame_{n:06d}.png")[..., :3]
        assert np.array_equal(np.concatenate(tiles, axis=1), canvas), f"frame {n}"


def test_no_follower_starts_a_frame_before_all_ended_the_one_before(
    wall_run: tuple[Path, list[str]],
) -> None:
    _, logs = wall_run
    starts: dict[int, list[float]] = {}
    ends: dict[int, list[float]] = {}
    for log in logs:
        for n, what, t in re.findall(r"frame (\d+) (start|end) ([0-9.]+)", log):
            (starts if what == "start" else ends).setdefault(int(n), []).append(float(t))
    assert sorted(ends) == list(range(FRAMES)) and all(len(v) == 3 for v in ends.values())
    for n in range(FRAMES - 1):
        assert max(ends[n]) <= min(starts[n + 1]), f"frame {n + 1} began before {n} ended"


def test_a_leader_refuses_a_wall_file_without_a_token(tmp_path: Path) -> None:
    wall = tmp_path / "open.toml"
    wall.write_text(WALL.split("[wall]")[0], encoding="utf-8")
    r = subprocess.run([*NEBULA, "wall", "lead", str(wall)], capture_output=True, text=True)
    assert r.returncode == 2
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and re.search(r'token = "[A-Za-z0-9_-]{24,}"', line)


def test_a_wrong_token_a_malformed_and_a_replayed_message_are_refused() -> None:
    mine, theirs = Signer(TOKEN), Signer(TOKEN)
    sealed = mine.seal("done", n=3)
    assert theirs.open(sealed)["n"] == 3
    with pytest.raises(Refused, match="replayed"):
        theirs.open(sealed)
    with pytest.raises(Refused, match="unsigned"):
        theirs.open(Signer("another-wall-s-token-xxxx").seal("done", n=4))
    body, mac = mine.seal("done", n=5)
    with pytest.raises(Refused, match="unsigned"):
        theirs.open([body.replace(b"5", b"6"), mac])  # tampered
    with pytest.raises(Refused, match="malformed"):
        theirs.open([b"{}"])
    assert theirs.refused == {"replayed": 1, "unsigned": 2, "malformed": 1}


def test_the_wall_goes_on_past_a_rogue_sender(tmp_path: Path) -> None:
    import zmq

    wall = tmp_path / "wall.toml"
    wall.write_text(WALL, encoding="utf-8")
    port = free_port()
    lead = [*NEBULA, "wall", "lead", str(wall), "--port", str(port), "--fps", "20"]
    lead += ["--exit-after", "4"]
    leader = subprocess.Popen(lead, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ctx = zmq.Context()
    rogue = ctx.socket(zmq.DEALER)
    rogue.connect(f"tcp://127.0.0.1:{port}")
    try:
        time.sleep(1.0)
        rogue.send_multipart(Signer("not-this-wall-s-token-000").seal("hello", tile="a"))
        rogue.send_multipart([b"garbage"])
        out = leader.communicate(timeout=60)[0]
    finally:
        rogue.close(0)
        ctx.term()
    assert leader.returncode == 0
    assert "refused a message: unsigned" in out and "refused a message: malformed" in out
    assert "follower a joined" not in out


def test_the_minute_report_carries_a_follower_s_own_figures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from nebula.cluster.follower import Follower
    from nebula.wall.file import parse_wall

    tile = parse_wall({"canvas": {"size": [32, 32]}, "tiles": {"a": {"rect": [0, 0, 32, 32]}}})
    follower = Follower(TOKEN, "tcp://127.0.0.1:9", tile.tile("a"), lambda piece, n: None)
    try:
        follower.presented, follower.skipped = 120, 3
        follower._waits = [0.004] * 99 + [0.080]
        with caplog.at_level(logging.INFO, logger="nebula.wall"):
            follower._report()
    finally:
        follower.sock.close(0)
        follower.zctx.term()
    assert "tile a: 120 frames shown, 3 skipped, barrier wait p50 4.0 ms p99 80.0 ms" in caplog.text


@pytest.mark.slow
def test_a_played_wall_s_journal_renders_the_same_canvas_again(tmp_path: Path) -> None:
    from pythonosc.udp_client import SimpleUDPClient

    wall = tmp_path / "wall.toml"
    wall.write_text(WALL, encoding="utf-8")
    port, osc, frames = free_port(), free_port(), 45
    journal = tmp_path / "wall.jsonl"
    lead = [*NEBULA, "wall", "lead", str(wall), "--port", str(port), "--step", "--fps", "20"]
    lead += ["--start", str(START), "--frames", str(frames), "--followers", "3"]
    lead += ["--osc", str(osc), "--journal", str(journal)]
    leader = subprocess.Popen(lead, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    logs = {t: tmp_path / f"{t}.log" for t in "abc"}
    followers: list[subprocess.Popen[bytes]] = []
    for name in "abc":
        cmd = [*NEBULA, "record", "--wall", str(wall), "--tile", name, "--codec", "png"]
        cmd += ["--follow", f"127.0.0.1:{port}", "--out", str(tmp_path / name)]
        with open(logs[name], "w") as log:
            followers.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT))
    try:
        deadline = time.monotonic() + 60
        while "frame 3 shown" not in logs["a"].read_text():
            assert time.monotonic() < deadline, "the wall did not start"
            time.sleep(0.05)
        played = SimpleUDPClient("127.0.0.1", osc)
        played.send_message("/nebula/param/hue_shift", 0.3)
        played.send_message("/nebula/share", [])
        out = leader.communicate(timeout=120)[0]
        for follower in followers:
            assert follower.wait(timeout=60) == 0
    finally:
        for proc in followers:
            if proc.poll() is None:
                proc.kill()
        if leader.poll() is None:
            leader.kill()
    assert leader.returncode == 0, out
    text = journal.read_text()
    assert "param:hue_shift" in text and '"share"' in text
    again = tmp_path / "again"
    cmd = [*NEBULA, "record", "--journal", str(journal), "--codec", "png", "--size", "480x180"]
    cmd += ["--fps", "20", "--start", str(START), "--frames", str(frames), "--out", str(again)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    last = read_png(again / f"frame_{frames - 1:06d}.png")[..., :3]
    first = read_png(again / "frame_000000.png")[..., :3]
    assert np.abs(last.astype(int) - first).mean() > 1  # the hue moved: the events took
    for n in range(frames):
        tiles = [read_png(tmp_path / t / f"frame_{n:06d}.png")[..., :3] for t in "abc"]
        canvas = read_png(again / f"frame_{n:06d}.png")[..., :3]
        assert np.array_equal(np.concatenate(tiles, axis=1), canvas), f"frame {n}"


def test_a_follower_stopped_by_a_signal_leaves_nothing_behind(tmp_path: Path) -> None:
    import signal

    wall = tmp_path / "wall.toml"
    wall.write_text(WALL, encoding="utf-8")
    port = free_port()
    lead = [*NEBULA, "wall", "lead", str(wall), "--port", str(port), "--fps", "20"]
    leader = subprocess.Popen([*lead, "--exit-after", "60"], stdout=subprocess.DEVNULL)
    out = tmp_path / "frames"
    cmd = [*NEBULA, "record", "--wall", str(wall), "--tile", "a", "--codec", "png"]
    cmd += ["--follow", f"127.0.0.1:{port}", "--out", str(out)]
    follower = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert follower.stdout is not None
        while "shown" not in (line := follower.stdout.readline()):
            assert line, "the follower ended before it showed a frame"
        follower.send_signal(signal.SIGTERM)
        said = follower.communicate(timeout=60)[0]
    finally:
        for proc in (follower, leader):
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert follower.returncode == 143
    assert said.strip().splitlines()[-1] == (
        "nebula record: stopped by SIGTERM; partial output removed"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wall.toml"]  # ls -A: no partial
