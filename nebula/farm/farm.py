"""The farm's client: plan the chunks, skip those already done and verified, submit the rest to
a Dask cluster (one given by address, or a LocalCluster of spawned processes started here),
retry a failed or killed worker's chunk elsewhere, follow the frames on one bar, and join the
chunks into the final file, renamed into place only when complete.

Nothing here renders or holds a GL context: the workers do (nebula.farm.worker).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nebula.errors import UsageError
from nebula.farm.manifest import FarmError, Manifest, digest, open_manifest
from nebula.farm.plan import DEFAULT_CHUNK, Chunk, arguments, chunk_folder, chunks_of
from nebula.farm.worker import TOPIC, ChunkDone, ChunkTask, render_chunk
from nebula.files import progress_bar
from nebula.output.job import RecordJob

INSTALL_HINT = "nebula farm needs Dask: pip install 'nebula[farm]' (dask[distributed])"
#: How many times a chunk is tried again after its worker failed or died, before the farm stops.
RETRIES = 2
#: How long a scheduler may go without a worker before the farm gives up (s).
WORKER_WAIT = 120.0
#: How long connecting to a scheduler may take (s).
CONNECT_TIMEOUT = 30.0


@dataclass(frozen=True)
class FarmResult:
    out: Path
    frames: int
    seconds: float  # wall-clock, from planning to the joined file in place
    workers: int  # the most seen at once
    retries: int
    rendered: int  # chunks rendered by this run
    resumed: int  # chunks an earlier run had finished, verified and kept


def require_dask() -> None:
    """UsageError with the install line when the ``farm`` extra is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError(INSTALL_HINT) from None


def default_workers() -> int:
    """Half the cores: each worker's software GL rasterizer uses a core or two of its own."""
    return max(1, (os.cpu_count() or 2) // 2)


def farm(
    job: RecordJob,
    *,
    chunk: int = DEFAULT_CHUNK,
    scheduler: str | None = None,
    workers: int | None = None,
    retries: int = RETRIES,
    devices: int | None = None,
    progress: bool | None = None,
    say: Callable[[str], object] = print,
) -> FarmResult:
    """Render ``job`` over a Dask cluster into ``job.out``; raises FarmError (one line) when a
    chunk keeps failing, keeping every finished chunk for a resume."""
    require_dask()
    began = time.perf_counter()
    chunks = chunks_of(job, chunk)
    folder = chunk_folder(job.out)
    fresh = not folder.exists()
    manifest = open_manifest(folder, arguments(job, chunk))
    _remove_partials(folder)
    todo = [c for c in chunks if not manifest.verified(c)]
    for c in todo:
        manifest.done.pop(c.name, None)  # in the manifest but gone or changed: render again
    resumed = len(chunks) - len(todo)
    if resumed:
        say(f"resuming: {resumed} of {len(chunks)} chunks done and verified in {folder}")
    runs = _Runs(job, folder, devices, retries, chunks, todo)
    if todo:
        try:
            with _client(scheduler, workers) as (client, dashboard):
                if dashboard:
                    say(f"Dask dashboard: {dashboard}")
                done = runs.total - sum(c.frames for c in todo)
                with progress_bar(runs.total, progress, "farming", done) as bar:
                    runs.run(client, manifest, bar)
        except BaseException:
            if fresh and not manifest.done:  # nothing to resume: leave nothing behind
                shutil.rmtree(folder, ignore_errors=True)
            raise
    _join(job, chunks, folder)
    shutil.rmtree(folder, ignore_errors=True)
    return FarmResult(
        job.out,
        len(job.frames),
        time.perf_counter() - began,
        runs.workers,
        runs.retried,
        len(todo),
        resumed,
    )


class _Runs:
    """The chunks in flight: submits them, follows their frames, tries a failed one again."""

    def __init__(
        self,
        job: RecordJob,
        folder: Path,
        devices: int | None,
        retries: int,
        chunks: list[Chunk],
        todo: list[Chunk],
    ) -> None:
        self.job, self.folder, self.devices, self.retries = job, folder, devices, retries
        self.todo = todo
        self.total = sum(c.frames for c in chunks)
        self.tries = {c.name: 0 for c in todo}
        self.counted = {c.name: 0 for c in todo}  # frames of the current try on the bar
        self.finished: set[str] = set()
        self.retried = 0
        self.workers = 0
        self._lock = threading.Lock()
        self._token = uuid.uuid4().hex[:8]  # keys unique to this run on a shared scheduler
        self._bar: Any = None
        self._manifest: Manifest | None = None
        self._recording = ""

    def run(self, client: Any, manifest: Manifest, bar: Any) -> None:
        from distributed import as_completed

        self._bar, self._manifest = bar, manifest
        self._recording = digest(manifest.arguments)
        client.subscribe_topic(TOPIC, self._on_event)
        futures = {self._submit(client, c): c for c in self.todo}
        pending = as_completed(list(futures))
        try:
            for fut in pending:
                c = futures.pop(fut)
                self._count_workers(client)
                try:
                    done: ChunkDone = fut.result()
                except Exception as e:  # the chunk's error, or KilledWorker
                    self._failed(c, e)
                    nf = self._submit(client, c)
                    futures[nf] = c
                    pending.add(nf)
                    continue
                manifest.done[c.name] = {
                    "frames": [c.first, c.stop],
                    "sha256": done.sha256,
                    "bytes": done.bytes,
                    "seconds": round(done.seconds, 3),
                    "worker": done.worker,
                }
                manifest.save()
                self._finish(c)
        finally:
            client.unsubscribe_topic(TOPIC)
            if futures:
                client.cancel(list(futures))

    def _submit(self, client: Any, c: Chunk) -> Any:
        task = ChunkTask(
            self.job, c, str(self.folder), self.devices, self.tries[c.name], self._recording
        )
        key = f"nebula-farm-{self._token}-{c.name}-try{self.tries[c.name]}"
        return client.submit(render_chunk, task, key=key, pure=False, retries=0)

    def _failed(self, c: Chunk, e: BaseException) -> None:
        with self._lock:
            self.tries[c.name] += 1
            self._bar.update(-self.counted[c.name])
            self.counted[c.name] = 0
        if self.tries[c.name] > self.retries:
            n = self.tries[c.name]
            kept = len(self._manifest.done) if self._manifest is not None else 0
            then = (
                f"the {kept} chunks finished are kept in {self.folder}: run the same command "
                "again to resume"
                if kept
                else "no chunk had finished"
            )
            raise FarmError(
                f"chunk {c.label} failed {'once' if n == 1 else f'{n} times'} (last: "
                f"{_reason(e)}); {then}"
            )
        self.retried += 1

    def _finish(self, c: Chunk) -> None:
        with self._lock:
            self.finished.add(c.name)
            self._bar.update(c.frames - self.counted[c.name])
            self.counted[c.name] = c.frames

    def _on_event(self, event: tuple[float, Any]) -> None:
        """A worker's report (Worker.log_event): frames done of one try of one chunk."""
        msg = event[1]
        if not isinstance(msg, dict):
            return
        name, done, attempt = msg.get("chunk"), msg.get("done"), msg.get("try")
        with self._lock:
            if name not in self.counted or name in self.finished:
                return
            if attempt != self.tries[name] or not isinstance(done, int):
                return  # a report from a try that has failed since
            delta = done - self.counted[name]
            if delta > 0:
                self.counted[name] = done
                self._bar.update(delta)

    def _count_workers(self, client: Any) -> None:
        try:
            n = len(client.scheduler_info().get("workers", {}))
        except Exception:  # the scheduler is busy or restarting a worker: count next time
            return
        self.workers = max(self.workers, n)


def _reason(e: BaseException) -> str:
    """A worker's failure in the words `nebula record` would use for it, on one line."""
    kind = type(e).__name__  # by name: the client loads no GL, not even its exceptions
    if kind == "KilledWorker":
        return "its worker died"
    if kind == "ShaderError":
        text = f"shader does not compile: {e}"
    elif isinstance(e, OSError):
        text = f"{e.strerror or e}" + (f": {e.filename}" if e.filename else "")
    else:
        text = str(e) or type(e).__name__
    return text.splitlines()[0] if text else type(e).__name__


@contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[tuple[Any, str | None]]:
    """A Dask client: on the scheduler at ``scheduler``, or on a LocalCluster of ``workers``
    spawned processes (one thread each) started here and closed after."""
    from distributed import Client

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as e:
            raise FarmError(
                f"cannot reach the Dask scheduler at {scheduler} ({e}); start one "
                "(`dask scheduler`) or leave --scheduler out to farm on this machine"
            ) from None
        try:
            try:
                client.wait_for_workers(1, timeout=WORKER_WAIT)
            except TimeoutError:
                raise FarmError(
                    f"the Dask scheduler at {scheduler} has had no worker for "
                    f"{WORKER_WAIT:g} s; start some with `dask worker {scheduler}`"
                ) from None
            yield client, _dashboard(client)
        finally:
            client.close()
        return
    with local_cluster(workers or default_workers()) as cluster, Client(cluster) as client:
        yield client, _dashboard(client)


#: How a local cluster's workers start and behave (dask.config keys).
LOCAL_CONFIG = {
    # Forking a process that holds a GL context hangs EGL: workers start fresh, always.
    "distributed.worker.multiprocessing-method": "spawn",
    # A worker that dies fails its chunk at once; the farm tries it again and counts it.
    "distributed.scheduler.allowed-failures": 0,
    # Dask's profiler samples every thread's stack 100 times a second, and its monitors wake
    # every 20 to 500 ms, taking the GIL from the renderer and its encoder (a 180 frame
    # 640x360 chunk: 11.0-11.7 s with them, 9.8-10.1 s with these).
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


@contextmanager
def local_cluster(workers: int) -> Iterator[Any]:
    """A LocalCluster of ``workers`` spawned processes on this machine, one thread each, each
    worker's llvmpipe given its share of the cores; LOCAL_CONFIG holds for its whole life (a
    worker that dies is restarted by its nanny, which reads the start method then)."""
    import dask
    from distributed import LocalCluster

    cores = os.cpu_count() or 2
    with dask.config.set(LOCAL_CONFIG):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.CRITICAL,
            env={"LP_NUM_THREADS": str(max(1, cores // workers))},
        )
        try:
            yield cluster
        finally:
            cluster.close()


def _dashboard(client: Any) -> str | None:
    try:
        has = "dashboard" in client.scheduler_info().get("services", {})
        return str(client.dashboard_link) if has else None
    except Exception:
        return None


def _remove_partials(folder: Path) -> None:
    """Temporaries that a killed worker left (``.NAME.partial-PID``): never a chunk."""
    for p in folder.glob(".*.partial-*"):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def _join(job: RecordJob, chunks: list[Chunk], folder: Path) -> None:
    """The chunks as the final output: joined without re-encoding (a video) or their frames
    linked into one folder (PNG); written beside ``job.out`` and renamed when complete."""
    from nebula.files import put_in_place, remove, temp_name
    from nebula.output.join import join

    parts = [folder / c.name for c in chunks]
    if not job.spec.is_sequence and len(parts) > 1:
        join(parts, job.out, force=job.force)
        return
    tmp = temp_name(job.out)
    try:
        if job.spec.is_sequence:
            tmp.mkdir()
            for part in parts:
                for frame in sorted(part.iterdir()):
                    _link_or_copy(frame, tmp / frame.name)
        else:  # one chunk: it is the whole video
            _link_or_copy(parts[0], tmp)
        put_in_place(tmp, job.out, job.force)
    except BaseException:
        remove(tmp)
        raise


def _link_or_copy(src: Path, dst: Path) -> None:
    """``dst`` as a hard link to ``src`` (no second copy of the bytes; the chunk keeps its own
    until the chunk folder goes), or a copy where the file system has no links."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
