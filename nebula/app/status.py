"""What the HUD says: the frame rate, timed messages, and the status and key lines.

Pure Python (no GL, no window): ``Show`` feeds it readings and draws the lines it returns.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from nebula.app.hotkeys import Hotkeys
from nebula.app.hud import Line
from nebula.config import PARAM_SPECS
from nebula.control.events import ACTIONS

MESSAGE_SECONDS = 6.0
MAX_MESSAGES = 5

ERROR_COLOR = (255, 150, 140)
NOTE_COLOR = (200, 230, 255)
DIM_COLOR = (170, 160, 190)


@dataclass
class Message:
    text: str
    until: float
    error: bool = False


class Messages:
    """The last few notes and errors, each shown until its wall-clock time runs out."""

    def __init__(self) -> None:
        self.items: list[Message] = []

    def add(self, text: str, now: float, *, error: bool = False, seconds: float) -> None:
        self.items.append(Message(text, now + seconds, error))
        del self.items[:-MAX_MESSAGES]

    def lines(self, now: float) -> list[Line]:
        self.items = [m for m in self.items if m.until > now]
        return [Line(m.text, ERROR_COLOR if m.error else NOTE_COLOR) for m in self.items]


class FrameMeter:
    """Frames per second over the last 60 frame-to-frame times, and the last frame's time."""

    def __init__(self, window: int = 60) -> None:
        self._dts = np.zeros(window, dtype=np.float64)
        self._samples = 0
        self.fps = 0.0
        self.frame_ms = 0.0

    def add(self, dt: float) -> None:
        n = self._samples
        self._dts[n % len(self._dts)] = dt
        self._samples = n + 1
        mean = float(self._dts[: min(n + 1, len(self._dts))].mean())
        self.fps = 1.0 / mean if mean > 0 else 0.0
        self.frame_ms = dt * 1000.0


#: Keys whose printed name is not pygame's.
KEY_NAMES = {"escape": "Esc"}


@functools.cache  # the HUD labels every key each time it is drawn; there are a few dozen
def key_label(chord_text: str) -> str:
    """How the HUD names a chord: "s" -> "s", "shift+s" -> "S", "ctrl+s" -> "Ctrl+S"."""
    *mods, key = chord_text.split("+") if chord_text != "+" else ["+"]
    if mods == ["shift"] and len(key) == 1 and key.isalpha():
        return key.upper()  # the shifted letter is how it is typed
    label = KEY_NAMES.get(key) or (key if not mods and len(key) == 1 else key.capitalize())
    return "+".join([*(m.capitalize() for m in mods), label])


def param_lines(
    shown: Mapping[str, float], wanted: Mapping[str, float], keys: Hotkeys
) -> list[Line]:
    """One line per parameter: its keys, its name, the value shown ("~" while it glides to
    what was asked)."""
    rows = []
    for s in PARAM_SPECS:
        pair = " ".join(
            key_label(k) for k in (*keys.keys_for(f"down:{s.name}"), *keys.keys_for(f"up:{s.name}"))
        )
        gliding = " ~" if shown[s.name] != wanted[s.name] else ""
        value = f"{shown[s.name]:.2f}{gliding}"
        rows.append(Line(f"{pair}\t{s.name.replace('_', ' ')}\t{value}", DIM_COLOR))
    return rows


def action_lines(keys: Hotkeys) -> list[Line]:
    """The actions and their keys, five to a line."""
    acts = [
        f"{'/'.join(key_label(k) for k in keys.keys_for(a))} {a.replace('_', ' ')}"
        for a in ACTIONS
        if not a.startswith("preset_")
    ]
    acts.append("1-9 presets")
    return [Line("   ".join(acts[i : i + 5]), DIM_COLOR) for i in range(0, len(acts), 5)]
