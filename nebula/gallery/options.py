"""The gallery options of `nebula run`, their checks and their defaults.

``add_options`` adds them to the run parser; ``from_args`` turns parsed arguments (and a
preset's ``installation = true``) into a ``GalleryOptions``, raising ``ValueError`` with one
clear line for a bad value.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nebula.gallery.hours import Hours, parse_hours


def state_dir() -> Path:
    """Where an installation keeps its log and heartbeat: $XDG_STATE_HOME/nebula."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "nebula"


@dataclass(frozen=True)
class GalleryOptions:
    installation: bool = False
    allow_hotkeys: bool = False
    hours: Hours | None = None
    target_fps: float | None = None
    log_file: Path | None = None
    heartbeat: Path | None = None

    @property
    def active(self) -> bool:
        """Whether the live loop needs an ``Installation`` at all."""
        return bool(
            self.installation or self.hours or self.target_fps or self.log_file or self.heartbeat
        )


def add_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("gallery installation")
    g.add_argument(
        "--installation",
        action="store_true",
        help="gallery mode: fullscreen, no cursor, no HUD, no blanking; only a held Esc (3 s) "
        "or Ctrl+Alt+Q quits; log and heartbeat in ~/.local/state/nebula/",
    )
    g.add_argument(
        "--allow-hotkeys", action="store_true", help="keep the hotkeys on in installation mode"
    )
    g.add_argument(
        "--hours",
        metavar="HH:MM-HH:MM",
        help="opening hours: fade to black outside them and back in (22:00-02:00 wraps)",
    )
    g.add_argument(
        "--target-fps",
        type=float,
        metavar="F",
        help="lower the internal render scale when frames run late, raise it back with headroom",
    )
    g.add_argument("--log-file", type=Path, metavar="FILE", help="rotating log (5 MB x 4 at most)")
    g.add_argument(
        "--heartbeat", type=Path, metavar="FILE", help="heartbeat file for scripts/watchdog.py"
    )


def from_args(
    args: argparse.Namespace, preset_options: dict[str, Any] | None = None
) -> GalleryOptions:
    installation = bool(args.installation or (preset_options or {}).get("installation", False))
    hours = parse_hours(args.hours) if args.hours else None
    fps = args.target_fps
    if fps is not None and not (1.0 <= fps <= 240.0):
        raise ValueError(f"--target-fps {fps:g} must be between 1 and 240")
    log_file, heartbeat = args.log_file, args.heartbeat
    if installation:
        log_file = log_file or state_dir() / "nebula.log"
        heartbeat = heartbeat or state_dir() / "heartbeat.json"
    log_file = _file_option("--log-file", log_file)
    heartbeat = _file_option("--heartbeat", heartbeat)
    return GalleryOptions(
        installation=installation,
        allow_hotkeys=bool(args.allow_hotkeys),
        hours=hours,
        target_fps=fps,
        log_file=log_file,
        heartbeat=heartbeat,
    )


def _file_option(flag: str, path: Path | None) -> Path | None:
    """A file the show writes: refuse a folder (``--heartbeat /tmp``) or a file where its folder
    should be. A folder that cannot be written yet (a full or read-only disk) is not refused:
    the show runs on and says so in the log, since a disk can also fill or clear while it runs."""
    if path is None:
        return None
    path = path.expanduser()
    if path.is_dir():
        raise ValueError(f"{flag} {str(path)!r} is a folder; give a file name inside it")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"{flag} {str(path)!r}: {str(parent)!r} is a file, not a folder")
            break
    return path
