"""`nebula farm`: record's arguments plus where to farm -> nebula.farm -> an exit status."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from nebula.cli.args import UsageError, describe_failure
from nebula.cli.record import (
    Stopped,
    add_record_arguments,
    job_from_args,
    stop_signals_raise,
    summary,
)
from nebula.farm.plan import DEFAULT_CHUNK, chunk_folder
from nebula.output.job import RecordResult

MAX_WORKERS = 4096
MAX_CHUNK = 1_000_000


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "farm",
        help="record over a Dask cluster: chunks on many processes or machines, then joined",
        description="Record as `nebula record` does, in chunks rendered on a Dask cluster and "
        "joined without re-encoding. Chunks go to OUT.chunks beside --out (storage every "
        "worker sees at the same path); running the same command again resumes, rendering "
        "only the chunks not yet done. Needs the farm extra: pip install 'nebula[farm]'.",
    )
    add_record_arguments(p)
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running Dask scheduler (tcp://host:8786): SSHCluster, dask-jobqueue, "
        "Kubernetes, or `dask scheduler` and `dask worker` by hand",
    )
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="without --scheduler: a local cluster of N processes (default half the cores)",
    )
    p.add_argument(
        "--chunk",
        type=int,
        default=DEFAULT_CHUNK,
        metavar="FRAMES",
        help=f"frames per chunk (default {DEFAULT_CHUNK})",
    )
    p.add_argument(
        "--retries",
        type=int,
        default=2,
        metavar="N",
        help="times a chunk whose worker failed or died is tried again (default 2)",
    )
    p.add_argument(
        "--devices",
        type=int,
        metavar="N",
        help="GPUs (EGL devices) per host: a worker whose name ends in k renders on device "
        "k mod N (or set NEBULA_EGL_DEVICE on each worker)",
    )
    p.set_defaults(func=cmd_farm)


def cmd_farm(args: argparse.Namespace) -> int:
    from nebula.farm.farm import farm, require_dask
    from nebula.farm.manifest import FarmError

    require_dask()
    job = job_from_args(args)
    # Workers on other machines read and write these paths: make them absolute.
    job = dataclasses.replace(
        job,
        out=job.out.resolve(),
        journal=job.journal.resolve() if job.journal is not None else None,
    )
    if not 1 <= args.chunk <= MAX_CHUNK:
        raise UsageError(f"--chunk {args.chunk}: must be 1 to {MAX_CHUNK} frames")
    chunk = min(args.chunk, job.stop - job.first)  # a span shorter than a chunk is one chunk
    if args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
        raise UsageError(f"--workers {args.workers}: must be 1 to {MAX_WORKERS}")
    if not 0 <= args.retries <= 100:
        raise UsageError(f"--retries {args.retries}: must be 0 to 100")
    if args.devices is not None and not 1 <= args.devices <= 64:
        raise UsageError(f"--devices {args.devices}: must be 1 to 64")
    folder = chunk_folder(job.out)
    kept = f"finished chunks are kept in {folder}: run the same command to resume"
    try:
        with stop_signals_raise():
            result = farm(
                job,
                chunk=chunk,
                scheduler=args.scheduler,
                workers=args.workers,
                retries=args.retries,
                devices=args.devices,
                say=lambda line: print(f"nebula farm: {line}", file=sys.stderr),
            )
    except FarmError as e:
        print(f"nebula farm: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"nebula farm: interrupted; {kept}", file=sys.stderr)
        return 130
    except Stopped as e:
        print(f"nebula farm: stopped by {e}; {kept}", file=sys.stderr)
        return 128 + e.signum
    except OSError as e:
        print(f"nebula farm: error: {describe_failure(e, job.out)}; {kept}", file=sys.stderr)
        return 1
    done = RecordResult(result.out, result.frames, result.seconds)
    print(
        f"{summary(job, done, 'farmed')}; {_count(result.workers, 'worker')}, "
        f"{_count(result.retries, 'retry', 'retries')}, {_count(result.rendered, 'chunk')} "
        f"rendered, {result.resumed} resumed"
    )
    return 0


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
