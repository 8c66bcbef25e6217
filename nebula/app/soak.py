"""The soak: many frames of the per-frame loop headless, memory and GL objects measured.

After a warm-up (shader compiles, first allocations, caches filling, one frame in every phase of
the arc so objects made on first use already exist), it records RSS and the
live GL object count, runs ``frames`` more frames and records them again. Every frame does what
a live frame does in installation mode: advance the world, draw, present, wait for the GPU,
feed the frame-time stats, and every few seconds read the picture back for the heartbeat.
A leak shows as ``rss_end_mb - rss_start_mb`` or ``gl_objects_end - gl_objects_start`` that
grows with ``frames``.
"""

from __future__ import annotations

import gc
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nebula.config import Settings
from nebula.gallery.health import FrameStats, rss_mb
from nebula.render.context import live_objects
from nebula.resources import shaders_dir
from nebula.signature import frame_signature

FPS = 60.0


@dataclass(frozen=True)
class SoakResult:
    frames: int
    warmup: int
    size: tuple[int, int]
    rss_start_mb: float
    rss_end_mb: float
    gl_objects_start: int
    gl_objects_end: int
    frame_ms_p50: float
    frame_ms_p99: float
    loop: str
    #: RSS (MiB) every ``trace_every`` measured frames: a leak climbs, a warm-up plateau is flat.
    rss_trace_mb: tuple[float, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "rss_start_mb": round(self.rss_start_mb, 2),
            "rss_end_mb": round(self.rss_end_mb, 2),
            "rss_growth_mb": round(self.rss_end_mb - self.rss_start_mb, 2),
            "rss_trace_mb": [round(x, 1) for x in self.rss_trace_mb],
            "gl_objects_start": self.gl_objects_start,
            "gl_objects_end": self.gl_objects_end,
            "frame_ms_p50": round(self.frame_ms_p50, 3),
            "frame_ms_p99": round(self.frame_ms_p99, 3),
            "frames": self.frames,
            "warmup": self.warmup,
            "size": f"{self.size[0]}x{self.size[1]}",
            "loop": self.loop,
        }


#: Moments of the reference arc (s) to draw once before counting: one in every phase, with
#: threads and shares, so objects a pass makes on first use (a VAO the first time there are
#: threads to draw) exist before the count starts and are not taken for a leak.
ARC_MOMENTS = (15.0, 45.0, 80.0, 130.0, 190.0, 225.0)


def warm_arc(
    world: Any, renderer: Any, params: Mapping[str, float], offset: float, cycle: float
) -> None:
    """Draw one frame at each of ``ARC_MOMENTS`` (scaled to the cycle), then rewind the world."""
    from nebula.render.frame import FrameTime

    for m in ARC_MOMENTS:
        t = offset + m * cycle / 240.0
        world.advance_to(t)
        renderer.draw(world, params, FrameTime(t, cycle))
    world.advance_to(offset)  # earlier than now: the world starts its cycle afresh


def run_soak(
    frames: int,
    size: tuple[int, int],
    *,
    warmup: int = 300,
    offset: float = 0.0,
    seed: int = 0,
    loop: str = "show",
    heartbeat: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> SoakResult:
    """``loop="show"``: the live loop's own frame (nebula.app.show.Show presenting into an
    offscreen framebuffer the size of a window, HUD hidden, inside ``Installation.frame`` with a
    heartbeat); ``loop="headless"``: the offline pipeline (Piece) alone."""
    from nebula.render.context import headless_context

    stats = FrameStats(capacity=max(1, frames))
    ctx = headless_context()
    release: list[Callable[[], None]] = [ctx.release]
    try:
        frame = _show_frame if loop == "show" else _headless_frame
        step = frame(ctx, size, seed, offset, heartbeat, release)
        for k in range(warmup):
            step(k)
        gc.collect()
        rss0, gl0 = rss_mb(), live_objects(ctx)
        trace = [rss0]
        trace_every = max(1, frames // 10)
        for i in range(frames):
            t0 = time.perf_counter()
            step(warmup + i)
            stats.add(time.perf_counter() - t0)
            if (i + 1) % trace_every == 0:
                trace.append(rss_mb())
            if progress is not None and i % 600 == 0:
                progress(i)
        gc.collect()
        rss1, gl1 = rss_mb(), live_objects(ctx)
    finally:
        for f in reversed(release):
            f()
    return SoakResult(
        frames=frames,
        warmup=warmup,
        size=size,
        rss_start_mb=rss0,
        rss_end_mb=rss1,
        gl_objects_start=gl0,
        gl_objects_end=gl1,
        frame_ms_p50=stats.percentile_ms(50),
        frame_ms_p99=stats.percentile_ms(99),
        loop=loop,
        rss_trace_mb=tuple(trace),
    )


def _show_frame(
    ctx: Any,
    size: tuple[int, int],
    seed: int,
    offset: float,
    heartbeat: Path | None,
    release: list[Callable[[], None]],
) -> Callable[[int], None]:
    from nebula.app.live import LiveOptions, open_show
    from nebula.gallery.installation import Installation
    from nebula.gallery.options import GalleryOptions

    screen_tex = ctx.texture(size, 4)
    screen = ctx.framebuffer([screen_tex])
    release += [screen_tex.release, screen.release]
    # A private copy of the shaders: the show polls them for hot reload, and an edit in the
    # working tree during a long soak must not change what is measured.
    tmp = tempfile.TemporaryDirectory(prefix="nebula-soak-")
    release.append(tmp.cleanup)
    shaders = Path(tmp.name) / "shaders"
    shutil.copytree(shaders_dir(), shaders)
    options = LiveOptions(
        settings=Settings(seed=seed), clock_offset=offset, shader_root=shaders, hud_visible=False
    )
    show = open_show(ctx, size, options, screen=screen, now_wall=0.0)
    release.append(show.release)
    warm_arc(show.world, show.renderer, show.params.values, offset, show.settings.cycle_seconds)
    log = logging.getLogger("nebula.soak")
    log.addHandler(logging.NullHandler())
    log.propagate = False
    inst = Installation(show, GalleryOptions(heartbeat=heartbeat), log=log)

    def step(k: int) -> None:
        now = k / FPS
        inst.frame(now, lambda: show.frame(now))
        ctx.finish()  # count the GPU's work in the frame, as a buffer flip would

    return step


def _headless_frame(
    ctx: Any,
    size: tuple[int, int],
    seed: int,
    offset: float,
    heartbeat: Path | None,
    release: list[Callable[[], None]],
) -> Callable[[int], None]:
    from nebula.piece import Piece

    piece = Piece(Settings(seed=seed), None, size, ctx=ctx)
    release.append(piece.close)
    warm_arc(piece.world, piece.renderer, piece.params.values, offset, piece.settings.cycle_seconds)

    def step(k: int) -> None:
        piece.draw(offset + k / FPS)
        if k % 120 == 0:
            frame_signature(piece.renderer.read())
        ctx.finish()

    return step


def consecutive_differences(
    offset: float,
    start: float,
    count: int,
    size: tuple[int, int],
    *,
    seed: int = 0,
    params: Mapping[str, float] | None = None,
    time_map: Callable[[float], float] = float,
) -> NDArray[np.float64]:
    """Mean absolute difference (0..255) between consecutive 60 Hz frames from offset + start.

    ``time_map`` lets a test degrade the clock (for example to float32) to show the measure
    notices when motion stutters.
    """
    from nebula.piece import Piece

    out = np.empty(count, dtype=np.float64)
    with Piece(Settings(seed=seed), params, size) as piece:
        prev = piece.render(time_map(offset + start)).astype(np.int16)
        for k in range(count):
            cur = piece.render(time_map(offset + start + (k + 1) / FPS)).astype(np.int16)
            out[k] = float(np.abs(cur - prev).mean())
            prev = cur
    return out
