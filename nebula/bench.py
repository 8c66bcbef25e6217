"""`nebula bench`: speed and memory figures. (Being built: issue 3.)"""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("bench", help="measure simulation, render and record speed")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_todo)


def _todo(args: argparse.Namespace) -> int:
    raise NotImplementedError("the benchmark lands with issue 3")
