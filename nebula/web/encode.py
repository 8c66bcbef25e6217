"""The frame the show left, encoded for the page: JPEG for the live thumbnail, PNG for the
snapshot download (pygame's libjpeg and libpng; no window needed). In the server's process,
off the frame path; one encoding per frame the show writes, cached."""

from __future__ import annotations

import io
import os

import numpy as np
from numpy.typing import NDArray

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame

_cache: dict[str, tuple[int, bytes]] = {}


def encode(frame: NDArray[np.uint8], kind: str) -> bytes:
    key = hash(frame.tobytes()[::997])  # cheap: a frame changes everywhere at once
    hit = _cache.get(kind)
    if hit is not None and hit[0] == key:
        return hit[1]
    h, w = frame.shape[:2]
    surface = pygame.image.frombuffer(np.ascontiguousarray(frame).tobytes(), (w, h), "RGB")
    out = io.BytesIO()
    pygame.image.save(surface, out, "frame.jpg" if kind == "jpeg" else "frame.png")
    data = out.getvalue()
    _cache[kind] = (key, data)
    return data
