"""Command line: `nebula [run]`, `still`, `scan`, `record`, `farm`, `join`, `bench`, `displays`,
`midi-ports`, `audio-devices`.

One thin module per subcommand (arguments -> a library call -> an exit status); args.py holds
what they share. Every argument is checked before anything renders; a bad one exits with status
2 and one line that names the problem and the way out. The library never imports this package.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from nebula.config import ConfigError
from nebula.errors import EXIT_USAGE, UsageError


def build_parser() -> argparse.ArgumentParser:
    from nebula.cli import bench, devices, farm, join, record, run, scan, still, wall

    parser = argparse.ArgumentParser(
        prog="nebula",
        description="A realtime generative painting of one dream. Without a subcommand: run.",
    )
    from nebula import __version__

    parser.add_argument("--version", action="version", version=f"nebula {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run.add_parser(sub)
    still.add_parser(sub)
    scan.add_parser(sub)
    record.add_parser(sub)
    farm.add_parser(sub)
    join.add_parser(sub)
    bench.add_parser(sub)
    wall.add_parser(sub)
    devices.add_displays_parser(sub)
    devices.add_midi_ports_parser(sub)
    devices.add_audio_devices_parser(sub)
    return parser


@contextmanager
def plain_warnings(command: str) -> Iterator[None]:
    """Every warning a user can meet (a torn journal line, ...) as one plain line on stderr,
    ``nebula COMMAND: message``, said once however many times the library meets it, and with
    no source path: the user did not write the file that warns."""
    said: set[str] = set()

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = str(message)
        if text not in said:
            said.add(text)
            print(f"nebula {command}: {text}", file=sys.stderr)

    with warnings.catch_warnings():  # restores the usual display after the command
        warnings.showwarning = show
        yield


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = {"run", "still", "scan", "record", "farm", "join", "bench", "wall", "displays"}
    commands |= {"midi-ports", "audio-devices"}
    commands |= {"-h", "--help", "--version"}
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
        with plain_warnings(args.command):
            return int(args.func(args))
    except (UsageError, ConfigError) as e:
        print(f"nebula {args.command}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"nebula {args.command}: interrupted", file=sys.stderr)
        return 130
