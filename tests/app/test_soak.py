from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO


@pytest.mark.slow
def test_short_soak_keeps_gl_objects_flat_and_memory_bounded(tmp_path: Path) -> None:
    hb = tmp_path / "hb.json"
    cmd = [sys.executable, str(REPO / "scripts" / "soak.py"), "--frames=300", "--warmup=120"]
    cmd += ["--size=160x90", "--json", f"--heartbeat={hb}"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    last = r.stdout.strip().splitlines()[-1]
    data = json.loads(last)
    print(last)
    assert r.returncode == 0, r.stderr
    assert data["loop"] == "show"
    assert data["gl_objects_start"] == data["gl_objects_end"] > 0
    assert data["rss_end_mb"] - data["rss_start_mb"] < 3.0
    assert 0 < data["frame_ms_p50"] <= data["frame_ms_p99"]
    beat = json.loads(hb.read_text())
    assert beat["frame"] > 300 and beat["luma"] > 5.0  # the loop wrote a live heartbeat


@pytest.mark.slow
def test_soak_fails_on_a_gl_leak() -> None:
    """Control: the same measure notices an object that is made every frame and never freed."""
    code = (
        "from nebula.app import soak\n"
        "orig = soak._headless_frame\n"
        "def leaky(ctx, *a):\n"
        "    step = orig(ctx, *a)\n"
        "    def s(k):\n"
        "        step(k); ctx.buffer(reserve=16)\n"
        "    return s\n"
        "soak._headless_frame = leaky\n"
        "r = soak.run_soak(20, (32, 18), warmup=2, loop='headless')\n"
        "print(r.gl_objects_end - r.gl_objects_start)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "20"
