"""Every subcommand against every expected failure, as a user meets it: no GL (a driver that
offers only OpenGL 2.1), no EGL (no vendor library), a shader that does not compile, a missing
shader file, an unwritable output. Each ends in one line on stderr and a documented status
(1: the command could not do its work; 2: a bad argument, checked before any work), never a
traceback, and writes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nebula.resources import shaders_dir

pytestmark = pytest.mark.slow  # a fresh interpreter per case: about 8 s in all

NEBULA = [sys.executable, "-m", "nebula.cli"]
#: One local worker, no retry: the fault is met once, on the worker, and said by the client.
FARM_LOCAL = ["--workers", "1", "--retries", "0"]
COMMANDS = {
    "still": ["still", "--size", "64x36", "--out", "{out}/x.png"],
    "record": ["record", "--frames", "2", "--size", "64x36", "--out", "{out}/x.mp4"],
    "farm": ["farm", "--frames", "2", "--size", "64x36", "--out", "{out}/x.mp4", *FARM_LOCAL],
    "scan": ["scan", "--seconds", "0.2", "--size", "64x36", "--plot", "{out}/x.png"],
    "bench": ["bench", "--only", "record"],
    "run": ["run", "--size", "64x36", "--exit-after", "2"],
}


def broken_shaders(tmp: Path, how: str) -> Path:
    root = tmp / "shaders"
    shutil.copytree(shaders_dir(), root)
    if how == "compile":
        sky = root / "sky.frag"
        sky.write_text(sky.read_text().replace("void main() {", "void main() { nonsense;", 1))
    else:
        (root / "lib" / "noise.glsl").unlink()
    return root


FAULTS = {
    "no-gl": ({"MESA_GL_VERSION_OVERRIDE": "2.1"}, 1, "OpenGL 3.3"),
    "no-egl": ({"__EGL_VENDOR_LIBRARY_FILENAMES": "/nonexistent"}, 1, "EGL"),
    "compile": (None, 1, "shader does not compile: shaders/sky.frag:"),
    "missing": (None, 1, "lib/noise.glsl"),
}


def run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NEBULA, *argv], env=env, cwd=cwd, capture_output=True, text=True, timeout=180
    )


# The window's GL comes from GLX, not EGL: `run` meets "no GL" (no-gl) but has no EGL to lose.
CASES = [
    pytest.param(c, f, marks=[pytest.mark.window] if c == "run" else [])
    for c in sorted(COMMANDS)
    for f in sorted(FAULTS)
    if (c, f) != ("run", "no-egl")
]


@pytest.mark.parametrize(("command", "fault"), CASES)
def test_each_command_fails_in_one_line(tmp_path: Path, command: str, fault: str) -> None:
    extra, status, says = FAULTS[fault]
    if command == "run":
        assert os.environ.get("DISPLAY"), "run needs an X display: ./scripts/test.sh gives one"
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    if extra:
        env.update(extra)
    else:
        env["NEBULA_SHADERS_DIR"] = str(broken_shaders(tmp_path, fault))
    out = tmp_path / "out"
    out.mkdir()
    argv = [a.format(out=out) for a in COMMANDS[command]]
    r = run(argv, env, tmp_path)
    # One line says what went wrong (bench's progress and farm's dashboard may come before it).
    progress = ("bench: ", "nebula farm: Dask dashboard: ")
    err = [line for line in r.stderr.strip().splitlines() if not line.startswith(progress)]
    assert r.returncode == status, r.stderr
    assert len(err) == 1 and err[0].startswith(f"nebula {command}: error:"), r.stderr
    assert says in err[0] and "Traceback" not in r.stderr, r.stderr
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("command", ["still", "record", "farm", "scan"])
def test_an_unwritable_output_is_refused_before_any_work(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "no" / "such" / "folder"
    argv = [a.format(out=missing) for a in COMMANDS[command]]
    r = run(argv, {**os.environ}, tmp_path)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "does not exist" in err[0], r.stderr
    assert not (tmp_path / "no").exists()
