"""`nebula join OUT CHUNK CHUNK...`: video chunks end to end without re-encoding."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from nebula.cli.args import check_output, describe_failure
from nebula.errors import RecordError
from nebula.output.join import join


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "join",
        help="join recorded chunks end to end without re-encoding",
        description="Join chunks that `nebula record --frame-range` wrote, in order, into one "
        "file, without re-encoding (a PyAV remux). Each chunk's tag is checked: the same "
        "recording, in order, each once, complete.",
    )
    p.add_argument("out", type=Path, help="the joined file (.mp4, .mov or .mkv)")
    p.add_argument("chunks", type=Path, nargs="+", help="the chunks, in order")
    p.add_argument("--force", action="store_true", help="overwrite an existing OUT")
    p.set_defaults(func=cmd_join)


def cmd_join(args: argparse.Namespace) -> int:
    out = check_output(args.out, args.force)
    try:
        n = join(args.chunks, out, force=args.force)
    except (OSError, RecordError) as e:
        print(f"nebula join: error: {describe_failure(e, out)}", file=sys.stderr)
        return 1
    print(f"wrote {out}: {n} frames from {len(args.chunks)} chunks")
    return 0
