"""`nebula bench`: speed and memory figures, printed as a table or (``--json``) as one JSON object
on the last line of stdout.

The benchmark is a list of sections. Each section is a function that takes the parsed options
and returns a flat dict of figures; the dicts are merged into one object. To add figures (for
example render and record speed through ``nebula.output.record``), write such a function and
append it to ``SECTIONS``; nothing else changes. ``--only NAME,...`` runs a subset by section name.

Timings are medians; a ratio's two sides are measured interleaved in the same loop, so a busy
machine slows both alike. Progress goes to stderr so stdout's last line stays the JSON object.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from nebula import render_bench
from nebula.render_bench import Figures

Section = Callable[[argparse.Namespace], Figures]

#: Targets for this project's reference machine (2 cores): figure -> (limit, "<=" or ">=").
TARGETS: dict[str, tuple[float, str]] = {
    "sim_step_ms": (1.0, "<="),
    "alloc_bytes_per_step": (64.0, "<="),
    "sim_1m_vs_copy": (4.0, "<="),
    "record_vs_render_720p": (0.85, ">="),
    "osc_flood_vs_quiet": (0.9, ">="),
    **render_bench.targets(),
}

SEEK_AT = 200.0  # seconds into a cycle, for both seeks
#: The record figures' rounds, alternating draw-only and recording, 60 frames each: five, as
#: three read from 0.81 to 0.91 on the same machine within the hour once the frame got faster.
RECORD_ROUNDS = 5
RECORD_FRAMES = 300
THIRTY_DAYS = 30 * 86400.0


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
)


def _say(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def _ms(seconds: float) -> float:
    return round(seconds * 1e3, 4)


# --------------------------------------------------------------------------- sections


def section_sim(args: argparse.Namespace) -> Figures:
    """World.step at default settings: every step of one whole cycle, every phase in it."""
    from nebula.config import Settings
    from nebula.sim.world import World

    settings = Settings()
    world = World(settings)
    n = round(settings.cycle_seconds * settings.sim_hz)
    _say(f"sim: {n} steps at default settings")
    times = np.empty(n)
    clock = time.perf_counter
    for i in range(n):
        t0 = clock()
        world.step()
        times[i] = clock() - t0
    return {
        "sim_step_ms": _ms(float(np.median(times))),
        "sim_step_ms_p99": _ms(float(np.percentile(times, 99))),
        "particles": settings.particles,
    }


def section_sim_1m(args: argparse.Namespace) -> Figures:
    """One million particles: the step against a plain copy of the same bytes, interleaved."""
    from nebula.config import Settings
    from nebula.sim.world import World

    settings = Settings(particles=1_000_000)
    _say("sim_1m: building a world with 1,000,000 particles")
    world = World(settings)
    # Weave every thread and start word-birds, so the step carries all of its kinds of work.
    for who in range(settings.figures + 1):
        world.request_share(who)
    for _ in range(settings.figures + 1 + 5):
        world.step()
    pool = world.pool
    # The pool's whole state: the 64-byte records and the 12-byte birth positions beside them.
    srcs = (pool.data.view(np.uint8), pool.origin.view(np.uint8))
    dsts = tuple(np.empty_like(a) for a in srcs)
    for d, a in zip(dsts, srcs, strict=True):
        np.copyto(d, a)  # touch the pages once
    reps = 31
    steps, copies = np.empty(reps), np.empty(reps)
    clock = time.perf_counter
    _say(f"sim_1m: {reps} steps and {reps} copies, interleaved")
    for i in range(reps):
        t0 = clock()
        world.step()
        t1 = clock()
        np.copyto(dsts[0], srcs[0])
        np.copyto(dsts[1], srcs[1])
        t2 = clock()
        steps[i], copies[i] = t1 - t0, t2 - t1
    step_ms, copy_ms = float(np.median(steps)), float(np.median(copies))
    return {
        "sim_step_ms_1m": _ms(step_ms),
        "copy_ms_1m": _ms(copy_ms),
        "state_bytes_1m": pool.nbytes,
        "sim_1m_vs_copy": round(step_ms / copy_ms, 3),
    }


def section_alloc(args: argparse.Namespace) -> Figures:
    """Net bytes the step keeps per call once warm (tracemalloc sees numpy's buffers too).

    A full collection at both ends empties CPython's free lists (a bounded cache of ~2,000 small
    tuples fills in the first few thousand steps and would otherwise be counted as growth), so
    what remains is memory the steps really hold on to.
    """
    from nebula.config import Settings
    from nebula.sim.world import World

    settings = Settings()
    world = World(settings)
    world.advance_to(118.0)  # resonance: shares, threads, birds and flow all running
    steps = 1200
    for _ in range(60):  # warm caches
        world.step()
    _say(f"alloc: tracing {steps} steps")
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(steps):
            world.step()
        _, peak = tracemalloc.get_traced_memory()
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {
        "alloc_bytes_per_step": round((after - before) / steps, 2),
        "alloc_steps": steps,
        "alloc_peak_bytes": int(peak - before),
    }


def section_seek(args: argparse.Namespace) -> Figures:
    """The cost of reaching a frame from nothing: 200 s into a run against 30 days into one."""
    from nebula.config import Settings
    from nebula.sim.world import World

    settings = Settings()
    reps = 3
    near, far = np.empty(reps), np.empty(reps)
    clock = time.perf_counter
    _say(f"seek: {reps} x (t = {SEEK_AT:g} s, t = 30 days + {SEEK_AT:g} s) from a fresh world")
    for i in range(reps):
        for t, out in ((SEEK_AT, near), (THIRTY_DAYS + SEEK_AT, far)):
            world = World(settings)
            t0 = clock()
            world.advance_to(t)
            out[i] = clock() - t0
    a, b = float(np.median(near)), float(np.median(far))
    return {"seek_ms_200s": _ms(a), "seek_ms_30d": _ms(b), "seek_30d_vs_200s": round(b / a, 3)}


def section_render(args: argparse.Namespace) -> Figures:
    """Frame and per-pass times against the frozen reference (nebula.render_bench)."""
    sizes = getattr(args, "sizes", None) or render_bench.DEFAULT_SIZES
    _say(
        f"render: {', '.join(sizes)}, {len(render_bench.MOMENTS)} moments x "
        f"{render_bench.SAMPLES} frames, the reference interleaved"
    )
    return render_bench.section(sizes)


def section_window(args: argparse.Namespace) -> Figures:
    """The live loop in a real window against headless frames (needs a display: under CI or a
    headless machine, run the bench inside xvfb-run)."""
    import os

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        _say("window: no display, so no window figures (run the bench under xvfb-run for them)")
        return {}
    _say(
        f"window: {render_bench.WINDOW_ROUNDS} x {render_bench.WINDOW_SECONDS:g} s of `nebula run`,"
        " each between two headless rounds"
    )
    return render_bench.window_section()


def section_record(args: argparse.Namespace) -> Figures:
    """Render and record speed at 1280x720, measured in the same run (nebula.output.record)."""
    _say(
        f"record: {RECORD_ROUNDS} rounds of {RECORD_FRAMES // RECORD_ROUNDS} frames drawn, then as"
        " many recorded to h264, at 1280x720"
    )
    return dict(bench_figures())


#: The OSC flood: messages a second, in FLOOD_WINDOWS windows of FLOOD_WINDOW seconds each
#: alternating with as many quiet ones (20 s of flood in all). Two-second windows, not two
#: floods of 10 s between quiet rounds: this machine's frame rate drifts by more than the 10%
#: the figure is held to within half a minute, and windows that close cancel the drift.
FLOOD_RATE = 10_000
FLOOD_WINDOW = 2.0
FLOOD_WINDOWS = 10
FLOOD_SETTLE = 0.15  # seconds at the start of each window left out: the switch, not the state
FLOOD_SIZE = (640, 360)

#: The flood's sender: paused (SIGSTOP) in the quiet windows, and never making up what a pause
#: held back, so every flood window gets the rate and no burst; it prints what it sent when
#: told to end (SIGTERM).
_FLOODER = """
import signal, socket, sys, time
from pythonosc.osc_message_builder import OscMessageBuilder
port, rate = int(sys.argv[1]), float(sys.argv[2])
msgs = []
for i in range(64):
    b = OscMessageBuilder("/nebula/param/bloom")
    b.add_arg(i / 40.0)
    msgs.append(b.build().dgram)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(("127.0.0.1", port))
sent = at = 0  # messages sent; where on the rate's timeline the sender is
def end(*_):
    print(sent, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, end)
print("ready", flush=True)
t0 = time.perf_counter()
while True:
    due = int((time.perf_counter() - t0) * rate)
    at = max(at, due - int(rate * 0.01))  # after a pause: on at the rate, no catching up
    while at < due:
        try:
            sock.send(msgs[at % 64])
            sent += 1
        except OSError:  # refused: the port closed under us
            pass
        at += 1
    time.sleep(0.002)
"""


def section_osc(args: argparse.Namespace) -> Figures:
    """The live show's frame rate while OSC floods it at FLOOD_RATE messages a second, against
    the same show without, in alternating windows, headless at FLOOD_SIZE. The flood comes from
    another process on loopback."""
    import signal
    import subprocess

    from nebula.app.show import Show
    from nebula.config import Settings
    from nebula.control.osc import OscProcess
    from nebula.render.context import headless_context

    _say(
        f"osc: {FLOOD_WINDOWS} windows of {FLOOD_WINDOW:g} s of {FLOOD_RATE} messages a second,"
        f" each after a quiet one, {FLOOD_SIZE[0]}x{FLOOD_SIZE[1]}"
    )
    ctx = headless_context()
    show = Show(ctx, FLOOD_SIZE, Settings(), now_wall=time.perf_counter(), clock_offset=130.0)
    server = OscProcess(show.post, 0).start()

    def frames(seconds: float) -> list[float]:
        """Frame times over ``seconds`` of the live loop (frame, then finish), but the first
        FLOOD_SETTLE seconds."""
        t0 = last = time.perf_counter()
        out = []
        while last - t0 < seconds:
            show.frame(last)
            show.ctx.finish()
            now = time.perf_counter()
            if now - t0 >= FLOOD_SETTLE:
                out.append(now - last)
            last = now
        return out

    cmd = [sys.executable, "-c", _FLOODER, str(server.address[1]), str(FLOOD_RATE)]
    flooder = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert flooder.stdout is not None
        flooder.stdout.readline()  # "ready": its interpreter has started
        flooder.send_signal(signal.SIGSTOP)
        frames(2.0)  # warm up: shaders, the world at its moment
        quiet: list[float] = []
        flood: list[float] = []
        for _ in range(FLOOD_WINDOWS):
            quiet += frames(FLOOD_WINDOW)
            flooder.send_signal(signal.SIGCONT)
            flood += frames(FLOOD_WINDOW)
            flooder.send_signal(signal.SIGSTOP)
        flooder.send_signal(signal.SIGTERM)
        flooder.send_signal(signal.SIGCONT)
        out, _ = flooder.communicate(timeout=30)
        sent = int(out.split()[-1]) if out.split() else 0
    finally:
        if flooder.poll() is None:
            flooder.kill()
            flooder.communicate()
        server.close()
        show.release()
        ctx.release()
    # Rates from the median frame time: a stray hiccup of the machine moves a mean, not this.
    quiet_fps = 1.0 / float(np.median(quiet))
    flood_fps = 1.0 / float(np.median(flood))
    return {
        "osc_quiet_fps": round(quiet_fps, 2),
        "osc_flood_fps": round(flood_fps, 2),
        "osc_flood_vs_quiet": round(flood_fps / quiet_fps, 3),
        "osc_flood_sent": sent,
        "osc_flood_taken": server.accepted,
        "osc_flood_refused": sum(server.refused.values()),
    }


#: name -> section, run in this order. Append new sections here (see the module docstring).
SECTIONS: dict[str, Section] = {
    "sim": section_sim,
    "alloc": section_alloc,
    "seek": section_seek,
    "sim_1m": section_sim_1m,
    "render": section_render,
    "window": section_window,
    "record": section_record,
    "osc": section_osc,
}


# --------------------------------------------------------------------------- running


def run_sections(args: argparse.Namespace, sections: dict[str, Section]) -> Figures:
    result: Figures = {}
    for name, fn in sections.items():
        t0 = time.perf_counter()
        result.update(fn(args))
        _say(f"{name}: done in {time.perf_counter() - t0:.1f} s")
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
        found = render_bench.describe(key) if row is None else None
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


def bench_figures(
    frames: int = RECORD_FRAMES, size: tuple[int, int] = (1280, 720), rounds: int = RECORD_ROUNDS
) -> dict[str, float]:
    """``render_fps_720p`` (draw + readback only) and ``record_fps_720p`` (the whole pipeline to
    h264 at the default crf: encoder start, every frame, flush and file closed), in one run.

    ``frames`` of each kind are split into ``rounds`` that alternate render-only and recording
    over consecutive frames of the run, and each figure is the median of its rounds: a machine
    whose load changes meanwhile skews both alike, and a burst of load skews one round only.
    Rounds are 60 frames: shorter ones are dominated by the encoder's start and its flush of
    the lookahead at the end (10-frame rounds read 0.79 of render speed where 60 read 0.85).
    """
    from nebula.config import Settings
    from nebula.output.job import RecordJob
    from nebula.output.record import record
    from nebula.piece import Piece

    fps = Fraction(60)
    start = 80.0
    per = max(1, frames // rounds)
    render_fps: list[float] = []
    record_fps: list[float] = []
    with Piece(Settings(), None, size) as piece, tempfile.TemporaryDirectory() as d:
        piece.render(start)  # compile shaders and step the world to the start: not timed
        buf = np.empty((size[1], size[0], 4), np.uint8)
        for r in range(rounds):
            # Frames run forward throughout, so the world never restarts its cycle.
            first = 2 * r * per
            began = time.perf_counter()
            for k in range(first, first + per):
                piece.draw(start + k / float(fps))
                piece.read_into(buf)
            render_fps.append(per / (time.perf_counter() - began))
            job = RecordJob(
                out=Path(d) / "bench.mp4",
                size=size,
                fps=fps,
                total=first + 2 * per,
                first=first + per,
                stop=first + 2 * per,
                start=start,
                force=True,
            )
            record_fps.append(record(job, piece=piece, progress=False).fps)
    render, rec = float(np.median(render_fps)), float(np.median(record_fps))
    return {
        "render_fps_720p": round(render, 3),
        "record_fps_720p": round(rec, 3),
        "record_vs_render_720p": round(rec / render, 3),  # target >= 0.85
    }
