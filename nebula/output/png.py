"""PNG writing without a Pillow dependency: pygame (already needed for the window) encodes it.

Encoded in memory, written to a temporary name and renamed (nebula.files), so a failure
never leaves a half-written PNG.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from nebula import files


def encode_png(rgb: NDArray[np.uint8]) -> bytes:
    """(height, width, 3) uint8 RGB, top row first, as PNG bytes (in memory: libpng never
    touches the disk, so a full disk is one Python error, not a libpng message as well)."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    h, w, _ = rgb.shape
    surf = pygame.image.frombuffer(np.ascontiguousarray(rgb).tobytes(), (w, h), "RGB")
    buf = io.BytesIO()
    try:
        pygame.image.save(surf, buf, "png")
    except pygame.error as e:
        raise OSError(f"cannot encode PNG: {e}") from None
    return buf.getvalue()


def write_png(path: Path, rgb: NDArray[np.uint8]) -> None:
    """Write (height, width, 3) uint8 RGB, top row first, to ``path`` atomically."""
    files.replace(path, encode_png(rgb))


def create_png(names: Iterable[Path], rgb: NDArray[np.uint8]) -> Path:
    """Write a PNG under the first free name of ``names``, never overwriting; returns it."""
    return files.create_numbered(names, encode_png(rgb))


def read_png(path: Path) -> NDArray[np.uint8]:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    surf = pygame.image.load(str(path))
    arr = pygame.surfarray.array3d(surf)  # (w, h, 3)
    return np.ascontiguousarray(arr.transpose(1, 0, 2))
