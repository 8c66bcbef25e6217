"""Several displays on one machine, on a real X server with two (Xorg's dummy driver):
`nebula displays` says where each is, and `nebula run --span 0,1` covers both with one
borderless window."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

NEBULA = [sys.executable, "-m", "nebula"]


def run(display: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISPLAY": display}
    return subprocess.run(
        [*NEBULA, *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def test_displays_lists_each_display_s_position_and_size(two_displays: str) -> None:
    r = run(two_displays, "displays")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["0: 1280x720 at 0,0", "1: 1280x720 at 1280,0"]


def window_geometry(env: dict[str, str], deadline: float) -> str:
    """The piece's window as xwininfo lists it (``2560x720+0+0``), once it is there."""
    while time.monotonic() < deadline:
        tree = subprocess.run(
            ["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True, timeout=30
        ).stdout
        for line in tree.splitlines():
            if '"Nebula"' in line:
                return line.split(")")[-1].split()[0]
        time.sleep(0.5)
    raise AssertionError("the window never appeared")


@pytest.mark.parametrize("wall", [False, True], ids=["piece", "wall-pattern"])
def test_a_span_covers_both_displays_with_one_window(
    two_displays: str, tmp_path: Path, wall: bool
) -> None:
    env = {**os.environ, "DISPLAY": two_displays}
    cmd = [*NEBULA, "run", "--span", "0,1", "--exit-after", "12", "--max-fps", "10", "--no-hud"]
    cmd += ["--clock-offset", "130"]
    if wall:  # the wall's canvas covers the span: here its calibration pattern, mid grey
        f = tmp_path / "wall.toml"
        f.write_text(
            "[canvas]\nsize = [2560, 720]\n[tiles.left]\nrect = [0, 0, 1280, 720]\n"
            "[tiles.right]\nrect = [1280, 0, 1280, 720]\n",
            encoding="utf-8",
        )
        cmd += ["--wall", str(f), "--pattern"]
    piece = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        # One borderless window at the desktop's origin, as wide as both displays.
        assert window_geometry(env, time.monotonic() + 60) == "2560x720+0+0"
        time.sleep(3.0)  # drawing by now
        shot = tmp_path / "root.png"
        subprocess.run(["import", "-window", "root", str(shot)], env=env, timeout=60, check=True)
        out, _ = piece.communicate(timeout=90)
    finally:
        if piece.poll() is None:
            piece.kill()
    assert piece.returncode == 0, out
    assert "rendered at 2560x720" in out
    screen = np.asarray(Image.open(shot).convert("RGB")).astype(np.float64)
    assert screen.shape[:2] == (720, 2560)
    # The picture is on both displays: each half is painted (a one-display window leaves the
    # other half of the root black).
    left, right = screen[:, :1280].mean(), screen[:, 1280:].mean()
    assert left > 20 and right > 20, (left, right)
    if wall:
        assert 110 < np.median(screen[:, :1280]) < 150 and 110 < np.median(screen[:, 1280:]) < 150


def test_a_span_naming_a_missing_display_lists_the_displays(two_displays: str) -> None:
    r = run(two_displays, "run", "--span", "0,2", "--exit-after", "1")
    assert r.returncode == 1
    line = r.stderr.strip()
    assert line.endswith(
        "there is no display 2; the displays are 0: 1280x720 at 0,0, 1: 1280x720 at 1280,0"
    ), line


def test_a_span_that_is_not_a_list_of_displays_is_refused(two_displays: str) -> None:
    r = run(two_displays, "run", "--span", "left,right")
    assert r.returncode == 2
    assert "is not a list of display indices" in r.stderr


def test_run_shows_one_tile_of_a_wall_in_a_window_of_its_size(
    xdisplay: str, tmp_path: Path
) -> None:
    env = {**os.environ, "DISPLAY": xdisplay}
    f = tmp_path / "wall.toml"
    f.write_text(
        "[canvas]\nsize = [400, 120]\n[tiles.left]\nrect = [0, 0, 220, 120]\n"
        "blend = { right = 40 }\n[tiles.right]\nrect = [180, 0, 220, 120]\nblend = { left = 40 }\n",
        encoding="utf-8",
    )
    cmd = [*NEBULA, "run", "--wall", str(f), "--tile", "right", "--exit-after", "6"]
    cmd += ["--max-fps", "10", "--no-hud", "--clock-offset", "130"]
    piece = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert window_geometry(env, time.monotonic() + 60).startswith("220x120+")
        out, _ = piece.communicate(timeout=90)
    finally:
        if piece.poll() is None:
            piece.kill()
    assert piece.returncode == 0, out
    assert "rendered at 400x120" in out  # the canvas, drawn in the tile


def test_a_wall_follower_spans_two_displays(two_displays: str, tmp_path: Path) -> None:
    """`nebula run --wall F --tile T --follow HOST:PORT --span 0,1`: one follower's tile over
    both displays, in one window, shown frame by frame as the leader releases them; a span of
    another shape than the tile is refused."""
    from tests.web.conftest import free_port

    token = "a-shared-secret-of-this-wall-0123"
    f = tmp_path / "wall.toml"
    f.write_text(
        "[canvas]\nsize = [3840, 720]\n[tiles.both]\nrect = [0, 0, 2560, 720]\n"
        f'[tiles.third]\nrect = [2560, 0, 1280, 720]\n[wall]\ntoken = "{token}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "DISPLAY": two_displays}
    port = free_port()
    lead = [*NEBULA, "wall", "lead", str(f), "--port", str(port), "--step", "--fps", "10"]
    lead += ["--start", "130", "--frames", "12", "--followers", "1", "--deadline-ms", "30000"]
    leader = subprocess.Popen(lead, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    follow = [*NEBULA, "run", "--wall", str(f), "--follow", f"127.0.0.1:{port}", "--span", "0,1"]
    follow += ["--size", "640x180"]  # (a window of its own would be this size)
    try:
        follower = subprocess.Popen([*follow, "--tile", "both"], env=env, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            geometry = window_geometry(env, time.monotonic() + 60)
        except AssertionError:
            follower.kill()
            raise AssertionError(follower.communicate()[0]) from None
        out = follower.communicate(timeout=120)[0]
        assert follower.returncode == 0, out
        assert leader.wait(timeout=60) == 0
    finally:
        for p in (leader,):
            if p.poll() is None:
                p.kill()
    assert geometry == "2560x720+0+0"
    assert "frame 11 shown" in out
    wrong = run(two_displays, *follow[3:], "--tile", "third", timeout=60)
    assert wrong.returncode == 2
    assert "--span 0,1 is 2560x720, tile third is 1280x720" in wrong.stderr
