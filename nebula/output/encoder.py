"""The encoder thread: takes rendered frames from a bounded queue, converts and encodes them at a
lower CPU priority than the renderer, and hands the buffers back (a ring allocated once)."""

from __future__ import annotations

import os
import queue
import sys
import threading
from contextlib import suppress

import numpy as np
from numpy.typing import NDArray

from nebula.output.sinks import Sink

#: How much lower the encoder thread's CPU priority is than the renderer's (see
#: _yield_cpu_to_renderer); 10 is where a busy renderer wins ~90% of a contended core.
ENCODER_NICE = 10


class Encoder(threading.Thread):
    """Takes (k, buffer) from ``work``, encodes, hands the buffer back through ``free``.

    After an error it keeps draining so the renderer never blocks; the error is re-raised in
    the main thread by ``check()``.
    """

    def __init__(self, sink: Sink, ssaa: int, size: tuple[int, int], ring: int) -> None:
        super().__init__(name="nebula-encoder", daemon=True)
        self.sink = sink
        self.ssaa = ssaa
        self.work: queue.Queue[tuple[int, NDArray[np.uint8]] | None] = queue.Queue(ring)
        self.free: queue.Queue[NDArray[np.uint8]] = queue.Queue()
        self.error: BaseException | None = None
        self._small = np.empty((size[1], size[0], 4), np.uint8) if ssaa > 1 else None

    def run(self) -> None:
        from nebula.piece import downsample

        _yield_cpu_to_renderer()
        while (item := self.work.get()) is not None:
            k, buf = item
            try:
                if self.error is None:
                    top_first = buf[::-1]  # GL rows come bottom row first
                    if self._small is not None:
                        top_first = downsample(top_first, self.ssaa, self._small)
                    self.sink.write(k, top_first)
            except BaseException as e:
                self.error = e
            finally:
                self.free.put(buf)

    def check(self) -> None:
        if self.error is not None:
            raise self.error


def _yield_cpu_to_renderer() -> None:
    """Lower the calling thread's CPU priority by ENCODER_NICE.

    On a machine without a GPU, llvmpipe's rasteriser threads and the encoder share the cores,
    and llvmpipe waits for its slowest tile: a preempted rasteriser stalls the whole frame. At a
    lower priority the encoder fills the gaps instead (record/render 0.90 against 0.87 with the
    same encoder). The queue keeps it from starving: when the ring is full the renderer waits
    and the encoder runs. Linux only, where nice is per thread and the codec's own worker
    threads, started from this one when the first frame opens it, inherit it.
    """
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    with suppress(OSError):
        os.setpriority(
            os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + ENCODER_NICE)
        )
