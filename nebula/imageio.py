"""PNG writing without a Pillow dependency: pygame (already needed for the window) encodes it.

Written to a temporary name and renamed, so a failure never leaves a half-written PNG.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray


def write_png(path: Path, rgb: NDArray[np.uint8]) -> None:
    """Write (height, width, 3) uint8 RGB, top row first, to ``path`` atomically."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    h, w, _ = rgb.shape
    surf = pygame.image.frombuffer(np.ascontiguousarray(rgb).tobytes(), (w, h), "RGB")
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}.png")
    try:
        pygame.image.save(surf, str(tmp))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_png(path: Path) -> NDArray[np.uint8]:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    surf = pygame.image.load(str(path))
    arr = pygame.surfarray.array3d(surf)  # (w, h, 3)
    return np.ascontiguousarray(arr.transpose(1, 0, 2))
