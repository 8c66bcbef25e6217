"""`nebula scan`: the motion check (nebula.review.scan) from the command line."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from nebula.cli.args import (
    UsageError,
    add_common,
    add_start,
    check_output,
    fail,
    gl_failures,
    load_preset_arg,
    non_negative_seconds,
    parse_size,
    settings_from_args,
)
from nebula.files import progress_bar
from nebula.review import scan


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "scan", help="render a span frame by frame and flag flashes, jumps and bad pixels"
    )
    add_start(p)
    p.add_argument(
        "--seconds",
        type=non_negative_seconds,
        default=None,
        metavar="S",
        help="length of the span (default: one whole cycle)",
    )
    p.add_argument("--fps", type=float, default=15.0, help="frames per second (default 15)")
    p.add_argument("--size", default="160x90", metavar="WxH", help="frame size (default 160x90)")
    p.add_argument(
        "--ratio",
        type=float,
        default=None,
        metavar="R",
        help="a step this many times the local median is a spike (default 5)",
    )
    p.add_argument(
        "--keep-grain",
        action="store_true",
        help="scan with film grain (off by default: new noise every frame hides motion)",
    )
    p.add_argument("--plot", type=Path, metavar="FILE.png", help="also draw the steps as a chart")
    p.add_argument("--force", action="store_true", help="overwrite an existing --plot")
    p.add_argument("--json", action="store_true", help="end with one JSON object on a line")
    add_common(p)
    p.set_defaults(func=cmd_scan)


def _thresholds(ratio: float | None) -> scan.Thresholds:
    if ratio is None:
        return scan.Thresholds()
    if not (math.isfinite(ratio) and ratio > 1):
        raise UsageError(f"--ratio {ratio:g}: must be a number above 1")
    return scan.Thresholds(ratio=ratio)


def _plot_out(plot: Path | None, force: bool) -> Path | None:
    if plot is None:
        return None
    if plot.suffix.lower() != ".png":
        raise UsageError(f"--plot {str(plot)!r} must end in .png")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(
            "--plot needs matplotlib: pip install 'nebula[scan]' (or leave --plot out)"
        ) from None
    return check_output(plot, force)


def cmd_scan(args: argparse.Namespace) -> int:
    size = parse_size(args.size)
    if not (math.isfinite(args.fps) and 0 < args.fps <= 240):
        raise UsageError(f"--fps {args.fps:g}: must be above 0 and at most 240")
    th = _thresholds(args.ratio)
    plot_out = _plot_out(args.plot, args.force)
    preset = load_preset_arg(args.preset)
    settings = settings_from_args(args)
    seconds = settings.cycle_seconds if args.seconds is None else args.seconds
    count = max(2, round(seconds * args.fps))
    start = args.clock_offset + args.start
    params = dict(preset.params) if preset else {}
    if not args.keep_grain:
        params["grain"] = 0.0

    def work() -> int:
        from nebula.piece import Piece  # lazily: it loads moderngl

        with Piece(settings, params, size) as piece, progress_bar(count, None, "scanning") as bar:
            result = scan.scan(
                piece, start, count, args.fps, seed=args.seed, thresholds=th, progress=bar.update
            )
        report_scan(result, args)
        if plot_out is not None:
            try:
                scan.plot(result, plot_out)
            except OSError as e:
                return fail("scan", f"cannot write {plot_out}: {e.strerror or e}")
            print(f"wrote {plot_out}")
        if args.json:
            print(json.dumps(result.summary()))
        return 1 if result.flags else 0

    return gl_failures("scan", args.size, work)


def report_scan(result: scan.ScanResult, args: argparse.Namespace) -> None:
    """The readable summary: frames, median and worst step per region, then each flag."""
    summary = result.summary()
    w, h = result.size
    print(
        f"scanned {result.frames} frames, t = {result.start:g} to {result.times[-1]:.2f} s, "
        f"{w}x{h} at {args.fps:g} fps, seed {args.seed}"
    )
    for r in scan.REGIONS:
        if f"median_{r}" in summary:
            print(
                f"  {r:6}  median step {summary[f'median_{r}']:.3f}, "
                f"worst {summary[f'worst_{r}']:.3f} at t = {summary[f'worst_{r}_t']:.2f} s"
            )
    print(
        f"  non-finite frames {summary['nonfinite_frames']}, "
        f"largest black share {summary['max_black_share']:.4f}"
    )
    if not result.flags:
        print("nothing flagged")
        return
    print(f"{len(result.flags)} flagged:")
    for f in result.flags:
        judged = f" ({f.value / f.baseline:.1f}x the local median)" if f.baseline > 0 else ""
        print(f"  frame {f.frame} t = {f.t:.3f} s: {f.kind} in {f.region}, {f.value:.4g}{judged}")
