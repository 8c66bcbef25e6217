#!/usr/bin/env python3
"""Soak the piece headless and report memory, GL objects and frame times.

    .venv/bin/python scripts/soak.py --frames 36000 --size 1280x720 --json

The last line of output is one JSON object: rss_start_mb, rss_end_mb, gl_objects_start,
gl_objects_end, frame_ms_p50, frame_ms_p99 (and a few more). Exit status 1 when the GL object
count grew or RSS grew by more than --max-rss-growth MB.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nebula.app.soak import run_soak
from nebula.cli.args import UsageError, non_negative_seconds, parse_size


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="soak", description=__doc__.split("\n\n")[0])
    p.add_argument("--frames", type=int, default=36000, help="frames to measure (default 36000)")
    p.add_argument(
        "--warmup",
        type=int,
        default=14400,
        help="frames before measuring (default 14400: one 240 s cycle at 60 fps, so every phase "
        "has run and the pools, caches and allocator have reached their working size)",
    )
    p.add_argument("--size", default="1280x720", metavar="WxH")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--clock-offset", type=non_negative_seconds, default=0.0, metavar="SECONDS")
    p.add_argument("--max-rss-growth", type=float, default=5.0, metavar="MB")
    p.add_argument(
        "--loop",
        choices=("show", "headless"),
        default="show",
        help="show: the live loop's frame (default); headless: the offline pipeline only",
    )
    p.add_argument("--heartbeat", type=Path, metavar="FILE", help="also write a heartbeat here")
    p.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = p.parse_args(argv)
    try:
        size = parse_size(args.size)
    except UsageError as e:
        p.error(str(e))
    if args.frames < 1 or args.warmup < 0:
        p.error("--frames must be >= 1 and --warmup >= 0")
    if not (math.isfinite(args.max_rss_growth) and args.max_rss_growth >= 0):
        p.error(f"--max-rss-growth {args.max_rss_growth:g}: must be a number of MB >= 0")

    def progress(i: int) -> None:
        print(f"soak: frame {i} of {args.frames}", file=sys.stderr, flush=True)

    r = run_soak(
        args.frames,
        size,
        warmup=args.warmup,
        offset=args.clock_offset,
        seed=args.seed,
        loop=args.loop,
        heartbeat=args.heartbeat,
        progress=progress,
    )
    data = r.as_json()
    growth = r.rss_end_mb - r.rss_start_mb
    ok = r.gl_objects_end == r.gl_objects_start and growth <= args.max_rss_growth
    data["ok"] = ok
    if args.json:
        print(json.dumps(data))
    else:
        for k, v in data.items():
            print(f"{k:18} {v}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
