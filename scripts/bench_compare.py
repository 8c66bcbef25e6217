"""Before and after in one run: `nebula bench --json` of an older commit and of this checkout,
alternating, so both see the same machine and the same load.

    python scripts/bench_compare.py 0fac0ca --rounds 2 -- --only render --sizes 720p

The older commit is checked out into a temporary git worktree (removed afterwards) and run
from there with its own package first on the path. Prints, for every figure both report, the
median of each side and new / old. Start it on an idle machine: timing two things at once
spoils both.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def bench(tree: Path, args: list[str]) -> dict[str, float]:
    """One `nebula bench --json` run of the package in ``tree``: its numeric figures."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, "-m", "nebula", "bench", "--json", *args]
    p = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if p.returncode not in (0, 1):  # 1: a target missed, which is a result too
        said = (p.stderr.strip() or "no output").splitlines()[-1]
        raise SystemExit(f"bench_compare: the bench failed in {tree} ({p.returncode}): {said}")
    figures = json.loads(p.stdout.strip().splitlines()[-1])
    return {k: float(v) for k, v in figures.items() if isinstance(v, (int, float))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old", help="the commit to compare with (anything git rev-parse takes)")
    ap.add_argument("--rounds", type=int, default=2, help="runs of each, alternating")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    a = ap.parse_args(argv[:cut])
    a.bench_args = argv[cut + 1 :]  # after --: the bench's own options
    runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="nebula-bench-") as tmp:
        old = Path(tmp) / "old"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(old), a.old],
            check=True,
            capture_output=True,
        )
        try:
            for r in range(a.rounds):
                for side, tree in (("old", old), ("new", REPO)):
                    print(f"round {r + 1}/{a.rounds}: {side}", file=sys.stderr, flush=True)
                    runs[side].append(bench(tree, a.bench_args))
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)],
                check=False,
                capture_output=True,
            )
    keys = [k for k in runs["new"][0] if all(k in run for run in runs["old"] + runs["new"])]
    print(f"{'figure':<34} {'old':>10} {'new':>10} {'new/old':>8}")
    for k in keys:
        o = statistics.median(run[k] for run in runs["old"])
        n = statistics.median(run[k] for run in runs["new"])
        ratio = f"{n / o:.3f}" if o else "-"
        print(f"{k:<34} {o:>10.3f} {n:>10.3f} {ratio:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
