"""The wall of machines' figures (nebula.cluster), from a four-process run on loopback: one
leader and three headless followers of a 2x2 wall of 320x180 tiles (`nebula wall lead`,
`nebula record --follow`), against one piece drawing the whole 640x360 canvas alone.

- ``machines_fps``: frames the wall released per second, uncapped, against ``lone_fps``;
- ``machines_skew_ms_p50`` / ``_p99``: per frame, the spread of the followers' show times (one
  machine: their monotonic clocks are one);
- ``machines_wait_ms_p50`` / ``_p99``: per follower and frame, from its drawing's end to the
  release, the barrier's wait;
- ``machines_rejoin_s``: from a killed follower's restart to its first frame shown;
- ``follower_vs_lone``: a follower's median draw against a lone piece's of its tile size (a tile
  draws its share of the canvas and a guard band, nebula.render.region).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nebula.bench.figures import Figures, say

SECONDS = 12.0
TOKEN = "machines-bench-token-0123456789"
WALL = f"""[canvas]
size = [640, 360]
[tiles.a]
rect = [0, 0, 320, 180]
[tiles.b]
rect = [320, 0, 320, 180]
[tiles.c]
rect = [0, 180, 320, 180]
[tiles.d]
rect = [320, 180, 320, 180]
[wall]
token = "{TOKEN}"
"""
NEBULA = [sys.executable, "-m", "nebula"]
SHOWN = re.compile(r"frame (\d+) shown ([0-9.]+)")
DRAWN = re.compile(r"frame (\d+) (start|end) ([0-9.]+)")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _follow(wall: Path, port: int, tile: str, folder: Path) -> tuple[subprocess.Popen[str], Path]:
    log = folder / f"{tile}-{time.monotonic_ns()}.log"
    cmd = [*NEBULA, "record", "--wall", str(wall), "--tile", tile, "--codec", "png"]
    cmd += ["--follow", f"127.0.0.1:{port}", "--out", str(folder / tile), "--force"]
    with open(log, "w") as f:
        return subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, text=True), log


def lone_ms(size: tuple[int, int], frames: int = 40) -> float:
    """A lone piece's median frame (draw + finish) at ``size``, from t = 130 s."""
    from nebula.config import Settings
    from nebula.piece import Piece

    with Piece(Settings(), None, size) as p:
        p.draw(130.0)
        p.ctx.finish()
        times = []
        for k in range(frames):
            t0 = time.perf_counter()
            p.draw(130.0 + (k + 1) / 60)
            p.ctx.finish()
            times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3


def section_machines(args: argparse.Namespace) -> Figures:
    say(f"machines: a leader and three followers of a 2x2 wall of 320x180 tiles, {SECONDS:g} s")
    canvas_ms = lone_ms((640, 360))
    tile_ms = lone_ms((320, 180))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wall = folder / "wall.toml"
        wall.write_text(WALL, encoding="utf-8")
        port = _port()
        lead = [*NEBULA, "wall", "lead", str(wall), "--port", str(port), "--fps", "1000"]
        lead += ["--start", "130", "--exit-after", str(SECONDS), "--followers", "3"]
        leader = subprocess.Popen(lead, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        followers = {t: _follow(wall, port, t, folder) for t in "abc"}
        try:
            while not SHOWN.search(followers["a"][1].read_text()):
                time.sleep(0.1)
            time.sleep(SECONDS / 2)
            os.kill(followers["c"][0].pid, signal.SIGKILL)
            followers["c"][0].wait()
            restarted = time.monotonic()
            followers["c2"] = _follow(wall, port, "c", folder)
            out = leader.communicate(timeout=SECONDS + 120)[0]
            for proc, _ in followers.values():
                proc.wait(timeout=60)
        finally:
            for proc, _ in followers.values():
                if proc.poll() is None:
                    proc.kill()
        logs = {t: log.read_text() for t, (_, log) in followers.items()}
    released = int(re.findall(r"released (\d+)", out)[-1]) if "released" in out else 0
    shown: dict[int, list[float]] = {}
    waits, draws = [], []
    for text in logs.values():
        ends = {}
        for n, what, t in DRAWN.findall(text):
            if what == "end":
                ends[int(n)] = float(t)
        starts = {int(n): float(t) for n, what, t in DRAWN.findall(text) if what == "start"}
        draws += [ends[n] - starts[n] for n in ends if n in starts]
        for n, t in SHOWN.findall(text):
            shown.setdefault(int(n), []).append(float(t))
            if int(n) in ends:
                waits.append(float(t) - ends[int(n)])
    first_back = [float(t) for _, t in SHOWN.findall(logs["c2"])]
    skews = [max(v) - min(v) for v in shown.values() if len(v) >= 3]
    return {
        "lone_fps": round(1e3 / canvas_ms, 2),
        "machines_fps": round(released / SECONDS, 2),
        "machines_vs_lone": round(released / SECONDS / (1e3 / canvas_ms), 3),
        "machines_skew_ms_p50": round(float(np.percentile(skews, 50)) * 1e3, 2),
        "machines_skew_ms_p99": round(float(np.percentile(skews, 99)) * 1e3, 2),
        "machines_wait_ms_p50": round(float(np.percentile(waits, 50)) * 1e3, 2),
        "machines_wait_ms_p99": round(float(np.percentile(waits, 99)) * 1e3, 2),
        "machines_rejoin_s": round(first_back[0] - restarted, 2) if first_back else -1.0,
        "follower_draw_ms": round(float(np.median(draws)) * 1e3, 2),
        "lone_tile_ms": round(tile_ms, 2),
        "follower_vs_lone": round(float(np.median(draws)) * 1e3 / tile_ms, 3),
    }
