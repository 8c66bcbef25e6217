"""`nebula still`: one frame of the piece to a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from nebula.cli.args import (
    UsageError,
    add_common,
    add_wall,
    check_output,
    fail,
    gl_failures,
    load_preset_arg,
    non_negative_seconds,
    parse_size,
    settings_from_args,
    size_source,
    tile_from_args,
)


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("still", help="render one frame of the piece to a PNG")
    p.add_argument(
        "--time",
        type=non_negative_seconds,
        default=80.0,
        metavar="SECONDS",
        help="moment of the run to render (default 80)",
    )
    p.add_argument(
        "--size", default=None, metavar="WxH", help="image size (default 1280x720; a tile's own)"
    )
    p.add_argument(
        "--sheet",
        choices=["figures"],
        default=None,
        help="instead of a moment, a model sheet: every figure guarded, open and speaking "
        "(--size is one row)",
    )
    p.add_argument("--out", required=True, type=Path, metavar="FILE.png", help="output PNG")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out")
    add_common(p)
    add_wall(p)
    p.add_argument(
        "--pattern", action="store_true", help="the wall's calibration pattern for --tile"
    )
    p.set_defaults(func=cmd_still)


def cmd_still(args: argparse.Namespace) -> int:
    from nebula.output.png import write_png

    tile = tile_from_args(args)
    # A tile is drawn at its own size; --size scales it (a whole number of times stitches).
    if args.size is None:
        args.size = "x".join(map(str, tile.size)) if tile else "1280x720"
    size = parse_size(args.size)
    if args.pattern and tile is None:
        raise UsageError("--pattern is a wall's calibration pattern: give --wall FILE --tile NAME")
    if tile is not None and args.sheet:
        raise UsageError("--sheet draws the model sheet, not a tile: leave out --wall")
    if args.out.suffix.lower() != ".png":
        raise UsageError(f"--out {str(args.out)!r} must end in .png")
    out = check_output(args.out, args.force)
    preset = load_preset_arg(args.preset)
    settings = settings_from_args(args)

    def work() -> int:
        from nebula.piece import Piece
        from nebula.review.sheet import figure_sheet

        if args.sheet == "figures":
            pixels = figure_sheet(settings, size)
        else:
            with Piece(settings, preset.params if preset else None, size, tile=tile) as piece:
                if args.pattern and tile is not None:
                    from nebula.app.calibrate import tile_label

                    piece.show_pattern(tile_label(tile))
                pixels = piece.render(args.clock_offset + args.time)
        try:
            write_png(out, pixels)
        except OSError as e:
            return fail("still", f"cannot write {out}: {e.strerror or e}; nothing was written")
        what = "the figures' model sheet" if args.sheet else f"t = {args.time:g} s"
        h, w = pixels.shape[:2]
        print(f"wrote {out} ({w}x{h}, {what}, seed {args.seed})")
        return 0

    return gl_failures("still", size_source(args, tile), work)
