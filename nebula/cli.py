"""Command line: `nebula [run]`, `nebula still`, `nebula record`, `nebula bench`, `nebula displays`.

Every argument is checked before anything renders; a bad one exits with status 2 and one line
that names the problem and the way out.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nebula.config import ConfigError, Preset, Settings, load_preset

MAX_SIZE = 16384
#: Run time beyond this loses sub-frame precision in float64 (at 1e12 s one ulp is 0.2 ms).
MAX_SECONDS = 1e12
_SIZE = re.compile(r"^\s*(-?\d+)\s*[xX]\s*(-?\d+)\s*$")


class UsageError(Exception):
    """A bad argument: reported as one line, exit status 2, before any work starts."""


def parse_size(text: str) -> tuple[int, int]:
    m = _SIZE.match(text)
    if not m:
        raise UsageError(f"--size {text!r} is not WIDTHxHEIGHT (for example 1280x720)")
    w, h = int(m.group(1)), int(m.group(2))
    if not (1 <= w <= MAX_SIZE and 1 <= h <= MAX_SIZE):
        raise UsageError(f"--size {text!r}: width and height must be between 1 and {MAX_SIZE}")
    return w, h


def check_output(path: Path, force: bool, *, is_dir: bool = False) -> Path:
    """Refuse to clobber an existing file without --force, and a folder we cannot write to."""
    path = path.expanduser()
    if path.exists() and not force:
        raise UsageError(
            f"{path} already exists; pass --force to overwrite it or choose another --out"
        )
    if path.exists() and not is_dir and path.is_dir():
        raise UsageError(f"{path} is a folder; --out needs a file name")
    parent = path.resolve().parent
    for up in (parent, *parent.parents):
        if up.exists() and not up.is_dir():
            raise UsageError(f"cannot write {path}: {up} is a file, not a folder")
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {path}: folder {parent} is not writable")
    if not is_dir:
        # os.access says yes to root everywhere, even on /proc: try a real file before rendering.
        probe = parent / f".{path.name}.probe-{os.getpid()}"
        try:
            probe.touch(exist_ok=False)
        except OSError as e:
            raise UsageError(f"cannot write {path}: {e.strerror or e}") from None
        probe.unlink(missing_ok=True)
    return path


def load_preset_arg(name: str | None) -> Preset | None:
    if name is None:
        return None
    try:
        return load_preset(name)
    except ConfigError as e:
        raise UsageError(str(e)) from None


def settings_from_args(args: argparse.Namespace) -> Settings:
    try:
        return Settings(seed=args.seed)
    except ConfigError as e:
        raise UsageError(str(e)) from None


def non_negative_seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (v >= 0.0 and v < MAX_SECONDS):
        raise argparse.ArgumentTypeError(
            f"{text!r}: seconds must be between 0 and {MAX_SECONDS:g} (about 31,000 years)"
        )
    return v


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=0, help="run seed (default 0)")
    p.add_argument("--preset", metavar="NAME_OR_PATH", help="preset name or .toml path")
    p.add_argument(
        "--clock-offset",
        type=non_negative_seconds,
        default=0.0,
        metavar="SECONDS",
        help="start the clock this far into a run (rehearse long uptime)",
    )


# ---------------------------------------------------------------------------- still


def add_still(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("still", help="render one frame of the piece to a PNG")
    p.add_argument(
        "--time",
        type=non_negative_seconds,
        default=80.0,
        metavar="SECONDS",
        help="moment of the run to render (default 80)",
    )
    p.add_argument(
        "--size", default="1280x720", metavar="WxH", help="image size (default 1280x720)"
    )
    p.add_argument("--out", required=True, type=Path, metavar="FILE.png", help="output PNG")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out")
    add_common(p)
    p.set_defaults(func=cmd_still)


def cmd_still(args: argparse.Namespace) -> int:
    from nebula.imageio import write_png

    size = parse_size(args.size)
    if args.out.suffix.lower() != ".png":
        raise UsageError(f"--out {str(args.out)!r} must end in .png")
    out = check_output(args.out, args.force)
    preset = load_preset_arg(args.preset)
    settings = settings_from_args(args)

    def work() -> int:
        from nebula.headless import HeadlessPiece

        with HeadlessPiece(settings, preset.params if preset else None, size) as piece:
            pixels = piece.render(args.clock_offset + args.time)
        try:
            write_png(out, pixels)
        except OSError as e:
            return fail("still", f"cannot write {out}: {e.strerror or e}; nothing was written")
        print(f"wrote {out} ({size[0]}x{size[1]}, t = {args.time:g} s, seed {args.seed})")
        return 0

    return gl_failures("still", args.size, work)


def fail(command: str, message: str) -> int:
    """One line on stderr and exit status 1: the command could not do its work."""
    print(f"nebula {command}: error: {message}", file=sys.stderr)
    return 1


def gl_failures(command: str, size_text: str, work: Callable[[], int]) -> int:
    """Run ``work``; what GL refuses ends in one line: a size it cannot allocate is a bad
    argument (status 2), no context or a shader that does not compile status 1."""
    from nebula.render.context import ContextError, TargetSizeError
    from nebula.render.shaders import ShaderError

    try:
        return work()
    except TargetSizeError as e:
        raise UsageError(f"--size {size_text}: {e}") from None
    except ShaderError as e:
        return fail(command, f"shader does not compile: {e}")
    except ContextError as e:
        return fail(command, str(e))


# ---------------------------------------------------------------------------- scan


def add_scan(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "scan", help="render a span frame by frame and flag flashes, jumps and bad pixels"
    )
    p.add_argument(
        "--start",
        type=non_negative_seconds,
        default=0.0,
        metavar="SECONDS",
        help="moment of the run where the span begins (default 0)",
    )
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


def cmd_scan(args: argparse.Namespace) -> int:
    import json
    import math

    from nebula import scan

    size = parse_size(args.size)
    if not (math.isfinite(args.fps) and 0 < args.fps <= 240):
        raise UsageError(f"--fps {args.fps:g}: must be above 0 and at most 240")
    th = scan.Thresholds()
    if args.ratio is not None:
        if not (math.isfinite(args.ratio) and args.ratio > 1):
            raise UsageError(f"--ratio {args.ratio:g}: must be a number above 1")
        th = scan.Thresholds(ratio=args.ratio)
    plot_out = None
    if args.plot is not None:
        if args.plot.suffix.lower() != ".png":
            raise UsageError(f"--plot {str(args.plot)!r} must end in .png")
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise UsageError(
                "--plot needs matplotlib: pip install 'nebula[scan]' (or leave --plot out)"
            ) from None
        plot_out = check_output(args.plot, args.force)
    preset = load_preset_arg(args.preset)
    settings = settings_from_args(args)
    seconds = settings.cycle_seconds if args.seconds is None else args.seconds
    count = max(2, round(seconds * args.fps))
    start = args.clock_offset + args.start
    from tqdm import tqdm

    from nebula.headless import HeadlessPiece

    params = dict(preset.params) if preset else {}
    if not args.keep_grain:
        params["grain"] = 0.0

    def work() -> int:
        with (
            HeadlessPiece(settings, params, size) as piece,
            tqdm(
                total=count,
                unit="frame",
                desc="scanning",
                leave=False,
                disable=not sys.stderr.isatty(),
                file=sys.stderr,
            ) as bar,
        ):
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


def report_scan(result: Any, args: argparse.Namespace) -> None:
    """The readable summary: frames, median and worst step per region, then each flag."""
    from nebula import scan

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


# ---------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    from nebula import app, bench, record

    parser = argparse.ArgumentParser(
        prog="nebula",
        description="A realtime generative painting of one dream. Without a subcommand: run.",
    )
    from nebula import __version__

    parser.add_argument("--version", action="version", version=f"nebula {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    app.add_run_parser(sub, add_common)
    add_still(sub)
    add_scan(sub)
    record.add_parser(sub, add_common)
    bench.add_parser(sub)
    app.add_displays_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = {"run", "still", "scan", "record", "bench", "displays", "-h", "--help", "--version"}
    if not argv or argv[0] not in commands:
        argv = ["run", *argv]
    # argparse takes "--size -5x100" for two options; glue it so the size check can explain it.
    glued: list[str] = []
    for a in argv:
        if glued and glued[-1] == "--size" and a.startswith("-"):
            glued[-1] = f"--size={a}"
        else:
            glued.append(a)
    argv = glued
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as e:
        print(f"nebula {args.command}: error: {e}", file=sys.stderr)
        return 2
    except ConfigError as e:
        print(f"nebula {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"nebula {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # `python -m nebula.cli`: run the importable module, not this __main__ copy, so that the
    # UsageError that record.py and the others raise is the class caught above.
    from nebula import cli as _cli

    sys.exit(_cli.main())
