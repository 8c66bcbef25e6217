"""What the show writes for its page (the server in ``nebula.web.server`` reads it): the
status, replaced atomically twice a second, and a small frame as raw RGB once a second.
Encoding the frame (PNG or JPEG) is the server's work, off the frame path: the show pays for a
readback and a copy of a frame at most 640 pixels wide, once a second."""

from __future__ import annotations

import json
import struct
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from nebula import files

STATUS_FILE = "status.json"
FRAME_FILE = "frame.rgb"
STATUS_SECONDS = 0.5
FRAME_SECONDS = 1.0
#: The frame handed to the page at most this wide (a thumbnail, and the snapshot download).
FRAME_WIDTH = 640
#: frame.rgb: this header (magic, width, height), then height rows of width RGB, top row first.
FRAME_MAGIC = b"NRGB"
_HEADER = struct.Struct("<4sII")


def shrink(rgb: NDArray[np.uint8], width: int = FRAME_WIDTH) -> NDArray[np.uint8]:
    """``rgb`` (h, w, 3) brought to at most ``width`` pixels across by a whole-number box."""
    k = max(1, -(-rgb.shape[1] // width))
    if k == 1:
        return rgb
    h, w = rgb.shape[0] // k * k, rgb.shape[1] // k * k
    blocks = rgb[:h, :w].reshape(h // k, k, w // k, k, 3).mean(axis=(1, 3))
    return np.asarray(blocks + 0.5, dtype=np.uint8)


def write_frame(path: Path, rgb: NDArray[np.uint8]) -> None:
    h, w = rgb.shape[:2]
    data = _HEADER.pack(FRAME_MAGIC, w, h) + np.ascontiguousarray(rgb).tobytes()
    files.replace(path, data, sync=False)  # whole for the reader; written again in a second


def read_frame(path: Path) -> NDArray[np.uint8] | None:
    """The last frame the show wrote, or None (none yet, or not one of ours)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < _HEADER.size:
        return None
    magic, w, h = _HEADER.unpack_from(data)
    if magic != FRAME_MAGIC or len(data) != _HEADER.size + w * h * 3 or not (w and h):
        return None
    return np.frombuffer(data, dtype=np.uint8, offset=_HEADER.size).reshape(h, w, 3)


def read_status(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class Feed:
    """The show's side: ``status(now, ...)`` and ``frame(now, ...)`` say when they are due and
    write; a write that fails (a full disk) is skipped, never raised into the frame."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._next_status = 0.0
        self._next_frame = 0.0
        self.failing: str | None = None

    def status_due(self, now: float) -> bool:
        return now >= self._next_status

    def frame_due(self, now: float) -> bool:
        return now >= self._next_frame

    def status(self, now: float, data: Mapping[str, object]) -> None:
        self._next_status = now + STATUS_SECONDS
        body = json.dumps({"written": time.time(), **data}).encode()
        self._write(lambda: files.replace(self.folder / STATUS_FILE, body, sync=False))

    def frame(self, now: float, rgb: NDArray[np.uint8]) -> None:
        self._next_frame = now + FRAME_SECONDS
        small = shrink(rgb)
        self._write(lambda: write_frame(self.folder / FRAME_FILE, small))

    def _write(self, write: Callable[[], None]) -> None:
        try:
            write()
            self.failing = None
        except OSError as e:
            self.failing = str(e.strerror or e)
