"""A recording: frames ``first`` to ``stop - 1`` of a span, rendered in order and written through
a sink, into a hidden temporary beside ``out`` that is renamed into place only when complete.

Frame k is drawn at run time ``clock_offset + (start + k / fps)`` (float64, from the frame index
(nebula.clock.frame_time), never accumulated): exactly the picture `nebula still --time
(start + k / fps)` writes. The main thread steps the world, draws and reads pixels back into a
ring of buffers allocated once; the encoder thread converts and encodes them. A bounded queue
lets rendering run ahead by a few frames and never lets memory grow. On any failure, Ctrl+C
included, the partial output is removed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from nebula.errors import RecordError
from nebula.files import progress_bar, put_in_place, remove, temp_name
from nebula.output.encoder import Encoder
from nebula.output.job import RecordJob, RecordResult
from nebula.output.sinks import PngSink, Sink, VideoSink

if TYPE_CHECKING:
    import moderngl

    from nebula.piece import Piece

#: How many frames rendering may run ahead of encoding (each holds one RGBA buffer)...
QUEUE_FRAMES = 3
#: ...fewer where frames are huge (8K with --ssaa 4 is 2 GB a frame): the ring stays under this.
RING_BYTES = 1 << 30


def make_piece(job: RecordJob, ctx: moderngl.Context | None = None) -> Piece:
    """The Piece that draws ``job``'s frames: its seed and parameters, or its journal's."""
    from nebula.config import Settings
    from nebula.piece import Piece

    if job.journal is not None:
        from nebula.replay import replay_piece

        return replay_piece(job.journal, job.size, ssaa=job.ssaa, ctx=ctx, tile=job.tile)
    return Piece(
        Settings(seed=job.seed), job.params, job.size, ssaa=job.ssaa, ctx=ctx, tile=job.tile
    )


def record(
    job: RecordJob,
    *,
    piece: Piece | None = None,
    progress: bool | None = None,
    ctx: moderngl.Context | None = None,
    on_frame: Callable[[int], object] | None = None,
) -> RecordResult:
    """Render ``job`` and write it to ``job.out``. Raises on failure, leaving nothing behind.

    ``piece`` reuses a Piece of the job's size, seed and ssaa (the benchmark does, so
    shader compilation is not timed); otherwise one is made (over ``ctx`` when given: a farm
    worker keeps one context for its life) and closed here. ``on_frame(k)`` is called as
    frame k is handed to the encoder.
    """
    own_piece = piece is None
    if piece is None:
        piece = make_piece(job, ctx)
    elif piece.size != job.size or piece.ssaa != job.ssaa:
        raise ValueError("the piece given to record() must have the job's size and ssaa")
    tmp = temp_name(job.out)
    enc: Encoder | None = None
    sink: Sink | None = None
    began = time.perf_counter()
    try:
        sink = PngSink(tmp, job) if job.spec.is_sequence else VideoSink(tmp, job)
        w, h = piece.draw_size
        depth = max(1, min(QUEUE_FRAMES, RING_BYTES // (w * h * 4) - 1))
        enc = Encoder(sink, job.ssaa, job.size, depth)
        for _ in range(depth + 1):  # the ring, allocated once: one drawing, `depth` queued
            enc.free.put(np.empty((h, w, 4), np.uint8))
        enc.start()
        with progress_bar(len(job.frames), progress) as bar:
            for k in job.frames:
                piece.draw(job.time_of(k))
                buf = enc.free.get()
                enc.check()
                piece.read_into(buf)
                enc.work.put((k, buf))
                bar.update(1)
                if on_frame is not None:
                    on_frame(k)
            enc.work.put(None)
            enc.join()
        enc.check()
        sink.close()
        put_in_place(tmp, job.out, job.force)
    except BaseException:
        if enc is not None and enc.is_alive():
            enc.error = enc.error or RecordError("stopped")  # drain without encoding
            enc.work.put(None)
            enc.join(timeout=30)
        if sink is not None:
            sink.abort()
        remove(tmp)
        raise
    finally:
        if own_piece:
            piece.close()
    return RecordResult(job.out, len(job.frames), time.perf_counter() - began)
