"""Wall files: a canvas and the tiles that show it, in TOML, checked like presets (a bad key,
value or overlap is one line naming it and what is allowed).

    [canvas]
    size = [3840, 1080]               # the whole picture, in canvas pixels
    [tiles.left]
    rect = [0, 0, 2048, 1080]         # x, y, width, height on the canvas (y down)
    blend = { right = 256 }           # soft-edge overlap, canvas pixels, per edge
    [tiles.right]
    rect = [1792, 0, 2048, 1080]
    blend = { left = { width = 256, gamma = 2.4, curve = 3.0, center = 0.5 } }
    corners = [[0, 0], [2048, 12], [2040, 1080], [0, 1070]]   # optional corner pin

An edge's blend is a width, or a table with the width and any of gamma, curve and center.
``corners`` says where the tile's top-left, top-right, bottom-right and bottom-left corners
land in its own output (pixels, y down). A gap between tiles is a bezel: drawn by nobody.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nebula.config import ConfigError, read_toml
from nebula.wall.geometry import folds

#: The largest canvas side: past GL's usual texture limit nothing could draw it anyway.
MAX_CANVAS = 32768
EDGES = ("left", "right", "top", "bottom")
#: Each blend option's default and allowed range.
BLEND_OPTIONS: dict[str, tuple[float, float, float]] = {
    "gamma": (2.2, 1.0, 3.0),
    "curve": (2.0, 1.0, 8.0),
    "center": (0.5, 0.05, 0.95),
}
TILE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")

Rect = tuple[int, int, int, int]


@dataclass(frozen=True)
class Edge:
    """One blended edge: its width in canvas pixels and Bourke's gamma, curve p and center a."""

    width: int
    gamma: float = 2.2
    curve: float = 2.0
    center: float = 0.5


@dataclass(frozen=True)
class Tile:
    """One display's share of the canvas: plain data, so a farmed job can carry it."""

    name: str
    canvas: tuple[int, int]
    rect: Rect
    blend: Mapping[str, Edge] = field(default_factory=dict)
    #: Where the tile's corners land in its output (TL, TR, BR, BL; pixels, y down), or None.
    corners: tuple[tuple[float, float], ...] | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.rect[2], self.rect[3]

    @property
    def origin(self) -> tuple[int, int]:
        """The tile's top-left on the canvas."""
        return self.rect[0], self.rect[1]

    def square_corners(self) -> tuple[tuple[float, float], ...]:
        w, h = self.size
        return ((0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h)))


@dataclass(frozen=True)
class Wall:
    size: tuple[int, int]
    tiles: dict[str, Tile]
    path: Path | None = None
    #: The shared secret a wall of machines signs every message with (``[wall] token``).
    token: str | None = None

    def whole(self) -> Tile:
        """The whole canvas as one tile (a window spanning all of it)."""
        return Tile("canvas", self.size, (0, 0, *self.size))

    def tile(self, name: str) -> Tile:
        """The tile called ``name``; any other name is refused with the names there are."""
        if name not in self.tiles:
            where = f"wall file {str(self.path)!r}" if self.path else "the wall"
            raise ConfigError(f"no tile {name!r} in {where}; its tiles: {', '.join(self.tiles)}")
        return self.tiles[name]


def load_wall(path: Path) -> Wall:
    return parse_wall(read_toml(path, "wall file"), path)


def parse_wall(data: Mapping[str, Any], path: Path | None = None) -> Wall:
    where = f"wall file {str(path)!r}" if path else "wall"
    _only(data, ("canvas", "tiles", "wall"), where)
    canvas = data.get("canvas")
    if not isinstance(canvas, Mapping):
        raise ConfigError(f"{where}: [canvas] is missing; give it size = [width, height]")
    _only(canvas, ("size",), f"{where}: [canvas]")
    size = _ints(canvas.get("size"), 2, f"{where}: canvas.size", 1, MAX_CANVAS)
    raw = data.get("tiles")
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(f"{where}: no tiles; add at least one [tiles.NAME] with a rect")
    tiles: dict[str, Tile] = {}
    for name, t in raw.items():
        tiles[name] = _tile(name, t, (size[0], size[1]), where)
    _check_overlaps(list(tiles.values()), where)
    return Wall((size[0], size[1]), tiles, path, _token(data.get("wall"), where))


#: A token shorter than this is refused: it would be guessed.
MIN_TOKEN = 16


def _token(raw: Any, where: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ConfigError(f'{where}: [wall] must be a table with token = "..."')
    _only(raw, ("token",), f"{where}: [wall]")
    token = raw.get("token")
    if token is None:
        return None
    if not isinstance(token, str) or len(token) < MIN_TOKEN or not token.isprintable():
        raise ConfigError(
            f"{where}: wall.token must be text of at least {MIN_TOKEN} characters, the same on "
            "every machine of the wall"
        )
    return token


def _tile(name: str, t: Any, canvas: tuple[int, int], where: str) -> Tile:
    if not TILE_NAME.fullmatch(name):
        raise ConfigError(f"{where}: tile name {name!r} refused: use letters, digits, - and _")
    at = f"{where}: tiles.{name}"
    if not isinstance(t, Mapping):
        raise ConfigError(f"{at} must be a table with rect = [x, y, width, height]")
    _only(t, ("rect", "blend", "corners"), at)
    if "rect" not in t:
        raise ConfigError(f"{at}.rect is missing; give rect = [x, y, width, height]")
    x, y, w, h = _ints(t["rect"], 4, f"{at}.rect", -MAX_CANVAS, MAX_CANVAS)
    if w < 1 or h < 1:
        raise ConfigError(f"{at}.rect = {list(t['rect'])}: width and height must be at least 1")
    if x < 0 or y < 0 or x + w > canvas[0] or y + h > canvas[1]:
        raise ConfigError(
            f"{at}.rect = {[x, y, w, h]} is outside the canvas {canvas[0]}x{canvas[1]}: "
            f"x 0 to {canvas[0] - w}, y 0 to {canvas[1] - h} for that size"
        )
    blend = _blend(t.get("blend", {}), (w, h), at)
    corners = _corners(t["corners"], (w, h), at) if "corners" in t else None
    return Tile(name, canvas, (x, y, w, h), blend, corners)


def _blend(raw: Any, size: tuple[int, int], at: str) -> dict[str, Edge]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{at}.blend must be a table such as {{ right = 256 }}")
    _only(raw, EDGES, f"{at}.blend")
    out = {}
    for edge, v in raw.items():
        key = f"{at}.blend.{edge}"
        opts = v if isinstance(v, Mapping) else {"width": v}
        _only(opts, ("width", *BLEND_OPTIONS), key)
        half = (size[0] if edge in ("left", "right") else size[1]) // 2
        if "width" not in opts:
            raise ConfigError(f"{key}.width is missing: the overlap in canvas pixels")
        (width,) = _ints([opts["width"]], 1, f"{key}.width", 0, half)
        values = {}
        for opt, (default, lo, hi) in BLEND_OPTIONS.items():
            val = opts.get(opt, default)
            if isinstance(val, bool) or not isinstance(val, (int, float)) or not lo <= val <= hi:
                raise ConfigError(f"{key}.{opt} = {val!r} must be a number from {lo} to {hi}")
            values[opt] = float(val)
        if width:
            out[edge] = Edge(width, **values)
    return out


def _corners(raw: Any, size: tuple[int, int], at: str) -> tuple[tuple[float, float], ...]:
    w, h = size
    shape = "four [x, y] points: top-left, top-right, bottom-right, bottom-left"
    if not isinstance(raw, list) or len(raw) != 4:
        raise ConfigError(f"{at}.corners must be {shape}")
    pts = []
    for p in raw:
        ok = isinstance(p, list) and len(p) == 2
        ok = ok and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in p)
        if not ok:
            raise ConfigError(f"{at}.corners: {p!r} is not an [x, y] point; give {shape}")
        x, y = float(p[0]), float(p[1])
        if not (-w <= x <= 2 * w and -h <= y <= 2 * h):
            raise ConfigError(
                f"{at}.corners: {p!r} is too far out: "
                f"x from {-w} to {2 * w}, y from {-h} to {2 * h}"
            )
        pts.append((x, y))
    if folds(pts):
        raise ConfigError(
            f"{at}.corners = {raw} fold over: go round the tile (top-left, top-right, "
            "bottom-right, bottom-left) with no edge crossing another"
        )
    return tuple(pts)


def _check_overlaps(tiles: list[Tile], where: str) -> None:
    """Two tiles may overlap only where both blend: across x, the left one's right edge and the
    right one's left edge, each as wide as the overlap (and so across y)."""
    for i, a in enumerate(tiles):
        for b in tiles[i + 1 :]:
            spans = (_span(a, b, 0, ("right", "left")), _span(a, b, 1, ("bottom", "top")))
            if any(s is None for s in spans):
                continue  # apart, or only touching
            if spans == ("same", "same"):
                raise ConfigError(f"{where}: tiles {a.name!r} and {b.name!r} have the same rect")
            for axis, s in enumerate(spans):
                if s == "same":
                    continue
                assert isinstance(s, tuple)
                first, second, overlap = s
                if overlap < 0:
                    raise ConfigError(
                        f"{where}: tile {second.name!r} lies within {first.name!r} across "
                        f"{'xy'[axis]}; tiles may overlap only at an edge, where both blend"
                    )
                lo_edge, hi_edge = ("right", "left") if axis == 0 else ("bottom", "top")
                wa = first.blend.get(lo_edge, Edge(0)).width
                wb = second.blend.get(hi_edge, Edge(0)).width
                if wa != overlap or wb != overlap:
                    raise ConfigError(
                        f"{where}: tiles {first.name!r} and {second.name!r} overlap by {overlap} "
                        f"px across {'xy'[axis]}, but blend {lo_edge} = {wa} and {hi_edge} = "
                        f"{wb}: give {first.name}'s blend {lo_edge} = {overlap} and "
                        f"{second.name}'s {hi_edge} = {overlap}, or move them apart"
                    )


def _span(a: Tile, b: Tile, axis: int, edges: tuple[str, str]) -> Any:
    """How ``a`` and ``b`` meet along one axis: None (apart or touching), "same" (the same
    span), or (first, second, overlap) for two spans that overlap at an end."""
    a0, a1 = a.rect[axis], a.rect[axis] + a.rect[axis + 2]
    b0, b1 = b.rect[axis], b.rect[axis] + b.rect[axis + 2]
    if a1 <= b0 or b1 <= a0:
        return None
    if (a0, a1) == (b0, b1):
        return "same"
    first, second = (a, b) if (a0, a1) < (b0, b1) else (b, a)
    f1 = first.rect[axis] + first.rect[axis + 2]
    s0, s1 = second.rect[axis], second.rect[axis] + second.rect[axis + 2]
    if f1 >= s1:  # one inside the other along this axis: no blend can stitch that
        return (first, second, -1)
    return (first, second, f1 - s0)


def _only(table: Mapping[str, Any], allowed: tuple[str, ...], at: str) -> None:
    unknown = [k for k in table if k not in allowed]
    if unknown:
        raise ConfigError(f"{at}: unknown key {unknown[0]!r}; allowed: {', '.join(allowed)}")


def _ints(v: Any, n: int, at: str, lo: int, hi: int) -> list[int]:
    ok = isinstance(v, list) and len(v) == n
    ok = ok and all(isinstance(c, int) and not isinstance(c, bool) for c in v)
    if not ok:
        what = "an integer" if n == 1 else f"{n} integers"
        got = v[0] if n == 1 and isinstance(v, list) else v
        raise ConfigError(f"{at} = {got!r} must be {what}")
    for c in v:
        if not lo <= c <= hi:
            got = c if n == 1 else v
            raise ConfigError(f"{at} = {got!r}: each value must be from {lo} to {hi}")
    return list(v)
