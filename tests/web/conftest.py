"""A page server (``python -m nebula.web.server``) over a feed this test writes, its controls
arriving as OSC on a UDP socket this test reads: the show played by the test."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from nebula.config import default_values
from nebula.web.feed import FRAME_FILE, STATUS_FILE, write_frame


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    port: int
    token: str
    folder: Path
    osc: socket.socket  # what the page sends the show arrives here
    log: Path

    def write_status(self, **changes: object) -> None:
        status = {
            "written": time.time(),
            "state": "running",
            "fps": 30.0,
            "phase": "resonance",
            "piece_time": 130.0,
            "params": default_values(),
            "preset": "dawn",
            "presets": ["dawn", "deep-night", "twilight"],
        }
        status.update(changes)
        (self.folder / STATUS_FILE).write_text(json.dumps(status), encoding="utf-8")

    def received(self, timeout: float = 5.0) -> bytes | None:
        self.osc.settimeout(timeout)
        try:
            return self.osc.recv(65536)
        except TimeoutError:
            return None


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    osc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    osc.bind(("127.0.0.1", 0))
    folder = tmp_path / "feed"
    folder.mkdir()
    log = tmp_path / "nebula.log"
    log.write_text("started\nnebula: exit status 70 (crashed)\nback\n", encoding="utf-8")
    port = free_port()
    cmd = [sys.executable, "-m", "nebula.web.server", "--port", str(port), "--folder", str(folder)]
    cmd += ["--token-folder", str(tmp_path), "--osc-port", str(osc.getsockname()[1])]
    cmd += ["--log", str(log), "--watch-stdin", "--figures", "8"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    assert first.startswith("page: "), first
    token = first.split("token=")[1]
    s = Served(f"http://127.0.0.1:{port}", port, token, folder, osc, log)
    s.write_status()
    write_frame(folder / FRAME_FILE, np.full((90, 160, 3), 120, dtype=np.uint8))
    try:
        yield s
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
        osc.close()
