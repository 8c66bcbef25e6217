"""Setting up a wall from the show itself: the calibration pattern on and off, the tile's corner
pin nudged a pixel at a time with the arrow keys, and the pin written back into the wall file
(nebula.wall.pin: atomically, and never over a file that changed on disk meanwhile)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nebula.config import ConfigError
from nebula.wall.file import Tile
from nebula.wall.geometry import folds
from nebula.wall.pin import corners_toml, save_corners

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame

CORNER_NAMES = ("top-left", "top-right", "bottom-right", "bottom-left")
#: The calibration actions (nebula.control.events.ACTIONS) and the arrow each nudge stands for.
NUDGES = {"pin_left": (-1.0, 0.0), "pin_right": (1.0, 0.0), "pin_up": (0.0, -1.0)}
NUDGES["pin_down"] = (0.0, 1.0)
PATTERN_ACTIONS = ("pattern", "pin_corner", *NUDGES, "pin_save")


def label_image(text: str, px: int = 64) -> NDArray[np.uint8]:
    """``text`` in white on clear as (height, width, 4) RGBA, top row first (pygame.font needs
    no window)."""
    pygame.font.init()
    surface = pygame.font.Font(None, px).render(text, True, (255, 255, 255))
    rgba = pygame.image.tobytes(surface, "RGBA")
    w, h = surface.get_size()
    return np.frombuffer(rgba, dtype=np.uint8).reshape(h, w, 4).copy()


def tile_label(tile: Tile) -> NDArray[np.uint8]:
    x, y, w, h = tile.rect
    return label_image(f"{tile.name}   {w}x{h} at {x},{y}")


def unavailable(show: Any) -> dict[str, Callable[[], None]]:
    """The calibration actions of a show that draws no wall's tile: each says what is needed."""

    def say() -> None:
        show.message("the calibration pattern needs --wall FILE --tile NAME", error=True)

    return dict.fromkeys(PATTERN_ACTIONS, say)


class Calibration:
    """The calibration of one show's tile, read from ``wall`` (its bytes kept, so a pin is
    written back only over the file as it was)."""

    def __init__(self, show: Any, wall: Path, tile: Tile) -> None:
        self.show = show
        self.wall = wall
        self.tile = tile
        self.read = wall.read_bytes()
        self.corners = list(tile.corners or tile.square_corners())
        self.corner = 0
        self.showing = False

    def handlers(self) -> dict[str, Callable[[], None]]:
        out: dict[str, Callable[[], None]] = {
            "pattern": self.toggle,
            "pin_corner": self.next_corner,
            "pin_save": self.save,
        }
        for name, step in NUDGES.items():
            out[name] = functools.partial(self.nudge, *step)
        return out

    def toggle(self) -> None:
        self.showing = not self.showing
        self.show.piece.show_pattern(tile_label(self.tile) if self.showing else None)
        if self.showing:
            self.show.message(
                f"calibration pattern: C picks a corner, arrows move it, Ctrl+W writes it to "
                f"{self.wall.name}; moving the {CORNER_NAMES[self.corner]} corner"
            )
        else:
            self.show.message("calibration pattern off")

    def next_corner(self) -> None:
        if self._needs_pattern():
            return
        self.corner = (self.corner + 1) % 4
        x, y = self.corners[self.corner]
        self.show.message(f"moving the {CORNER_NAMES[self.corner]} corner ({x:g}, {y:g})")

    def nudge(self, dx: float, dy: float) -> None:
        if self._needs_pattern():
            return
        moved = list(self.corners)
        x, y = moved[self.corner]
        moved[self.corner] = (x + dx, y + dy)
        if folds(moved):
            self.show.message("that would fold the tile over: corner not moved", error=True)
            return
        self.corners = moved
        self.show.piece.pin(tuple(moved))
        self.show.message(f"{CORNER_NAMES[self.corner]} corner at ({x + dx:g}, {y + dy:g})")

    def save(self) -> None:
        try:
            save_corners(self.wall, self.tile.name, self.corners, self.read)
        except ConfigError as e:
            self.show.message(str(e), error=True)
            return
        self.read = self.wall.read_bytes()
        self.show.message(f"wrote {corners_toml(self.corners)} to {self.wall.name}")

    def _needs_pattern(self) -> bool:
        if not self.showing:
            self.show.message("show the calibration pattern first (Ctrl+P)")
        return not self.showing
