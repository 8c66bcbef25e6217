"""`nebula run` and `nebula displays` as a user meets them: a real window driven by real X key
events (xdotool), timed exits, and the one-line errors."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from nebula.output.png import read_png
from tests.helpers import NEBULA, needs_display, wait_for, windows_of, xdotool

pytestmark = pytest.mark.window  # every test here drives a real window


def written(path: Path) -> bool:
    # Screenshots claim their name first, then an atomic rename fills it in.
    return path.is_file() and path.stat().st_size > 0


def test_keys_typed_into_the_window(
    tmp_path: Path, xdisplay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F12 saves what the window shows; Shift+E (exposure up) visibly brightens it; Esc quits."""
    # A display of its own: keys go to the focused window, and the suite runs on two workers.
    monkeypatch.setenv("DISPLAY", xdisplay)
    needs_display()
    shots = tmp_path / "shots"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.Popen(
        [*NEBULA, "run", "--size", "320x180", "--exit-after", "60", "--clock-offset", "130",
         "--screenshot-dir", str(shots)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wid = windows_of(proc.pid)[0]
        time.sleep(1.0)
        xdotool("windowfocus", "--sync", wid)
        xdotool("key", "p")  # pause: only the keys change the picture from here on
        time.sleep(0.5)
        xdotool("key", "F12")
        wait_for(lambda: written(shots / "nebula-0001.png"), 20, "the first screenshot")
        xdotool("key", "--delay", "50", *["shift+e"] * 8)
        time.sleep(2.5)  # the glide settles
        xdotool("key", "F12")
        wait_for(lambda: written(shots / "nebula-0002.png"), 20, "the second screenshot")
        xdotool("key", "Escape")
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    a = read_png(shots / "nebula-0001.png").astype(np.float64)
    b = read_png(shots / "nebula-0002.png").astype(np.float64)
    assert a.shape == (180, 320, 3)
    assert a.std() > 10.0  # not blank
    assert b.mean() > a.mean() + 5.0  # exposure 1.0 -> 1.4


def test_exit_after_exits_zero() -> None:
    needs_display()
    t0 = time.monotonic()
    proc = subprocess.run(
        [*NEBULA, "--size", "160x90", "--exit-after", "1"],  # no subcommand: run
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - t0 < 30


def test_a_bad_preset_at_startup_is_refused_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "loud.toml"
    bad.write_text("[params]\nbloom = 7.5\n", encoding="utf-8")
    proc = subprocess.run(
        [*NEBULA, "run", "--size", "160x90", "--exit-after", "1", "--preset", str(bad)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "bloom" in lines[0] and "7.5" in lines[0] and "[0, 2]" in lines[0]


def test_no_display_says_so_and_points_to_still_and_record() -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}  # fmt: skip
    for cmd in (["run", "--exit-after", "1"], ["displays"]):
        proc = subprocess.run([*NEBULA, *cmd], capture_output=True, text=True, timeout=60, env=env)
        assert proc.returncode != 0
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert "no display" in lines[0]
        if cmd[0] == "run":
            assert "nebula still" in lines[0] and "nebula record" in lines[0]


def test_an_unknown_display_lists_the_displays() -> None:
    needs_display()
    proc = subprocess.run(
        [*NEBULA, "run", "--display", "7", "--exit-after", "1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "no display 7" in lines[0] and "0: " in lines[0]


def test_displays_lists_sizes_and_positions() -> None:
    needs_display()
    proc = subprocess.run([*NEBULA, "displays"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    index, rest = first.split(": ")
    size, at = rest.split(" at ")
    w, h = (int(v) for v in size.split("x"))
    assert index == "0" and w > 0 and h > 0 and at == "0,0"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--size", "0x5"], "--size"),
        (["--render-scale", "9"], "--render-scale"),
        (["--shaders", "/nonexistent/shaders"], "does not exist"),
    ],
)
def test_bad_arguments_exit_2_before_a_window_opens(args: list[str], needle: str) -> None:
    proc = subprocess.run([*NEBULA, "run", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert needle in proc.stderr
