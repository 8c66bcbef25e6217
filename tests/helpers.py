"""The suite's shared helpers, in one module: the checkout, the command line, small worlds,
decoding recordings, and listing or hashing what a folder holds. Fixtures live in conftest.py."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nebula import scene
from nebula.config import Settings
from nebula.sim.figures import FIGURE_DTYPE
from nebula.sim.flowers import FLOWER_DTYPE
from nebula.sim.particles import PARTICLE_DTYPE
from nebula.sim.shares import Share
from nebula.sim.story import Moods
from nebula.sim.threads import THREAD_DTYPE
from nebula.sim.world import World

#: The checkout the suite runs from (scripts/, tests/ and README.md live there).
REPO = Path(__file__).resolve().parent.parent
#: `nebula` as a user runs it, in a child process.
NEBULA = [sys.executable, "-m", "nebula"]

#: A light world for tests that follow the story, not the pixels: 20 Hz, no flowers.
LIGHT: dict[str, Any] = {"sim_hz": 20.0, "flowers": 0}

#: The frame size of the render tests' shared piece (the `piece` fixture in tests/render).
RENDER_SIZE = (320, 180)

#: An in-process `nebula ...` call: its arguments -> its exit status.
Run = Callable[..., int]


# --------------------------------------------------------------------------- scenes


@dataclass
class FakeState:
    """The smallest SceneState: nothing on the plain but what a test gives it."""

    threads: NDArray[np.void] = field(default_factory=lambda: np.zeros(0, THREAD_DTYPE))
    moods: Moods = field(default_factory=lambda: Moods(0.0, 0.0, 1.0, 1.0, 1.0, 0.5, 0.0, 0.0))
    cycle_t: float = 190.0
    camera: NDArray[np.float64] = field(default_factory=lambda: scene.CAMERA_REST.copy())
    figures: NDArray[np.void] = field(default_factory=lambda: np.zeros(0, FIGURE_DTYPE))
    flowers: NDArray[np.void] = field(default_factory=lambda: np.zeros(0, FLOWER_DTYPE))
    particles: NDArray[np.void] = field(default_factory=lambda: np.zeros(0, PARTICLE_DTYPE))

    @property
    def parts(self) -> NDArray[np.void]:
        """The figures' bodies, posed from the records given (nebula.sim.poses)."""
        from nebula.sim.poses import Poser

        return Poser(self.figures).pose(self.figures)


# --------------------------------------------------------------------------- windows


def needs_display() -> None:
    assert os.environ.get("DISPLAY"), "window tests need an X display: run ./scripts/test.sh"
    assert shutil.which("xdotool"), "xdotool is missing: sudo apt-get install xdotool"


def xdotool(*args: str, timeout: float = 30.0) -> str:
    """Run xdotool on $DISPLAY. A connection the X server turned away (a busy server does,
    now and then) is tried again, as nothing was done; any other failure fails the test in
    xdotool's own words."""
    end = time.monotonic() + timeout
    while True:
        r = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=timeout)
        if r.returncode == 0:
            return r.stdout
        if "Can't open display" not in r.stderr or time.monotonic() > end:
            raise AssertionError(f"xdotool {' '.join(args)}: exit {r.returncode}: {r.stderr}")
        time.sleep(0.1)


def windows_of(pid: int, display: str | None = None, timeout: float = 60.0) -> list[str]:
    """The X windows of process ``pid``, once it has one. Polled, not `xdotool search --sync`:
    that exits 1 on the first X error, and the windows SDL opens and closes while it starts
    (or a refused connection) are enough to give one."""
    env = {**os.environ, "DISPLAY": display} if display else None
    end = time.monotonic() + timeout
    err = ""
    while time.monotonic() < end:
        r = subprocess.run(
            ["xdotool", "search", "--pid", str(pid)], env=env, capture_output=True, text=True
        )
        if r.stdout.split():
            return r.stdout.split()
        err = r.stderr
        time.sleep(0.1)
    raise AssertionError(f"process {pid} opened no window in {timeout:.0f} s: {err}")


def wait_for(pred: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``pred`` (something another process does) until it holds, or fail naming ``what``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


# --------------------------------------------------------------------------- the simulation


def state_bytes(w: World) -> dict[str, bytes]:
    """Every array the renderer reads, plus the counters that decide what comes next."""
    return {
        "figures": w.figures.tobytes(),
        "flowers": w.flowers.tobytes(),
        "threads": w.web.data.tobytes(),
        "particles": w.pool.data.tobytes(),
        "origins": w.pool.origin.tobytes(),
        "moods": np.array(w.moods.as_tuple()).tobytes(),
        "clock": np.array([w.cycle, w.steps, w.web.count, w.pool.head]).tobytes(),
    }


def run_cycle(settings: Settings, share_rate: float = 1.0) -> tuple[World, list[Share]]:
    """Step one whole cycle from its start; returns the world at its last step and the shares."""
    w = World(settings)
    shares = []
    n = round(settings.cycle_seconds * settings.sim_hz) - 1
    for _ in range(n):
        sh = w.step(share_rate=share_rate)
        if sh is not None:
            shares.append(sh)
    assert w.cycle == 0
    return w, shares


# --------------------------------------------------------------------------- files


def decode_rgb(path: Path) -> list[NDArray[np.uint8]]:
    """Every frame as (h, w, 3) uint8 RGB, converted back with the BT.709 limited-range matrix
    the file is tagged with, and accurate rounding (swscale's fast path adds its own error)."""
    import av
    from av.video.reformatter import ColorRange, Colorspace, Interpolation

    with av.open(str(path)) as c:
        return [
            f.reformat(
                format="rgb24",
                src_colorspace=Colorspace.ITU709,
                src_color_range=ColorRange.MPEG,
                interpolation=Interpolation.BICUBIC
                | Interpolation.ACCURATE_RND
                | Interpolation.FULL_CHR_H_INT,
            )
            .to_ndarray()
            .astype(np.uint8, copy=False)
            for f in c.decode(video=0)
        ]


def others(folder: Path, *known: str) -> list[str]:
    """What is in ``folder`` besides the ``known`` names (hidden temporaries included)."""
    return sorted(p.name for p in folder.iterdir() if p.name not in known)


def hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path -> its SHA-256: proof nothing changed."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- journals


def journaled_session(ctx: Any, path: Path) -> Path:
    """A short live session journaled to ``path``: a Show at 96x54 from t = 150 s for 40
    frames at 24 fps, hue up a step and figure 2 sharing at frame 5."""
    from nebula.app.session import SessionJournal
    from nebula.app.show import Show

    show = Show(ctx, (96, 54), Settings(seed=6), now_wall=0.0, clock_offset=150.0)
    journal = SessionJournal(show, path)
    try:
        for k in range(40):
            if k == 5:
                show.do("up:hue_shift")
                show.actions.share(2)
            show.frame(k / 24)
    finally:
        journal.close()
        show.release()
    return path
