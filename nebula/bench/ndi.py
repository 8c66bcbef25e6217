"""The bench's NDI section: what publishing the picture costs the live window.

- ``ndi_window_fps_720p``: the window's steady rate with ``--ndi`` on and a receiver connected
  (nebula.bench.ndi_receive, another process at the lowest priority, standing for a receiver
  on another machine, taking the frames through cyndilib's frame-sync);
- ``plain_window_fps_720p``: the same window without NDI, in rounds alternating with those;
- ``ndi_vs_window_720p``: the ratio of their medians (target: 0.9 or more).

Discovery runs on loopback (an ``NDI_CONFIG_DIR`` of its own), so no avahi is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from nebula.bench.figures import Figures, say
from nebula.bench.render import SIZES, WINDOW_SECONDS, window_fps

ROUNDS = 3
ROWS = {
    "ndi_window_fps_720p": ("fps", "live window, --ndi on, a receiver taking every frame"),
    "plain_window_fps_720p": ("fps", "the same window without NDI, rounds alternating"),
    "ndi_vs_window_720p": ("x", "ndi_window_fps_720p / plain_window_fps_720p"),
    "ndi_received_fps_720p": ("fps", "frames the receiver got a second of the window's run"),
}
TARGETS = {"ndi_vs_window_720p": (0.9, ">=")}


def ndi_round(size: tuple[int, int], name: str) -> tuple[float, int]:
    """One window run publishing ``name``, with a receiver taking it the whole time. The
    receiver stands for one on another machine: it runs at the lowest priority, on time the
    piece leaves idle (at the same priority its decoding took 5 ms of CPU a 720p frame from
    the two cores the piece draws on)."""
    cmd = [sys.executable, "-m", "nebula.bench.ndi_receive", name, "--seconds", "60", "--idle", "3"]
    receiver = subprocess.Popen(
        ["nice", "-n", "19", *cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        fps = window_fps(size, extra=["--ndi", name])
        out = receiver.communicate(timeout=30)[0]
    finally:
        if receiver.poll() is None:
            receiver.kill()
            receiver.wait()
    said = json.loads(out.strip().splitlines()[-1])
    if not said.get("received"):
        raise RuntimeError(f"the NDI receiver got nothing: {said}")
    return fps, int(said["received"])


def section_ndi(args: argparse.Namespace) -> Figures:
    """``ndi_vs_window_720p`` (needs a display and the ``ndi`` extra)."""
    import importlib.util

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        say("ndi: no display, so no NDI figures (run the bench under xvfb-run for them)")
        return {}
    if importlib.util.find_spec("cyndilib") is None:
        say("ndi: cyndilib is not installed (pip install 'nebula[ndi]'), so no NDI figures")
        return {}
    say(f"ndi: {ROUNDS} x 2 x {WINDOW_SECONDS:g} s of `nebula run`, with and without --ndi")
    size = SIZES["720p"]
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "ndi-config.v1.json"
        config.write_text(json.dumps({"ndi": {"networks": {"ips": "127.0.0.1"}}}))
        saved = os.environ.get("NDI_CONFIG_DIR")
        os.environ.setdefault("NDI_CONFIG_DIR", folder)
        try:
            plain, ndi, received = [], [], []
            for k in range(ROUNDS):
                plain.append(window_fps(size))
                fps, got = ndi_round(size, f"Nebula bench {os.getpid()} {k}")
                ndi.append(fps)
                received.append(got / WINDOW_SECONDS)
        finally:
            if saved is None:
                os.environ.pop("NDI_CONFIG_DIR", None)
    with_ndi, without = float(np.median(ndi)), float(np.median(plain))
    return {
        "ndi_window_fps_720p": round(with_ndi, 3),
        "plain_window_fps_720p": round(without, 3),
        "ndi_vs_window_720p": round(with_ndi / without, 3),
        "ndi_received_fps_720p": round(float(np.median(received)), 3),
    }
