"""Offline recording to video or PNG sequence. (Being built: issue 5.)"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def add_parser(sub: Any, add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("record", help="render the piece offline into a video")
    add_common(p)
    p.set_defaults(func=_todo)


def _todo(args: argparse.Namespace) -> int:
    raise NotImplementedError("recording lands with issue 5")
