"""`nebula wall check FILE`: read a wall file, refuse what cannot be drawn (one line, status 2)
and print the layout: each tile, the overlaps, the gaps nobody draws and the coverage."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("wall", help="walls of displays and projectors: check a wall file")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    check = verbs.add_parser("check", help="validate a wall file and print its layout")
    check.add_argument("file", type=Path, metavar="FILE", help="the wall file (TOML)")
    check.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from nebula.wall.file import load_wall
    from nebula.wall.layout import describe

    wall = load_wall(args.file)  # a ConfigError is one line and status 2 (nebula.cli.main)
    print(f"{args.file}: ok")
    for line in describe(wall):
        print(line)
    return 0
