"""Command line: `nebula [run]`, `nebula still`, `nebula record`, `nebula bench`, `nebula displays`.

Every argument is checked before anything renders; a bad one exits with status 2 and one line
that names the problem and the way out.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from nebula.config import ConfigError, Preset, Settings, load_preset

MAX_SIZE = 16384
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
    if not (v >= 0.0 and v < 1e12):
        raise argparse.ArgumentTypeError(f"{text!r}: seconds must be >= 0")
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
    from nebula.headless import HeadlessPiece

    with HeadlessPiece(settings, preset.params if preset else None, size) as piece:
        pixels = piece.render(args.clock_offset + args.time)
        write_png(out, pixels)
    print(f"wrote {out} ({size[0]}x{size[1]}, t = {args.time:g} s, seed {args.seed})")
    return 0


# ---------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    from nebula import app, bench, record

    parser = argparse.ArgumentParser(
        prog="nebula",
        description="A realtime generative painting of one dream. Without a subcommand: run.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    app.add_run_parser(sub, add_common)
    add_still(sub)
    record.add_parser(sub, add_common)
    bench.add_parser(sub)
    app.add_displays_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = {"run", "still", "record", "bench", "displays", "-h", "--help"}
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
    sys.exit(main())
