"""The pictures of docs/walls.md, from the two wall files in assets/walls: what each projector
of the two-projector blend is sent and what the wall then shows (their light added), and the
2x2 panel wall with its bezels, each as the calibration pattern and as the piece.

    python scripts/wall_pictures.py            # writes docs/wall_*.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from nebula.output.png import read_png, write_png
from nebula.wall.file import Wall, load_wall

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
WALLS = REPO / "assets" / "walls"
TIME = 130.0  # resonance: the threads across the whole canvas
GAMMA = 2.2


def tiles(wall_file: Path, pattern: bool, folder: Path) -> dict[str, NDArray[np.uint8]]:
    """Each tile of the wall as `nebula still` draws it."""
    out = {}
    for name in load_wall(wall_file).tiles:
        png = folder / f"{wall_file.stem}-{name}-{pattern}.png"
        cmd = [sys.executable, "-m", "nebula", "still", "--wall", str(wall_file), "--tile", name]
        cmd += ["--time", str(TIME), "--out", str(png), "--force"]
        subprocess.run(cmd + (["--pattern"] if pattern else []), check=True, capture_output=True)
        out[name] = read_png(png)
    return out


def on_the_wall(wall: Wall, shots: dict[str, NDArray[np.uint8]]) -> NDArray[np.uint8]:
    """What the audience sees: each tile's light where it lands, overlaps added in light, the
    gaps (bezels) black."""
    w, h = wall.size
    light = np.zeros((h, w, 3))
    for name, tile in wall.tiles.items():
        x, y, tw, th = tile.rect
        light[y : y + th, x : x + tw] += (shots[name][..., :3] / 255.0) ** GAMMA
    return np.asarray(np.clip(light ** (1 / GAMMA) * 255 + 0.5, 0, 255), dtype=np.uint8)


def side_by_side(shots: list[NDArray[np.uint8]], gap: int = 24) -> NDArray[np.uint8]:
    h = max(s.shape[0] for s in shots)
    parts: list[NDArray[np.uint8]] = []
    for s in shots:
        if parts:
            parts.append(np.full((h, gap, 3), 255, dtype=np.uint8))
        parts.append(s[..., :3])
    return np.concatenate(parts, axis=1)


def half(a: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Half the size each way (a 2x2 box), for pages."""
    h, w = a.shape[0] // 2 * 2, a.shape[1] // 2 * 2
    b = a[:h, :w].astype(np.uint16)
    return np.asarray(
        (b[0::2, 0::2] + b[1::2, 0::2] + b[0::2, 1::2] + b[1::2, 1::2] + 2) // 4, dtype=np.uint8
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for stem in ("two-projectors", "panels-2x2"):
            path = WALLS / f"{stem}.toml"
            wall = load_wall(path)
            for pattern in (True, False):
                shots = tiles(path, pattern, folder)
                kind = "pattern" if pattern else "piece"
                if stem == "two-projectors":
                    sent = side_by_side([shots[n] for n in wall.tiles])
                    write_png(DOCS / f"wall_projectors_sent_{kind}.png", half(sent))
                write_png(
                    DOCS / f"wall_{stem.replace('-', '_')}_{kind}.png",
                    half(on_the_wall(wall, shots)),
                )
    print("wrote docs/wall_*.png")


if __name__ == "__main__":
    main()
