"""`nebula farm` on a LocalCluster of spawned processes: the same frames as `nebula record`,
a killed worker's chunk tried again, a resume that renders only what is missing, another
recording's folder refused, no fork of a process holding a GL context, and the missing extra."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import av
import moderngl
import numpy as np
import pytest

from nebula import cli
from nebula.farm.farm import INSTALL_HINT, LOCAL_CONFIG, farm
from nebula.farm.manifest import MANIFEST, FarmError, open_manifest
from nebula.farm.plan import arguments, chunk_folder, chunks_of
from nebula.output.codecs import PNG_PATTERN
from nebula.output.job import RecordJob
from nebula.output.png import read_png
from tests.helpers import decode_rgb, journaled_session

#: As tests/record/test_record.py: a decoded h264 frame against the still of its time.
TOLERANCE = 6.0
SIZE = "96x54"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A running cluster's address, as `--scheduler` takes it, started once for the tests that
    farm onto a cluster someone else started: two spawned workers of two threads each, as
    `dask worker` gives a thread per core unless told otherwise (one GL context a process
    still works: every chunk of a process runs on its GL thread)."""
    import dask
    from distributed import LocalCluster

    with (
        dask.config.set(LOCAL_CONFIG),
        LocalCluster(
            n_workers=2,
            threads_per_worker=2,
            processes=True,
            silence_logs=50,
            dashboard_address=":0",
        ) as cluster,
    ):
        yield str(cluster.scheduler_address)


def png_job(out: Path, frames: int = 16, **kw: object) -> RecordJob:
    from fractions import Fraction

    return RecordJob(
        out=out,
        size=(96, 54),
        fps=Fraction(8),
        total=frames,
        first=0,
        stop=frames,
        start=150.0,
        codec="png",
        **kw,  # type: ignore[arg-type]
    )


def frames_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_a_png_farm_is_byte_identical_to_record_and_an_h264_one_has_its_frames(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    span = ["--frames", "20", "--fps", "10", "--size", SIZE, "--start", "150", "--seed", "3"]
    assert cli.main(["record", *span, "--codec", "png", "--out", str(tmp_path / "one")]) == 0
    farm_png = ["--codec", "png", "--out", str(tmp_path / "many"), "--chunk", "6"]
    assert cli.main(["farm", *span, *farm_png, "--workers", "2"]) == 0
    out = capsys.readouterr()
    assert "farmed" in out.out and "20 frames" in out.out and "2 workers, 0 retries" in out.out
    assert "4 chunks rendered" in out.out  # 6 + 6 + 6 + 2
    one, many = frames_of(tmp_path / "one"), frames_of(tmp_path / "many")
    assert len(one) == 20 and one == many
    assert not chunk_folder(tmp_path / "many").exists()  # joined, then cleared away

    # h264: the single render's frame count, size, rate and timestamps; each frame its still.
    assert cli.main(["record", *span, "--out", str(tmp_path / "one.mp4")]) == 0
    assert cli.main(["farm", *span, "--out", str(tmp_path / "many.mp4"), "--chunk", "6"]) == 0

    def shape(path: Path) -> tuple[object, ...]:
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            pts = [f.pts for f in c.decode(s)]
            return s.width, s.height, s.average_rate, s.time_base, s.frames or len(pts), pts

    assert shape(tmp_path / "many.mp4") == shape(tmp_path / "one.mp4")
    decoded = decode_rgb(tmp_path / "many.mp4")
    assert len(decoded) == 20
    for k in range(20):  # every chunk's first and last frames among them
        still = read_png(tmp_path / "one" / PNG_PATTERN.format(k)).astype(np.int16)
        diff = float(np.abs(decoded[k].astype(np.int16) - still).mean())
        assert diff < TOLERANCE, f"frame {k} differs from its still by {diff:.2f}"


def _kill_first_worker(folder: Path, killed: list[int], stop: threading.Event) -> None:
    """SIGKILL the worker writing the first chunk seen in progress (its temporary's name ends
    in the writing process's pid), once."""
    while not stop.is_set():
        for p in folder.glob(".chunk-*.partial-*") if folder.exists() else ():
            pid = int(p.name.rsplit("-", 1)[1])
            if not killed and pid != os.getpid():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
        time.sleep(0.005)


@pytest.mark.slow
def test_a_worker_killed_mid_chunk_has_its_chunk_rendered_again(
    tmp_path: Path, scheduler: str
) -> None:
    from nebula.output.record import record

    record(png_job(tmp_path / "one", 24), progress=False)
    job = png_job(tmp_path / "many", 24)
    killed: list[int] = []
    stop = threading.Event()
    watcher = threading.Thread(
        target=_kill_first_worker, args=(chunk_folder(job.out), killed, stop), daemon=True
    )
    watcher.start()
    try:
        result = farm(job, chunk=8, scheduler=scheduler, progress=False, say=lambda _: None)
    finally:
        stop.set()
        watcher.join()
    assert killed, "no chunk was seen in progress"
    assert result.retries >= 1
    assert frames_of(tmp_path / "many") == frames_of(tmp_path / "one")


@pytest.mark.slow
def test_a_failing_chunk_stops_the_farm_and_a_rerun_resumes_only_what_is_missing(
    tmp_path: Path, scheduler: str
) -> None:
    from nebula.output.record import record

    record(png_job(tmp_path / "one"), progress=False)
    job = png_job(tmp_path / "many")
    folder = chunk_folder(job.out)
    chunks = chunks_of(job, 4)
    open_manifest(folder, arguments(job, 4))  # the folder as the farm starts it
    # A file where chunk 2's frame folder must go: it cannot be put in place, every try.
    blocker = folder / chunks[2].name
    blocker.write_text("in the way", encoding="utf-8")
    with pytest.raises(FarmError) as err:
        farm(job, chunk=4, scheduler=scheduler, retries=1, progress=False, say=lambda _: None)
    line = str(err.value)
    assert chunks[2].name in line and "frames 8:12" in line and "failed 2 times" in line
    assert "\n" not in line
    assert not job.out.exists()  # nothing joined from an incomplete set
    kept = {c.name for c in chunks if (folder / c.name).is_dir()}
    assert kept == {c.name for c in chunks} - {chunks[2].name}

    # Another recording into the same folder: refused, naming what differs.
    other = png_job(tmp_path / "many", seed=5)
    with pytest.raises(FarmError, match=r"another recording \(seed 5 \(not 0\)\)"):
        farm(other, chunk=4, scheduler=scheduler, progress=False, say=lambda _: None)

    blocker.unlink()
    said: list[str] = []
    result = farm(job, chunk=4, scheduler=scheduler, progress=False, say=said.append)
    assert (result.rendered, result.resumed) == (1, 3)
    assert any("3 of 4 chunks done and verified" in s for s in said)
    assert frames_of(tmp_path / "many") == frames_of(tmp_path / "one")


def test_a_chunk_changed_on_disk_is_not_taken_as_done(tmp_path: Path) -> None:
    job = png_job(tmp_path / "many", 8)
    folder = chunk_folder(job.out)
    chunk = chunks_of(job, 4)[0]
    m = open_manifest(folder, arguments(job, 4))
    (folder / chunk.name).mkdir()
    (folder / chunk.name / PNG_PATTERN.format(0)).write_bytes(b"frame")
    from nebula.farm.manifest import checksum

    m.done[chunk.name] = {"frames": [0, 4], "sha256": checksum(folder / chunk.name)}
    m.save()
    again = open_manifest(folder, arguments(job, 4))
    assert again.verified(chunk)
    (folder / chunk.name / PNG_PATTERN.format(0)).write_bytes(b"fRame")  # bit rot, a bad copy
    assert not again.verified(chunk)
    # A folder that is not a farm's is never written into.
    stray = tmp_path / "stray.chunks"
    stray.mkdir()
    (stray / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FarmError, match="not a farm's chunk folder"):
        open_manifest(stray, arguments(job, 4))
    assert not (stray / MANIFEST).exists()


def _context_in_forked_child(q: multiprocessing.Queue[str]) -> None:
    from nebula.render.context import headless_context

    try:
        headless_context()
        q.put("made a context")
    except Exception as e:
        q.put(f"{type(e).__name__}: {e}")


def test_a_context_in_a_process_forked_from_one_holding_a_context_is_refused(
    ctx: moderngl.Context,
) -> None:
    """EGL hangs in a forked child of a process with a context: refused at once, not hung."""
    fork = multiprocessing.get_context("fork")
    q: multiprocessing.Queue[str] = fork.Queue()
    child = fork.Process(target=_context_in_forked_child, args=(q,))
    child.start()
    try:
        got = q.get(timeout=20)
    finally:
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
    assert got.startswith("ForkedContextError") and "spawn" in got, got


@pytest.mark.slow
def test_the_farm_never_forks_the_process_that_holds_a_context(
    ctx: moderngl.Context, tmp_path: Path
) -> None:
    """This process holds a GL context (the session's): the farm starts its workers without
    os.fork, and its workers make their own contexts."""
    forks: list[str] = []
    watching = [True]

    def before() -> None:
        if watching[0]:
            forks.append("fork")

    os.register_at_fork(before=before)  # os.fork and multiprocessing's fork call it; exec not
    try:
        job = png_job(tmp_path / "out", 4)
        result = farm(job, chunk=2, workers=2, progress=False, say=lambda _: None)
    finally:
        watching[0] = False
    assert forks == []
    assert result.rendered == 2 and len(list((tmp_path / "out").iterdir())) == 4


def test_without_dask_farm_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    rc = cli.main(["farm", "--frames", "4", "--size", SIZE, "--out", str(tmp_path / "a.mp4")])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.strip() == f"nebula farm: error: {INSTALL_HINT}"
    assert "pip install 'nebula[farm]'" in err
    assert list(tmp_path.iterdir()) == []


def test_farm_refuses_bad_options_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["farm", "--frames", "10", "--size", SIZE, "--out", str(tmp_path / "a.mp4")]
    for extra, message in (
        (["--chunk", "0"], "--chunk 0: must be 1 to"),
        (["--chunk", "-3"], "--chunk -3: must be 1 to"),
        (["--workers", "0"], "--workers 0: must be 1 to"),
    ):
        assert cli.main([*base, *extra]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
    with pytest.raises(SystemExit):  # argparse: --scheduler and --workers exclude each other
        cli.main([*base, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert list(tmp_path.iterdir()) == []


def test_workers_spread_over_the_gpus_by_their_ordinal(monkeypatch: pytest.MonkeyPatch) -> None:
    from nebula.farm.worker import DEVICE_ENV, device_for

    monkeypatch.delenv(DEVICE_ENV, raising=False)
    assert [device_for(k, 4) for k in range(6)] == [0, 1, 2, 3, 0, 1]  # LocalCluster's names
    assert device_for("tcp://10.0.0.7:40000", None) is None  # one GPU: EGL's default device
    assert device_for(3, 1) is None
    # dask-jobqueue's names end in the process's index on its node; `dask worker --name`.
    assert [device_for(f"SLURMCluster-12-{k}", 4) for k in range(4)] == [0, 1, 2, 3]
    assert device_for("gpu-3", 2) == 1
    assert device_for("tcp://10.0.0.7:40001", 4) == 1  # unnamed: its address, by the port
    other = device_for("render-host", 4)
    assert other in range(4) and other == device_for("render-host", 4)  # stable
    monkeypatch.setenv(DEVICE_ENV, "1")  # set by whoever started the worker: it wins
    assert device_for(0, 4) == 1


def test_a_scheduler_that_is_not_there_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from nebula.farm import farm as farm_module

    monkeypatch.setattr(farm_module, "CONNECT_TIMEOUT", 0.5)
    with socket.socket() as s:  # a free port, closed again: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    job = png_job(tmp_path / "out", 4)
    with pytest.raises(
        FarmError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"
    ):
        farm(job, chunk=2, scheduler=f"tcp://127.0.0.1:{port}", progress=False, say=print)
    assert list(tmp_path.iterdir()) == []  # no output, and no chunk folder with nothing in it


@pytest.mark.slow
def test_a_journaled_session_farms_to_the_frames_record_gives(
    ctx: moderngl.Context, tmp_path: Path, scheduler: str
) -> None:
    """`nebula farm --journal`: every chunk replays the session's events on their steps (a
    worker's Piece steps on from chunk to chunk; a chunk earlier than its last starts anew)."""
    journaled_session(ctx, tmp_path / "s.jsonl")
    args = ["--journal", str(tmp_path / "s.jsonl"), "--codec", "png", "--fps", "8", "--size", SIZE]
    assert cli.main(["record", *args, "--out", str(tmp_path / "one")]) == 0
    farmed = [*args, "--out", str(tmp_path / "many"), "--chunk", "3", "--scheduler", scheduler]
    assert cli.main(["farm", *farmed]) == 0
    one, many = frames_of(tmp_path / "one"), frames_of(tmp_path / "many")
    assert len(one) >= 10 and one == many
