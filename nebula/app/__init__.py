"""The live piece: pygame window, event loop, hotkeys, HUD. (Being built: issue 4.)"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def add_run_parser(sub: Any, add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("run", help="open the piece in a window (the default command)")
    p.add_argument("--size", default="1280x720", metavar="WxH")
    add_common(p)
    p.set_defaults(func=_todo)


def add_displays_parser(sub: Any) -> None:
    p = sub.add_parser("displays", help="list the displays and their sizes")
    p.set_defaults(func=_todo)


def _todo(args: argparse.Namespace) -> int:
    raise NotImplementedError("the live window lands with issue 4")
