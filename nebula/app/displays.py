"""The displays SDL sees, with where each sits on the desktop, and the rectangle a window must
cover to span several of them (`nebula displays`, `nebula run --span`).

pygame tells each display's size but not its position; SDL_GetDisplayBounds does, so it is
called through ctypes in the SDL that pygame itself loaded (its wheel bundles one).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Sequence

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame

Bounds = tuple[int, int, int, int]  # x, y, width, height on the desktop


class _Rect(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("w", ctypes.c_int), ("h", ctypes.c_int)]


def _sdl() -> ctypes.CDLL | None:
    """pygame's own SDL 2 (already loaded by pygame.display.init), or None where it cannot be
    found: then positions are not known."""
    path = None
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
                found = {ln.split()[-1] for ln in maps if "libSDL2-2" in ln or "libSDL2.so" in ln}
            path = min(found, default=None)
        except OSError:
            path = None
    path = path or ctypes.util.find_library("SDL2")
    if path is None:
        return None
    try:
        lib = ctypes.CDLL(path)
        lib.SDL_GetDisplayBounds.argtypes = [ctypes.c_int, ctypes.POINTER(_Rect)]
        lib.SDL_GetDisplayBounds.restype = ctypes.c_int
    except (OSError, AttributeError):
        return None
    return lib


def display_bounds() -> list[Bounds]:
    """Each display's rectangle on the desktop, by index (pygame.display must be initialised).
    Where SDL cannot be asked, the displays are taken as side by side in index order."""
    sizes = [(int(w), int(h)) for w, h in pygame.display.get_desktop_sizes()]
    lib = _sdl()
    out: list[Bounds] = []
    x = 0
    for i, (w, h) in enumerate(sizes):
        r = _Rect()
        if lib is not None and lib.SDL_GetDisplayBounds(i, ctypes.byref(r)) == 0:
            out.append((r.x, r.y, r.w, r.h))
        else:
            out.append((x, 0, w, h))
        x += w
    return out


def describe_displays(bounds: Sequence[Bounds] | None = None) -> str:
    """The displays on one line: ``0: 1920x1080 at 0,0, 1: ...``."""
    bounds = display_bounds() if bounds is None else bounds
    return ", ".join(f"{i}: {w}x{h} at {x},{y}" for i, (x, y, w, h) in enumerate(bounds)) or "none"


def parse_span(text: str) -> list[int]:
    """``--span 0,1`` as display indices (ValueError with the way out for anything else)."""
    try:
        picked = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise ValueError(f"--span {text!r} is not a list of display indices such as 0,1") from None
    if not picked or len(set(picked)) != len(picked) or min(picked) < 0:
        raise ValueError(f"--span {text!r}: name each display once, such as 0,1")
    return picked


def span_bounds(picked: Sequence[int], bounds: Sequence[Bounds]) -> Bounds:
    """The rectangle that covers the ``picked`` displays (ValueError naming the displays there
    are when one is not there)."""
    missing = [i for i in picked if not 0 <= i < len(bounds)]
    if missing:
        raise ValueError(
            f"--span: there is no display {missing[0]}; the displays are "
            f"{describe_displays(bounds)}"
        )
    rects = [bounds[i] for i in picked]
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1 = max(r[0] + r[2] for r in rects)
    y1 = max(r[1] + r[3] for r in rects)
    return x0, y0, x1 - x0, y1 - y0
