"""`nebula bench`: the benchmark's sections (nebula.bench) as a table or one JSON object."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from nebula.bench import SECTIONS
from nebula.bench.figures import Figures
from nebula.bench.report import format_table, run_sections, targets_missed
from nebula.cli.args import UsageError, gl_failures


def cmd_bench(args: argparse.Namespace) -> int:
    chosen = SECTIONS
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in SECTIONS]
        if unknown or not names:
            raise UsageError(
                f"--only {args.only!r}: unknown section; choose from {', '.join(SECTIONS)}"
            )
        chosen = {n: SECTIONS[n] for n in names}
    t0 = time.perf_counter()
    got: list[Figures] = []

    def work() -> int:
        got.append(run_sections(args, chosen))
        return 0

    if gl_failures("bench", "of the bench", work) != 0:
        return 1
    result = got[0]
    result["bench_seconds"] = round(time.perf_counter() - t0, 2)
    missed = targets_missed(result)
    if args.json:
        print(json.dumps(result))
    else:
        print(format_table(result))
        print("targets: " + ("all met" if not missed else "missed: " + "; ".join(missed)))
    return 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "bench",
        help="measure speed and memory: simulation, seek, render, window, recording, OSC",
        description="Measure the piece. Without --json: a table. With --json: one JSON object "
        "on the last line of stdout (progress goes to stderr).",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    p.add_argument(
        "--only",
        metavar="NAMES",
        help=f"comma-separated sections to run (default all: {', '.join(SECTIONS)})",
    )
    p.add_argument(
        "--sizes",
        metavar="SIZES",
        type=_sizes,
        default=None,
        help="render section sizes, comma-separated from 720p, 1080p, 2160p, 4320p "
        "(default 720p,1080p)",
    )
    p.set_defaults(func=cmd_bench)


def _sizes(text: str) -> list[str]:
    from nebula.bench.render import SIZES

    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in SIZES]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"{text!r}: sizes are {', '.join(SIZES)} (comma-separated)"
        )
    return names
