"""A follower joining a wall in its third cycle is sent a snapshot of the parameters at that
cycle's start and the events since, not every event of the wall's life, and draws exactly what
a piece that took every event draws."""

from __future__ import annotations

import moderngl
import numpy as np

from nebula.cluster.snapshot import Snapshot
from nebula.config import Settings
from nebula.control.events import Event, param_event
from nebula.piece import Piece

SETTINGS = Settings(seed=4, cycle_seconds=12.0, sim_hz=30.0)
STEPS = 360  # a cycle's steps at 30 Hz


def stamped(ev: Event, step: int) -> dict[str, object]:
    return ev.stamped(step, step / SETTINGS.sim_hz).to_json()


def wall_events() -> list[dict[str, object]]:
    """Two cycles and a bit of playing: a hue set late in the first cycle (its glide runs on
    over the seam), the dreamer sharing, the exposure and swirl moved in the second, a share
    and the grain in the third."""
    preset = Event("osc", "preset", {"name": "warm", "params": {"bloom": 1.4, "haze": 0.3}})
    return [
        stamped(param_event("osc", "hue_shift", 0.3), STEPS - 4),
        stamped(Event("osc", "share", None), STEPS - 2),
        stamped(param_event("osc", "exposure", 1.6), STEPS + 40),
        stamped(preset, STEPS + 200),
        stamped(param_event("osc", "swirl_speed", 2.5), 2 * STEPS - 1),
        stamped(Event("osc", "share", None), 2 * STEPS + 10),
        stamped(param_event("osc", "grain", 0.2), 2 * STEPS + 12),
    ]


def frame(ctx: moderngl.Context, events: list[dict[str, object]], t: float) -> np.ndarray:
    with Piece(SETTINGS, None, (96, 54), ctx=ctx) as piece:
        piece.timeline.schedule(Event.from_json(e) for e in events)
        return piece.render(t).copy()


def test_a_late_follower_draws_from_a_snapshot_what_every_event_draws(
    ctx: moderngl.Context,
) -> None:
    events = wall_events()
    t = (2 * STEPS + 20) / SETTINGS.sim_hz  # the third cycle, after its share and grain
    snap = Snapshot(SETTINGS, {})
    snap.add(events)
    snap.to_cycle_of(2 * STEPS + 20)
    welcome = snap.welcome()
    assert welcome[0]["target"] == "settle" and welcome[0]["step"] == 2 * STEPS
    assert len(welcome) == 3  # the settle, then the third cycle's share and grain
    settled = welcome[0]["value"]
    assert isinstance(settled, dict)
    assert settled["values"]["hue_shift"] == 0.3 and settled["targets"]["swirl_speed"] == 2.5
    assert settled["values"]["swirl_speed"] != 2.5  # set a step before: still gliding there
    assert np.array_equal(frame(ctx, welcome, t), frame(ctx, events, t))


def test_the_snapshot_moves_with_the_cycles_and_stays_small() -> None:
    snap = Snapshot(SETTINGS, {"hue_shift": -0.2})
    for cycle in range(50):  # a show of fifty cycles, an event every few seconds
        step = cycle * STEPS
        snap.to_cycle_of(step)
        snap.add([stamped(param_event("osc", "exposure", 1.0 + cycle % 3 * 0.1), step + k)
                  for k in range(0, STEPS, 60)])  # fmt: skip
    assert len(snap.welcome()) == 1 + STEPS // 60  # the settle and this cycle's own
    assert snap.step == 49 * STEPS
