"""A wall's follower from the command line: `nebula record --wall FILE --tile NAME --follow
HOST:PORT --codec png --out DIR` records exactly the frames the leader releases (for tests and
for checking a wall offline), `nebula run --wall FILE --tile NAME --follow HOST:PORT` shows them
in a window (nebula.app.follow)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from nebula.cli.args import UsageError, check_out, tile_from_args
from nebula.wall.file import Tile, load_wall


def endpoint(text: str) -> str:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise UsageError(f"--follow {text!r} is not HOST:PORT (for example 127.0.0.1:7100)")
    return f"tcp://{host}:{port}"


def wall_token(path: Path) -> str:
    wall = load_wall(path)
    if wall.token is None:
        raise UsageError(f"{path} has no [wall] token: every machine of a wall needs the same one")
    return wall.token


def follower_args(args: argparse.Namespace) -> tuple[Tile, str, str]:
    tile = tile_from_args(args)
    if tile is None:
        raise UsageError("--follow draws one tile: give --wall FILE --tile NAME")
    return tile, wall_token(args.wall), endpoint(args.follow)


def record(args: argparse.Namespace) -> int:
    """The frames the leader releases, as frame_NNNNNN.png (the leader's frame numbers) in
    --out; kept when the leader ends the wall, removed if the follower fails."""
    from nebula import files
    from nebula.cluster.follower import Follower
    from nebula.output.codecs import CODECS
    from nebula.output.png import write_png
    from nebula.piece import Piece

    if args.codec != "png":
        raise UsageError("--follow records the frames the leader releases: use --codec png")
    tile, token, where = follower_args(args)
    out = check_out(Path(args.out), CODECS["png"], args.force)
    tmp = files.temp_name(out)
    tmp.mkdir(parents=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)

    def present(piece: Piece, n: int) -> None:
        write_png(tmp / f"frame_{n:06d}.png", piece.read())

    try:
        status = Follower(token, where, tile, present).run()
        files.put_in_place(tmp, out, args.force)
    except BaseException:
        files.remove(tmp)
        raise
    print(f"wrote {out}: the frames the leader released to tile {tile.name}")
    return status
