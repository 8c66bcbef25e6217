"""The simulation's figures: a step, a step with a million particles, its allocations, a seek."""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import numpy as np

from nebula.bench.figures import Figures, ms, say

SEEK_AT = 200.0  # seconds into a cycle, for both seeks
THIRTY_DAYS = 30 * 86400.0


def section_sim(args: argparse.Namespace) -> Figures:
    """World.step at default settings: every step of one whole cycle, every phase in it."""
    from nebula.config import Settings
    from nebula.sim.world import World

    settings = Settings()
    world = World(settings)
    n = round(settings.cycle_seconds * settings.sim_hz)
    say(f"sim: {n} steps at default settings")
    times = np.empty(n)
    clock = time.perf_counter
    for i in range(n):
        t0 = clock()
        world.step()
        times[i] = clock() - t0
    return {
        "sim_step_ms": ms(float(np.median(times))),
        "sim_step_ms_p99": ms(float(np.percentile(times, 99))),
        "particles": settings.particles,
    }


def section_sim_1m(args: argparse.Namespace) -> Figures:
    """One million particles: the step against a plain copy of the same bytes, interleaved."""
    from nebula.config import Settings
    from nebula.sim.world import World

    settings = Settings(particles=1_000_000)
    say("sim_1m: building a world with 1,000,000 particles")
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
    say(f"sim_1m: {reps} steps and {reps} copies, interleaved")
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
        "sim_step_ms_1m": ms(step_ms),
        "copy_ms_1m": ms(copy_ms),
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
    say(f"alloc: tracing {steps} steps")
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
    say(f"seek: {reps} x (t = {SEEK_AT:g} s, t = 30 days + {SEEK_AT:g} s) from a fresh world")
    for i in range(reps):
        for t, out in ((SEEK_AT, near), (THIRTY_DAYS + SEEK_AT, far)):
            world = World(settings)
            t0 = clock()
            world.advance_to(t)
            out[i] = clock() - t0
    a, b = float(np.median(near)), float(np.median(far))
    return {"seek_ms_200s": ms(a), "seek_ms_30d": ms(b), "seek_30d_vs_200s": round(b / a, 3)}
