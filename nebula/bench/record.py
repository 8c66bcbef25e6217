"""The recording's figures: render speed against the whole pipeline to h264, in one run."""

from __future__ import annotations

import argparse
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from nebula.bench.figures import Figures, say

#: The record figures' rounds, alternating draw-only and recording, 60 frames each: five, as
#: three read from 0.81 to 0.91 on the same machine within the hour once the frame got faster.
RECORD_ROUNDS = 5
RECORD_FRAMES = 300


def section_record(args: argparse.Namespace) -> Figures:
    """Render and record speed at 1280x720, measured in the same run (nebula.output.record)."""
    say(
        f"record: {RECORD_ROUNDS} rounds of {RECORD_FRAMES // RECORD_ROUNDS} frames drawn, then as"
        " many recorded to h264, at 1280x720"
    )
    return dict(bench_figures())


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
