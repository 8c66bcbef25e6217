"""What every subcommand shares: argument checks that refuse with one line before any work
(UsageError, exit status 2), and the mapping of the library's failures to one line and
status 1."""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from nebula.config import ConfigError, Settings
from nebula.errors import EXIT_FAILED, UsageError
from nebula.output.codecs import CodecSpec, is_frame_name
from nebula.presets import Preset, load_preset
from nebula.wall.file import Tile

if TYPE_CHECKING:
    from nebula.output.ndi import NdiOptions

__all__ = ["UsageError"]

MAX_SIZE = 16384
#: Run time beyond this loses sub-frame precision in float64 (at 1e12 s one ulp is 0.2 ms).
MAX_SECONDS = 1e12
_SIZE = re.compile(r"^\s*(-?\d+)\s*[xX]\s*(-?\d+)\s*$")


def parse_size(text: str, option: str = "--size") -> tuple[int, int]:
    m = _SIZE.match(text)
    if not m:
        raise UsageError(f"{option} {text!r} is not WIDTHxHEIGHT (for example 1280x720)")
    w, h = int(m.group(1)), int(m.group(2))
    if not (1 <= w <= MAX_SIZE and 1 <= h <= MAX_SIZE):
        raise UsageError(f"{option} {text!r}: width and height must be between 1 and {MAX_SIZE}")
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


def add_wall(p: argparse.ArgumentParser) -> None:
    """``--wall FILE --tile NAME``: draw one tile of a wall's canvas (nebula.wall)."""
    p.add_argument("--wall", type=Path, metavar="FILE", help="a wall file: draw one of its tiles")
    p.add_argument("--tile", metavar="NAME", help="the tile of --wall to draw")


def tile_from_args(args: argparse.Namespace, whole: bool = False) -> Tile | None:
    """The tile ``--wall`` and ``--tile`` name, checked; None without ``--wall``. With
    ``whole`` (a window spanning displays) ``--wall`` alone is the whole canvas."""
    from nebula.wall.file import load_wall

    if getattr(args, "wall", None) is None:
        if args.tile is not None:
            raise UsageError("--tile needs --wall FILE: the wall file the tile is in")
        return None
    wall = load_wall(args.wall)
    if args.tile is None and whole:
        return wall.whole()
    if args.tile is None:
        raise UsageError(
            f"--wall needs --tile NAME; the tiles of {args.wall}: {', '.join(wall.tiles)}"
        )
    return wall.tile(args.tile)


def add_start(p: argparse.ArgumentParser) -> None:
    """``--start``: where a span (a recording, a scan) begins in the run."""
    p.add_argument(
        "--start",
        type=non_negative_seconds,
        default=0.0,
        metavar="SECONDS",
        help="moment of the run where the span begins (default 0)",
    )


def fail(command: str, message: str) -> int:
    """One line on stderr and exit status 1: the command could not do its work."""
    print(f"nebula {command}: error: {message}", file=sys.stderr)
    return EXIT_FAILED


def size_source(args: argparse.Namespace, tile: Tile | None = None) -> str:
    """The option a size GL refuses came from: ``--size``, or a wall whose canvas every tile
    draws through."""
    if tile is None:
        return f"--size {args.size}"
    w, h = tile.canvas
    return f"--wall {args.wall} (every tile draws through its whole {w}x{h} canvas)"


def gl_failures(command: str, size_text: str, work: Callable[[], int]) -> int:
    """Run ``work``; what GL refuses ends in one line: a size it cannot allocate is a bad
    argument (status 2), no context or a shader that does not compile status 1. ``size_text``
    names where the size came from (``size_source``), or is a bare ``WxH`` for ``--size``."""
    from nebula.render.context import ContextError, TargetSizeError
    from nebula.render.shaders import ShaderError

    try:
        return work()
    except TargetSizeError as e:
        where = size_text if size_text.startswith("--") else f"--size {size_text}"
        raise UsageError(f"{where}: {e}") from None
    except ShaderError as e:
        return fail(command, f"shader does not compile: {e}")
    except ContextError as e:
        return fail(command, str(e))


def describe_failure(e: BaseException, out: Path) -> str:
    err = getattr(e, "errno", None)
    if err == errno.ENOSPC:
        return f"disk full while writing {out}; partial output removed (free space and retry)"
    if err in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {out}: permission denied; partial output removed"
    if isinstance(e, OSError):
        return f"cannot write {out}: {e.strerror or e}; partial output removed"
    return str(e)


def check_out(out: Path, spec: CodecSpec, force: bool) -> Path:

    if spec.is_sequence:
        out = check_output(out, force, is_dir=True)
        if out.exists():
            if not out.is_dir():
                raise UsageError(f"{out} is a file; --codec png writes a folder of frames")
            strays = [p.name for p in out.iterdir() if not is_frame_name(p.name)]
            if strays:
                # --force replaces a frame folder, never a folder holding anything else.
                raise UsageError(
                    f"{out} holds files other than frame_*.png ({strays[0]}, ...); "
                    "choose another --out"
                )
        return out
    if out.suffix.lower() not in spec.suffixes:
        raise UsageError(
            f"--out {str(out)!r}: --codec {spec.name} writes {' or '.join(spec.suffixes)}"
        )
    return check_output(out, force)


def add_ndi(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("NDI out (extra: nebula[ndi])")
    g.add_argument(
        "--ndi",
        metavar="NAME",
        help="publish the picture as an NDI source of this name (listed as MACHINE (NAME))",
    )
    g.add_argument(
        "--ndi-alpha",
        action="store_true",
        help="with --ndi: send alpha, the figures, flowers and light over a transparent sky",
    )
    g.add_argument(
        "--ndi-size",
        metavar="WxH",
        help="with --ndi: send at this size (even width) instead of the picture's",
    )


def ndi_from_args(args: argparse.Namespace, tile: Tile | None) -> NdiOptions | None:
    """The NDI source the options ask for, checked before anything opens (UsageError with
    the one line: not installed, the library not loading, a name or size NDI refuses)."""
    from nebula.output.ndi import NdiError, NdiOptions, check_name, check_size, load

    if args.ndi is None:
        if args.ndi_alpha or args.ndi_size:
            raise UsageError("--ndi-alpha and --ndi-size need --ndi NAME")
        return None
    if getattr(args, "follow", None) is not None:
        raise UsageError(
            "--ndi is not taken with --follow yet: publish a tile with --wall FILE --tile NAME "
            "--ndi NAME instead"
        )
    if args.ndi_alpha and tile is not None:
        raise UsageError(
            "--ndi-alpha: a wall's tile sends its picture opaque; send alpha from a whole canvas"
        )
    size = parse_size(args.ndi_size, "--ndi-size") if args.ndi_size else None
    try:
        check_name(args.ndi)
        if size is not None:
            check_size(size)
        load()
    except NdiError as e:
        raise UsageError(str(e)) from None
    return NdiOptions(args.ndi, size, args.ndi_alpha)


def log_to_stderr(name: str) -> None:
    """The lines of one of the library's loggers on stderr, for a session that keeps no log."""
    import logging

    log = logging.getLogger(name)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
