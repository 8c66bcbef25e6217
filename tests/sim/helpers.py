"""Shared helpers for the simulation tests: small, fast worlds and whole-state fingerprints."""

from __future__ import annotations

from typing import Any

import numpy as np

from nebula.config import Settings
from nebula.sim.shares import Share
from nebula.sim.world import World

#: A light world for tests that follow the story, not the pixels: 20 Hz, no flowers.
LIGHT: dict[str, Any] = {"sim_hz": 20.0, "flowers": 0}


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
