"""The picture of docs/other-software.md: the alpha an NDI source sends with --ndi-alpha (white
is opaque), and the same frame laid over a checkerboard with it.

    python scripts/ndi_alpha_picture.py        # writes docs/ndi_alpha.png
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nebula.config import Settings
from nebula.output.png import write_png
from nebula.piece import Piece
from nebula.render.ndi import NdiTap

OUT = Path(__file__).resolve().parent.parent / "docs" / "ndi_alpha.png"
SIZE = (640, 360)
TIME = 130.0  # resonance: every figure, the threads across the circle


def main() -> None:
    w, h = SIZE
    with Piece(Settings(), None, SIZE) as piece:
        drawn = piece.draw(TIME)
        tap = NdiTap(piece.ctx, SIZE, alpha=True)
        try:
            tap.capture(piece, drawn)
            rgba = np.empty((h, w, 4), np.uint8)
            tap.take(rgba)  # top row first: the tap draws it so when it sends alpha
        finally:
            tap.release()
    alpha = rgba[..., 3:].astype(np.float64) / 255.0
    y, x = np.mgrid[0:h, 0:w]
    checker = np.where((y // 20 + x // 20) % 2 == 0, 40.0, 90.0)[..., None]
    over = rgba[..., :3] * alpha + checker * (1.0 - alpha)  # straight alpha, an over blend
    picture = np.concatenate([np.repeat(rgba[..., 3:], 3, axis=-1), over.astype(np.uint8)], axis=1)
    write_png(OUT, picture)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
