"""A frame's signature: a cheap fingerprint of the picture, for the heartbeat (is it black? is it
frozen?) and the journal (does a replay draw what the show drew?)."""

from __future__ import annotations

import zlib

import numpy as np
from numpy.typing import NDArray


def frame_signature(
    pixels: NDArray[np.uint8], grid: tuple[int, int] = (32, 18)
) -> tuple[float, int]:
    """(mean luminance 0..255, CRC32 of the frame averaged down to ``grid`` blocks).

    Block means keep it cheap and independent of the frame size; the film grain changes the
    checksum on every live frame, so an unchanged checksum means the picture is really frozen.
    """
    h, w = pixels.shape[:2]
    gw, gh = min(grid[0], w), min(grid[1], h)
    cropped = pixels[: h - h % gh, : w - w % gw, :3].astype(np.float32)
    blocks = cropped.reshape(gh, cropped.shape[0] // gh, gw, cropped.shape[1] // gw, 3).mean(
        axis=(1, 3)
    )
    luma = blocks @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    return float(luma.mean()), zlib.crc32(blocks.astype(np.float32).tobytes())
