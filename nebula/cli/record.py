"""`nebula record`: arguments -> a checked RecordJob -> nebula.output.record -> an exit status.

SIGTERM and SIGHUP (job runners, `timeout`) end a recording as Ctrl+C does: the partial output
is removed and the status is 128 + the signal; a second one during that cleanup is ignored.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nebula.cli.args import (
    MAX_SIZE,
    UsageError,
    add_common,
    add_ndi,
    add_start,
    add_wall,
    check_out,
    describe_failure,
    load_preset_arg,
    log_to_stderr,
    ndi_from_args,
    parse_size,
    settings_from_args,
    size_source,
    tile_from_args,
)
from nebula.errors import RecordError
from nebula.output.codecs import CODECS, CodecSpec
from nebula.output.job import RecordJob, RecordResult
from nebula.output.record import record

if TYPE_CHECKING:
    from nebula.control.journal import Journal

MAX_FPS = 1000.0
#: One frame every 100 s: slower than any time-lapse needs, and a time base every codec takes.
MIN_FPS = 0.01
MAX_FRAMES = 100_000_000


def parse_fps(text: str) -> Fraction:
    """A frame rate as an exact fraction (60, 29.97, 30000/1001), so timestamps never drift."""
    try:
        fps = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"--fps {text!r} is not a number (for example 60 or 30000/1001)") from None
    if not MIN_FPS <= fps <= MAX_FPS:
        raise UsageError(f"--fps {text!r}: must be between {MIN_FPS:g} and {MAX_FPS:g}")
    return fps.limit_denominator(1_000_000)


def parse_frame_range(text: str, total: int) -> tuple[int, int]:
    """``A:B`` -> frames A to B-1 of the span; ``A:`` runs to the end, ``:B`` from the start."""
    a_text, sep, b_text = text.partition(":")
    try:
        if not sep:
            raise ValueError
        a = int(a_text) if a_text.strip() else 0
        b = int(b_text) if b_text.strip() else total
    except ValueError:
        raise UsageError(f"--frame-range {text!r} is not A:B (for example 0:600)") from None
    if not 0 <= a < b <= total:
        raise UsageError(
            f"--frame-range {text!r}: need 0 <= A < B <= {total} (the span has {total} frames)"
        )
    return a, b


def job_from_args(args: argparse.Namespace) -> RecordJob:
    """Check every argument (raising UsageError with one line) before anything renders."""
    spec = CODECS[args.codec]
    tile = tile_from_args(args)
    if args.size is None:
        args.size = "x".join(map(str, tile.size)) if tile else "1920x1080"
    size = parse_size(args.size)
    if spec.needs_even_size and (size[0] % 2 or size[1] % 2):
        raise UsageError(
            f"--size {args.size!r}: {spec.name} stores colour at half resolution (yuv420p), so "
            "width and height must be even; try "
            f"{size[0] + size[0] % 2}x{size[1] + size[1] % 2}, or --codec prores or png"
        )
    fps = parse_fps(args.fps)
    journal = _journal_span(args) if args.journal is not None else None
    if args.seconds is None and args.frames is None:
        raise UsageError("give the span's length: --seconds S or --frames N (or a --journal)")
    total = _frame_count(args, fps)
    first, stop = parse_frame_range(args.frame_range, total) if args.frame_range else (0, total)
    _check_ssaa(args.ssaa, size, args.size)
    _check_crf(args.crf, spec)
    out = check_out(Path(args.out), spec, args.force)
    if spec.encoder:
        import av

        if spec.encoder not in av.codecs_available:
            raise UsageError(f"--codec {spec.name}: this PyAV build has no {spec.encoder} encoder")
    preset = load_preset_arg(args.preset)
    settings = settings_from_args(args)  # checks the seed
    if journal is not None:
        settings = journal.settings
    return RecordJob(
        out=out,
        size=size,
        fps=fps,
        total=total,
        first=first,
        stop=stop,
        start=args.start,
        clock_offset=args.clock_offset,
        seed=settings.seed,
        params=preset.params if preset else None,
        journal=args.journal,
        ssaa=args.ssaa,
        codec=spec.name,
        crf=args.crf,
        force=args.force,
        tile=tile,
    )


def _journal_span(args: argparse.Namespace) -> Journal:
    """Read ``--journal`` (UsageError with the journal's own line when it is refused) and fill
    in the span it implies: from its start to its end unless --start, --seconds or --frames
    say otherwise; a span before its start is refused."""
    from nebula.control.journal import JournalError, read_journal

    if args.seed != 0 or args.preset is not None or args.clock_offset != 0.0:
        raise UsageError(
            "--journal sets the run and its parameters: drop --seed, --preset and --clock-offset"
        )
    try:
        journal = read_journal(args.journal)
    except JournalError as e:
        raise UsageError(str(e)) from None
    if args.start == 0.0:
        args.start = journal.start_time
    elif args.start < journal.start_time:
        raise UsageError(
            f"--start {args.start:g} is before the journal's start ({journal.start_time:g} s)"
        )
    if args.seconds is None and args.frames is None:
        args.seconds = max(journal.end_time - args.start, 1e-3)
    return journal


def _frame_count(args: argparse.Namespace, fps: Fraction) -> int:
    """The whole take's length in frames, from --frames or --seconds."""
    if args.frames is not None:
        if not 1 <= args.frames <= MAX_FRAMES:
            raise UsageError(f"--frames {args.frames}: must be 1 to {MAX_FRAMES}")
        return int(args.frames)
    seconds: float = args.seconds
    if not (math.isfinite(seconds) and seconds > 0):
        raise UsageError(f"--seconds {seconds:g}: must be above 0")
    total = round(seconds * fps)
    if not 1 <= total <= MAX_FRAMES:
        raise UsageError(
            f"--seconds {seconds:g} at {float(fps):g} fps is {total} frames; need 1 to {MAX_FRAMES}"
        )
    return total


def _check_ssaa(ssaa: int, size: tuple[int, int], size_text: str) -> None:
    from nebula.piece import MAX_SSAA  # lazily: the piece loads moderngl

    if not 1 <= ssaa <= MAX_SSAA:
        raise UsageError(f"--ssaa {ssaa}: must be 1 to {MAX_SSAA}")
    if max(size) * ssaa > MAX_SIZE:
        raise UsageError(
            f"--ssaa {ssaa} at --size {size_text}: the drawn image would be "
            f"{size[0] * ssaa}x{size[1] * ssaa}, over the {MAX_SIZE} limit"
        )


def _check_crf(crf: int | None, spec: CodecSpec) -> None:
    if crf is None:
        return
    if spec.crf is None:
        raise UsageError(f"--crf does not apply to --codec {spec.name} (it has fixed quality)")
    if not spec.crf[1] <= crf <= spec.crf[2]:
        raise UsageError(
            f"--crf {crf}: {spec.name} takes {spec.crf[1]} (best) to {spec.crf[2]} (smallest)"
        )


class Stopped(BaseException):
    """A stop signal (SIGTERM, SIGHUP) arrived while recording: cleaned up, exit 128 + signal.

    A BaseException, as KeyboardInterrupt is: a handler of any Exception must not swallow a
    stop. logging's emit is one (it reports what its write raised and goes on), and a follower
    logs every frame: a SIGTERM during a log line was printed as a traceback and ignored."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_STOP_SCOPES = 0  # how many stop_signals_raise blocks are open (the CLI opens one)
_STOPPING = False  # a stop signal arrived: later ones are ignored until the scope ends


def _on_stop_signal(signum: int, _frame: object) -> None:
    global _STOPPING
    if _STOPPING:
        return  # a second Ctrl+C or TERM must not cut the cleanup short
    _STOPPING = True
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


@contextmanager
def stop_signals_raise() -> Iterator[None]:
    """Within: SIGINT raises KeyboardInterrupt and SIGTERM or SIGHUP raise ``Stopped`` (job
    runners and `timeout` send TERM), once: any later one is ignored, so the cleanup that
    follows always finishes. The old handlers come back after."""
    global _STOP_SCOPES, _STOPPING
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    saved = {s: signal.getsignal(s) for s in signals}
    for s in signals:
        signal.signal(s, _on_stop_signal)
    _STOP_SCOPES += 1
    try:
        yield
    finally:
        _STOP_SCOPES -= 1
        if not _STOP_SCOPES:
            if _STOPPING:
                # A real stop signal came: the process is on its way out, and one more
                # Ctrl+C must not turn exit status 130 into a traceback (or -2).
                for s in signals:
                    signal.signal(s, signal.SIG_IGN)
            else:
                for s, h in saved.items():
                    signal.signal(s, h)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "record",
        help="render the piece offline into a video or PNG sequence",
        description="Render the piece offline, frame by frame, into a video or a PNG sequence. "
        "Frame k shows exactly what `nebula still --time (start + k / fps)` shows.",
    )
    add_record_arguments(p)
    add_ndi(p)  # (not farm's: its frames are a worker's)
    p.add_argument(
        "--follow",
        metavar="HOST:PORT",
        help="record the frames a wall's leader releases to --tile (with --codec png)",
    )
    p.set_defaults(func=cmd_record)


def add_record_arguments(p: argparse.ArgumentParser) -> None:
    """What a recording is: record's options, which `nebula farm` takes too."""
    span = p.add_mutually_exclusive_group()  # or --follow: the leader says how long
    span.add_argument("--seconds", type=float, metavar="S", help="length of the span to record")
    span.add_argument("--frames", type=int, metavar="N", help="length of the span, in frames")
    p.add_argument("--fps", default="60", metavar="F", help="frames per second (default 60)")
    p.add_argument(
        "--size", default=None, metavar="WxH", help="default 1920x1080; a --tile's own size"
    )
    add_start(p)
    p.add_argument(
        "--ssaa", type=int, default=1, metavar="K", help="supersample K x K per pixel (1-4)"
    )
    p.add_argument("--codec", choices=list(CODECS), default="h264", help="default h264")
    crf_defaults = "/".join(str(c.crf[0]) for c in CODECS.values() if c.crf is not None)
    p.add_argument(
        "--crf", type=int, help=f"h264/h265 quality: lower is better (default {crf_defaults})"
    )
    p.add_argument(
        "--frame-range", metavar="A:B", help="only frames A to B-1 of the span (for chunks)"
    )
    p.add_argument(
        "--out", required=True, metavar="PATH", help="video file, or a folder for --codec png"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing --out")
    p.add_argument(
        "--journal",
        type=Path,
        metavar="FILE",
        help="re-render a live session from its journal (`nebula run --journal`): its run, "
        "its parameters and every event on its step; the span defaults to the whole session",
    )
    add_common(p)
    add_wall(p)


def cmd_record(args: argparse.Namespace) -> int:
    from nebula.output.ndi import NdiError
    from nebula.output.ndi_feed import record_to_ndi
    from nebula.render.context import ContextError, TargetSizeError
    from nebula.render.shaders import ShaderError

    if getattr(args, "follow", None) is not None:  # a wall's follower: the leader's frames
        ndi_from_args(args, None)  # (refused with --follow)
        return _follow(args)
    job = job_from_args(args)
    ndi = ndi_from_args(args, job.tile)
    if ndi is not None:
        log_to_stderr("nebula.ndi")
    try:
        with stop_signals_raise():
            result = record(job) if ndi is None else record_to_ndi(job, ndi)
    except TargetSizeError as e:  # nothing was written yet
        where = size_source(args, job.tile) + (f" x --ssaa {job.ssaa}" if job.ssaa > 1 else "")
        print(f"nebula record: error: {where}: {e}", file=sys.stderr)
        return 2
    except ShaderError as e:  # nothing was written yet
        print(f"nebula record: error: shader does not compile: {e}", file=sys.stderr)
        return 1
    except ContextError as e:
        print(f"nebula record: error: {e}", file=sys.stderr)
        return 1
    except NdiError as e:  # NDI would not make the source: before any frame
        print(f"nebula record: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nebula record: interrupted; partial output removed", file=sys.stderr)
        return 130
    except Stopped as e:
        print(f"nebula record: stopped by {e}; partial output removed", file=sys.stderr)
        return 128 + e.signum
    except (OSError, RecordError) as e:
        print(f"nebula record: error: {describe_failure(e, job.out)}", file=sys.stderr)
        return 1
    except Exception as e:  # anything else still ends in one line, after the cleanup
        print(
            f"nebula record: error: {type(e).__name__}: {e}; partial output removed",
            file=sys.stderr,
        )
        return 1
    print(summary(job, result))
    return 0


def _follow(args: argparse.Namespace) -> int:
    """`nebula record --follow`, stopped by a signal as a recording is: cleaned up, one line."""
    from nebula.cli.follow import record as follow_record

    try:
        with stop_signals_raise():
            return follow_record(args)
    except KeyboardInterrupt:
        print("nebula record: interrupted; partial output removed", file=sys.stderr)
        return 130
    except Stopped as e:
        print(f"nebula record: stopped by {e}; partial output removed", file=sys.stderr)
        return 128 + e.signum
    except OSError as e:
        print(f"nebula record: error: {describe_failure(e, Path(args.out))}", file=sys.stderr)
        return 1


def summary(job: RecordJob, result: RecordResult, verb: str = "wrote") -> str:
    span = result.frames / float(job.fps)
    w, h = job.size
    return (
        f"{verb} {job.out}: {result.frames} frames ({span:.2f} s at {float(job.fps):g} fps, "
        f"{w}x{h} {job.codec}) in {result.seconds:.1f} s, "
        f"{span / result.seconds:.2f}x realtime ({result.fps:.1f} fps)"
    )
