"""In installation mode the page is hosted by the watchdog, which outlives the piece: across a
``kill -9`` of the piece the page keeps answering, says "restarting" at once, counts the
restart and why, and shows the piece running again when the watchdog has brought it back."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.web.conftest import free_port

REPO = Path(__file__).resolve().parents[2]


def status(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url + "/api/status", timeout=2) as r:
        data = json.loads(r.read())
    assert isinstance(data, dict)
    return data


def test_the_page_stays_up_across_a_kill_of_the_piece(xdisplay: str, tmp_path: Path) -> None:
    port = free_port()
    state = tmp_path / "state"
    env = {**os.environ, "DISPLAY": xdisplay, "XDG_STATE_HOME": str(state)}
    beat = state / "nebula" / "heartbeat.json"
    piece = [sys.executable, "-m", "nebula", "run", "--installation", "--heartbeat", str(beat)]
    piece += ["--web", str(port), "--max-fps", "10", "--target-fps", "10"]
    watchdog = [sys.executable, str(REPO / "scripts" / "watchdog.py"), "--heartbeat", str(beat)]
    watchdog += ["--web", str(port), "--poll", "0.1", "--grace", "60", "--"]
    proc = subprocess.Popen(
        watchdog + piece, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stderr is not None
        while not (m := re.search(r"page: (\S+)", proc.stderr.readline() or "EOF")):
            assert proc.poll() is None, "the watchdog ended before it served the page"
        url = m.group(1).split("/?")[0]
        deadline = time.monotonic() + 60
        while status(url).get("state") != "running":
            assert time.monotonic() < deadline, "the piece never came up on the page"
            time.sleep(0.2)
        first = status(url)
        assert first["restarts_today"] == 0 and isinstance(first["pid"], int)
        os.kill(first["pid"], signal.SIGKILL)
        killed = time.monotonic()
        seen: list[tuple[float, str]] = []
        while True:  # the page answers all along: status() raises if it does not
            now = status(url)
            seen.append((time.monotonic() - killed, str(now["state"])))
            if now["state"] == "running" and now["pid"] != first["pid"]:
                break
            assert time.monotonic() - killed < 60, seen[-1]
            time.sleep(0.1)
        restarting = [t for t, s in seen if s == "restarting"]
        assert restarting and restarting[0] < 1.0, seen[:5]
        back = seen[-1][0]
        assert back < 3.0, f"running again only after {back:.1f} s"  # the bound
        assert now["restarts_today"] == 1 and "status -9" in str(now["last_exit"])
        print(f"restarting after {restarting[0]:.2f} s, running again after {back:.2f} s")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
