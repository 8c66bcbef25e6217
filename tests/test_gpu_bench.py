"""scripts/gpu_bench.sh: one line and status 0 where there is no NVIDIA GPU (CI), and its
recording machinery run here on the CPU, at a small size with libx264 for NVENC."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

SCRIPT = REPO / "scripts" / "gpu_bench.sh"
BODY = [sys.executable, str(REPO / "scripts" / "gpu_bench.py")]


def test_without_a_gpu_it_says_so_and_exits_0(tmp_path: Path) -> None:
    """Both ways a machine has none: no nvidia-smi, and one that finds no GPU (a driver
    without a device); nothing is installed or written."""
    failing = tmp_path / "bin"
    failing.mkdir()
    smi = failing / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'NVIDIA-SMI has failed: no devices were found' >&2\nexit 9\n")
    smi.chmod(0o755)
    for path in (os.environ["PATH"], f"{failing}:{os.environ['PATH']}"):
        p = subprocess.run(
            ["bash", str(SCRIPT), str(tmp_path / "out.json")],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PATH": path},
        )
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip().splitlines() == [
            "gpu_bench: no NVIDIA GPU here (nvidia-smi finds none): nothing to measure"
        ]
        assert not (tmp_path / "out.json").exists()


@pytest.mark.slow
def test_its_recording_runs_and_writes_one_json(tmp_path: Path) -> None:
    out = tmp_path / "gpu.json"
    cmd = [*BODY, "--size", "320x180", "--frames", "12", "--encoder", "libx264", "--skip-bench"]
    p = subprocess.run([*cmd, "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    got = json.loads(out.read_text())
    assert got["gl_renderer"] and got["record_fps_180p_libx264"] > 0
    assert 0 < got["record_vs_render_180p_libx264"] <= 1.5
    assert "record_fps_180p_libx264: " in p.stdout and "gl_renderer: " in p.stdout
    assert sorted(x.name for x in tmp_path.iterdir()) == ["gpu.json"]  # the clip is gone


def test_a_gpu_whose_egl_is_llvmpipe_is_refused(tmp_path: Path) -> None:
    """nvidia-smi finds a GPU, but EGL renders on the CPU (Mesa's EGL made the only vendor,
    as on a machine without the NVIDIA one): measuring that would mislead."""
    cmd = [*BODY, "--gpu", "NVIDIA H100, 550.54", "--skip-bench", "--out", str(tmp_path / "o")]
    mesa = {"__EGL_VENDOR_LIBRARY_FILENAMES": "/usr/share/glvnd/egl_vendor.d/50_mesa.json"}
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env={**os.environ, **mesa})
    assert p.returncode == 1
    assert "EGL renders on llvmpipe, not the GPU" in p.stderr
    assert not (tmp_path / "o").exists()
