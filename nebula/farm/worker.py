"""One chunk on a farm worker: a recording of its frames into the shared folder, over the GL
context the worker process keeps for its life.

The context is made lazily by the first chunk, on the EGL device the worker is pinned to, in
the one thread that uses it (however many threads the worker runs tasks on), and released
there when the process exits. Workers must be spawned, never forked from a process holding
a context (EGL hangs after a fork; nebula.render.context refuses it): the farm's own cluster
spawns, and `dask worker` starts fresh processes.
"""

from __future__ import annotations

import atexit
import os
import queue
import re
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from nebula.farm.manifest import checksum
from nebula.farm.plan import Chunk, chunk_job

if TYPE_CHECKING:
    import moderngl

    from nebula.output.job import RecordJob
    from nebula.piece import Piece

T = TypeVar("T")

#: The Dask event topic workers report frames done on (Worker.log_event -> the client's bar).
TOPIC = "nebula-farm-progress"
#: How often a worker reports its frames while a chunk renders (s).
REPORT_EVERY = 0.5
#: The EGL device index a worker uses, when set in its environment (one GPU per worker).
DEVICE_ENV = "NEBULA_EGL_DEVICE"

_CONTEXT: moderngl.Context | None = None
#: The Piece the last chunk drew, by the recording it draws, and the frame it stopped before.
_PIECE: tuple[str, Piece, int] | None = None


@dataclass(frozen=True)
class ChunkTask:
    job: RecordJob  # the whole recording (its out is the final file)
    chunk: Chunk
    folder: str
    #: EGL devices (GPUs) on each worker's host, to spread workers over; None: the default.
    devices: int | None = None
    #: Which try of the chunk this is (0 first): its reports name it, so the client drops a
    #: failed try's late ones.
    attempt: int = 0
    #: The recording's digest (the manifest's): chunks of the same one may share a Piece.
    recording: str = ""


@dataclass(frozen=True)
class ChunkDone:
    chunk: Chunk
    sha256: str
    bytes: int
    seconds: float
    worker: str
    pid: int


def device_for(worker_name: object, devices: int | None) -> int | None:
    """The EGL device a worker renders on: $NEBULA_EGL_DEVICE where set, else the number its
    name ends in modulo ``devices``; None (EGL's default device) with one device or none."""
    env = os.environ.get(DEVICE_ENV, "").strip()
    if env:
        return int(env)
    if not devices or devices <= 1:
        return None
    name = str(worker_name)
    # The number a name ends in: LocalCluster's 0, 1, ...; dask-jobqueue's process index on
    # its node (SLURMCluster-12-3); `dask worker --name gpu-2`. Other names spread by hash.
    digits = re.search(r"(\d+)$", name)
    ordinal = int(digits.group(1)) if digits else zlib.crc32(name.encode())
    return ordinal % devices


class _GLThread:
    """The one thread of this process that holds its GL context. An EGL context is current in
    one thread at a time, and Dask runs tasks on as many threads as a worker has (`dask
    worker` gives it one per core by default): every chunk runs here, one after another."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="nebula-gl", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None:
            fn, future = item
            try:
                future.set_result(fn())
            except BaseException as e:
                future.set_exception(e)

    def call(self, fn: Callable[[], T]) -> T:
        future: Future[T] = Future()
        self._jobs.put((fn, future))
        return future.result()

    def stop(self) -> None:
        """Release the context in its own thread, then end the thread (at the process's exit)."""
        with suppress(Exception):
            self.call(_release)
        self._jobs.put(None)
        self._thread.join(timeout=10)


_GL: _GLThread | None = None
_GL_LOCK = threading.Lock()


def gl_thread() -> _GLThread:
    global _GL
    with _GL_LOCK:
        if _GL is None:
            _GL = _GLThread()
            atexit.register(_GL.stop)
        return _GL


def worker_context(device: int | None) -> moderngl.Context:
    """This process's GL context: made by the first chunk, kept; on the GL thread only."""
    global _CONTEXT
    if _CONTEXT is None:
        from nebula.render.context import headless_context

        _CONTEXT = headless_context(device)
    return _CONTEXT


def worker_piece(key: str, job: RecordJob, ctx: moderngl.Context) -> Piece:
    """A Piece for chunk ``job`` of the recording ``key`` names: the last chunk's when it
    draws the same recording and this chunk comes later (its world steps on from where it
    stood, as one recording's does, and no shader compiles again), else a new one over the
    worker's context."""
    global _PIECE
    from nebula.output.record import make_piece

    if _PIECE is not None:
        had, piece, stop = _PIECE
        if had == key and job.first >= stop:
            return piece
        _PIECE = None
        piece.close()
    piece = make_piece(job, ctx)
    _PIECE = (key, piece, job.first)
    return piece


def _release() -> None:
    global _CONTEXT, _PIECE
    if _PIECE is not None:
        _PIECE[1].close()
        _PIECE = None
    if _CONTEXT is not None:
        _CONTEXT.release()
        _CONTEXT = None


def render_chunk(task: ChunkTask) -> ChunkDone:
    """Record the task's chunk into its folder (a temporary name, renamed when complete, as
    every recording), on this process's GL thread, reporting frames done on TOPIC; returns
    its checksum."""
    worker = _dask_worker()
    name = str(worker.name) if worker is not None else "local"
    return gl_thread().call(lambda: _render(task, worker, name))


def _render(task: ChunkTask, worker: Any, name: str) -> ChunkDone:
    from pathlib import Path

    from nebula.output.record import record

    ctx = worker_context(device_for(name, task.devices))
    job = chunk_job(task.job, task.chunk, Path(task.folder))
    last = [time.monotonic(), 0]

    def on_frame(k: int) -> None:
        done = k - task.chunk.first + 1
        now = time.monotonic()
        if worker is not None and (now - last[0] >= REPORT_EVERY or done == task.chunk.frames):
            worker.log_event(TOPIC, {"chunk": task.chunk.name, "done": done, "try": task.attempt})
            last[0] = now

    global _PIECE
    piece = worker_piece(task.recording, job, ctx)
    try:
        result = record(job, piece=piece, progress=False, on_frame=on_frame)
    except BaseException:
        _PIECE = None  # where its world stands is unknown: the next chunk makes a new one
        piece.close()
        raise
    assert _PIECE is not None
    _PIECE = (_PIECE[0], piece, job.stop)
    size = (
        sum(p.stat().st_size for p in job.out.iterdir())
        if job.out.is_dir()
        else job.out.stat().st_size
    )
    return ChunkDone(task.chunk, checksum(job.out), size, result.seconds, name, os.getpid())


def _dask_worker() -> Any:
    try:
        from distributed import get_worker

        return get_worker()
    except (ImportError, ValueError):  # not on a Dask worker (a direct call)
        return None
