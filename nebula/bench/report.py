"""The bench's targets, its sections run in order, and its table."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

from nebula.bench.figures import Figures, say
from nebula.bench.ndi import ROWS as NDI_ROWS
from nebula.bench.ndi import TARGETS as NDI_TARGETS
from nebula.bench.render import SIZES, describe, targets
from nebula.bench.wall import tile_share

Section = Callable[[argparse.Namespace], Figures]

#: Targets for this project's reference machine (2 cores): figure -> (limit, "<=" or ">=").
TARGETS: dict[str, tuple[float, str]] = {
    "sim_step_ms": (1.0, "<="),
    "alloc_bytes_per_step": (64.0, "<="),
    "sim_1m_vs_copy": (4.0, "<="),
    "record_vs_render_720p": (0.85, ">="),
    "osc_flood_vs_quiet": (0.9, ">="),
    "web_vs_quiet": (0.97, ">="),
    "listen_vs_quiet": (0.95, ">="),
    "machines_rejoin_s": (2.0, "<="),
    "follower_vs_lone": (1.1, "<="),
    # A tile costs no more than its share of the canvas's pixels with its guard band.
    "tile_vs_canvas_720p": (round(tile_share(SIZES["720p"]), 3), "<="),
    **targets(),
    **NDI_TARGETS,
}


@dataclass(frozen=True)
class Row:
    key: str
    unit: str
    meaning: str


#: How the table describes each known figure; figures without a row print with their key only.
ROWS: tuple[Row, ...] = (
    Row("sim_step_ms", "ms", "median World.step, default settings, over one whole cycle"),
    Row("sim_step_ms_p99", "ms", "99th percentile of the same steps"),
    Row("particles", "", "default particle pool capacity"),
    Row("sim_step_ms_1m", "ms", "median World.step with 1,000,000 particles"),
    Row("copy_ms_1m", "ms", "median numpy copy of the 1M particle state, same loop"),
    Row("state_bytes_1m", "B", "particle state bytes at 1M (records + birth positions)"),
    Row("sim_1m_vs_copy", "x", "sim_step_ms_1m / copy_ms_1m"),
    Row("alloc_bytes_per_step", "B", "net bytes allocated per step, steady state (tracemalloc)"),
    Row("alloc_steps", "", "steps traced for alloc_bytes_per_step"),
    Row("alloc_peak_bytes", "B", "largest transient allocation above the start, same steps"),
    Row("seek_ms_200s", "ms", "fresh world -> frame at t = 200 s"),
    Row("seek_ms_30d", "ms", "fresh world -> frame at t = 30 days + 200 s (same cycle moment)"),
    Row("seek_30d_vs_200s", "x", "seek_ms_30d / seek_ms_200s"),
    Row("render_fps_720p", "fps", "draw + readback at 1280x720 (median of 5 rounds)"),
    Row("record_fps_720p", "fps", "whole pipeline to h264 at default crf, rounds alternating"),
    Row("record_vs_render_720p", "x", "record_fps_720p / render_fps_720p"),
    Row("osc_quiet_fps", "fps", "live show headless at 640x360, no OSC (10 x 2 s), median"),
    Row("osc_flood_fps", "fps", "the same, another process sending 10,000 OSC msgs/s (10 x 2 s)"),
    Row("osc_flood_vs_quiet", "x", "osc_flood_fps / osc_quiet_fps"),
    Row("osc_flood_sent", "", "messages the flood sent"),
    Row("osc_flood_taken", "", "messages the server took (500 a second, 100 while flooded)"),
    Row("osc_flood_refused", "", "messages refused as a flood, unread"),
    Row("web_quiet_fps", "fps", "live show headless at 640x360, no page (10 x 2 s)"),
    Row("web_fps", "fps", "the same with its page served and polled as a browser does"),
    Row("web_vs_quiet", "x", "web_fps / web_quiet_fps"),
    Row("listen_quiet_fps", "fps", "live show headless at 640x360, not listening (10 x 2 s)"),
    Row("listen_fps", "fps", "the same listening to speech from a JACK client (its own ear)"),
    Row("listen_vs_quiet", "x", "listen_fps / listen_quiet_fps"),
    Row("lone_fps", "fps", "one piece drawing a 640x360 canvas alone"),
    Row("machines_fps", "fps", "a 2x2 wall of it: leader + 3 followers on loopback, uncapped"),
    Row("machines_vs_lone", "x", "machines_fps / lone_fps (four processes on the same cores)"),
    Row("machines_skew_ms_p50", "ms", "per frame, the spread of the followers' show times"),
    Row("machines_skew_ms_p99", "ms", "its 99th percentile"),
    Row("machines_wait_ms_p50", "ms", "a follower's wait from its drawing's end to the release"),
    Row("machines_wait_ms_p99", "ms", "its 99th percentile"),
    Row("machines_rejoin_s", "s", "a kill -9'd follower: restart to its first frame shown"),
    Row("follower_draw_ms", "ms", "a follower's median draw of its 320x180 tile"),
    Row("lone_tile_ms", "ms", "a lone piece's median frame at 320x180"),
    Row("follower_vs_lone", "x", "follower_draw_ms / lone_tile_ms"),
    *(Row(key, unit, meaning) for key, (unit, meaning) in NDI_ROWS.items()),
    *(
        Row(f"{key}_{label}", unit, f"{meaning} at {label}")
        for label in SIZES
        for key, unit, meaning in (
            ("wall_canvas_ms", "ms", "whole canvas of a 2x2 wall, draw + finish, median"),
            ("wall_tile_ms", "ms", "one tile of it, the mean of the four tiles' medians"),
            ("tile_vs_canvas", "x", "wall_tile_ms / wall_canvas_ms"),
            ("tile_share", "x", "a tile's pixels with its guard band / the canvas's"),
        )
    ),
)


def run_sections(args: argparse.Namespace, sections: dict[str, Section]) -> Figures:
    result: Figures = {}
    for name, fn in sections.items():
        t0 = time.perf_counter()
        result.update(fn(args))
        say(f"{name}: done in {time.perf_counter() - t0:.1f} s")
    return result


def targets_missed(result: Figures) -> list[str]:
    missed = []
    for key, (limit, op) in TARGETS.items():
        v = result.get(key)
        if isinstance(v, (int, float)) and not (v <= limit if op == "<=" else v >= limit):
            missed.append(f"{key} = {v:g} (target {op} {limit:g})")
    return missed


def format_table(result: Figures) -> str:
    rows = {r.key: r for r in ROWS}
    w = max([26, *(len(k) for k in result)])
    lines = [f"{'figure':<{w}} {'value':>14}  {'target':<8} meaning", "-" * (w + 74)]
    for key, value in result.items():
        row = rows.get(key)
        found = describe(key) if row is None else None
        if found is not None:
            row = Row(key, *found)
        unit = row.unit if row else ""
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        target = ""
        if key in TARGETS:
            limit, op = TARGETS[key]
            target = f"{op} {limit:g}"
        lines.append(
            f"{key:<{w}} {shown + (' ' + unit if unit else ''):>14}  {target:<8} "
            f"{row.meaning if row else ''}"
        )
    return "\n".join(lines)
