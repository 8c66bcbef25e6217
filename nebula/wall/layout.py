"""A wall in words, for `nebula wall check`: each tile's rectangle and blends, where tiles
overlap, the gaps nobody draws (bezels, or a mistake) and how much of the canvas is covered."""

from __future__ import annotations

import numpy as np

from nebula.wall.file import Rect, Wall


def overlaps(wall: Wall) -> list[tuple[str, str, Rect]]:
    """Every pair of tiles that overlap, with the rectangle they share."""
    out = []
    tiles = list(wall.tiles.values())
    for i, a in enumerate(tiles):
        for b in tiles[i + 1 :]:
            x0, y0 = max(a.rect[0], b.rect[0]), max(a.rect[1], b.rect[1])
            x1 = min(a.rect[0] + a.rect[2], b.rect[0] + b.rect[2])
            y1 = min(a.rect[1] + a.rect[3], b.rect[1] + b.rect[3])
            if x1 > x0 and y1 > y0:
                out.append((a.name, b.name, (x0, y0, x1 - x0, y1 - y0)))
    return out


def gaps(wall: Wall) -> list[Rect]:
    """The canvas no tile covers, as rectangles (exact: the canvas is cut along every tile's
    edges, so a 16K canvas costs no more than a small one)."""
    xs = sorted(
        {0, wall.size[0], *(t.rect[0] for t in wall.tiles.values())}
        | {t.rect[0] + t.rect[2] for t in wall.tiles.values()}
    )
    ys = sorted(
        {0, wall.size[1], *(t.rect[1] for t in wall.tiles.values())}
        | {t.rect[1] + t.rect[3] for t in wall.tiles.values()}
    )
    covered = np.zeros((len(ys) - 1, len(xs) - 1), dtype=bool)
    for t in wall.tiles.values():
        i0, i1 = ys.index(t.rect[1]), ys.index(t.rect[1] + t.rect[3])
        j0, j1 = xs.index(t.rect[0]), xs.index(t.rect[0] + t.rect[2])
        covered[i0:i1, j0:j1] = True
    out: list[Rect] = []
    for i in range(len(ys) - 1):
        j = 0
        while j < len(xs) - 1:  # each row of cells: runs of uncovered cells as one rectangle
            if covered[i, j]:
                j += 1
                continue
            k = j
            while k < len(xs) - 1 and not covered[i, k]:
                k += 1
            out.append((xs[j], ys[i], xs[k] - xs[j], ys[i + 1] - ys[i]))
            j = k
    return _merge_down(out)


def _merge_down(rects: list[Rect]) -> list[Rect]:
    """Rectangles one above the other with the same x and width as one (a bezel's column)."""
    out: list[Rect] = []
    for r in rects:
        for n, o in enumerate(out):
            if o[0] == r[0] and o[2] == r[2] and o[1] + o[3] == r[1]:
                out[n] = (o[0], o[1], o[2], o[3] + r[3])
                break
        else:
            out.append(r)
    return out


def describe(wall: Wall) -> list[str]:
    """The layout as lines of text."""
    w, h = wall.size
    lines = [f"canvas {w}x{h}, {len(wall.tiles)} tile{'s' if len(wall.tiles) != 1 else ''}"]
    width = max(len(n) for n in wall.tiles)
    for t in wall.tiles.values():
        x, y, tw, th = t.rect
        extra = [f"blend {e} {b.width}" for e, b in t.blend.items()]
        if t.corners is not None:
            extra.append("corner-pinned")
        tail = f"  ({', '.join(extra)})" if extra else ""
        lines.append(f"  {t.name:<{width}}  {tw}x{th} at {x},{y}{tail}")
    shared = overlaps(wall)
    lines.append(f"overlaps: {len(shared) or 'none'}")
    lines += [f"  {a} / {b}: {r[2]}x{r[3]} at {r[0]},{r[1]} (blended)" for a, b, r in shared]
    holes = gaps(wall)
    area = sum(r[2] * r[3] for r in holes)
    lines.append(f"gaps (drawn by nobody): {len(holes) or 'none'}")
    lines += [f"  {r[2]}x{r[3]} at {r[0]},{r[1]}" for r in holes]
    lines.append(f"coverage: {100.0 * (1.0 - area / (w * h)):.1f}% of the canvas")
    return lines
