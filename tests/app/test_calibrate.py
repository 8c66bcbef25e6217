"""Setting up a wall from a running show: the calibration pattern, the corner pin nudged with
the keys' actions, and written back into the wall file, atomically and never over a file that
changed on disk meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import moderngl
import numpy as np
import pytest

from nebula.app.live import LiveOptions, open_show
from nebula.app.show import Show
from nebula.config import ConfigError, Settings
from nebula.wall.file import load_wall
from nebula.wall.pin import save_corners, with_corners

WALL = """# A two-projector blend, small enough for tests.
[canvas]
size = [320, 90]

[tiles.left]   # the left projector
rect = [0, 0, 176, 90]
blend = { right = 32 }

[tiles.right]
rect = [144, 0, 176, 90]
blend = { left = 32 }
"""


@pytest.fixture
def wall(tmp_path: Path) -> Path:
    f = tmp_path / "wall.toml"
    f.write_text(WALL, encoding="utf-8")
    return f


@pytest.fixture
def show(ctx: moderngl.Context, wall: Path) -> Iterator[Show]:
    tile = load_wall(wall).tile("right")
    options = LiveOptions(settings=Settings(seed=2, sim_hz=10.0), tile=tile, wall=wall)
    s = open_show(ctx, tile.size, options, now_wall=0.0)
    yield s
    s.release()


def test_the_pattern_replaces_the_piece_and_shows_the_blend(show: Show) -> None:
    show.frame(0.1)
    piece = show.piece.read().astype(np.float64)
    assert show.do("pattern")
    show.frame(0.2)
    pattern = show.piece.read().astype(np.float64)
    assert np.abs(pattern - piece).mean() > 10
    # Mid grey away from the blend, fading to black across it towards the tile's left edge.
    mid = pattern[60:80, 120:140]
    assert 110 < np.median(mid) < 150
    assert pattern[40:50, 1:3].mean() < 0.2 * np.median(mid)
    assert show.do("pattern")  # and off again: the piece
    show.frame(0.3)
    assert np.abs(show.piece.read().astype(np.float64) - pattern).mean() > 10


def test_nudging_a_corner_moves_the_pin_and_ctrl_w_writes_it(show: Show, wall: Path) -> None:
    assert show.do("pin_right")  # refused with a message while the pattern is off
    assert show.piece.tile is not None and show.piece.tile.corners is None
    show.do("pattern")
    show.do("pin_corner")  # the top-right corner
    for _ in range(3):
        show.do("pin_left")
    show.do("pin_down")
    show.frame(0.1)
    assert show.piece.tile.corners == ((0, 0), (173, 1), (176, 90), (0, 90))
    before = wall.read_text(encoding="utf-8")
    show.do("pin_save")
    after = wall.read_text(encoding="utf-8")
    assert "corners = [[0, 0], [173, 1], [176, 90], [0, 90]]" in after
    # Only that line was added: the comments and the rest stay as they were written.
    assert after.replace("corners = [[0, 0], [173, 1], [176, 90], [0, 90]]\n", "") == before
    assert load_wall(wall).tile("right").corners == ((0, 0), (173, 1), (176, 90), (0, 90))


def test_a_wall_file_changed_on_disk_is_never_overwritten(show: Show, wall: Path) -> None:
    show.do("pattern")
    show.do("pin_up")
    edited = WALL.replace("size = [320, 90]", "size = [320, 90]  # edited meanwhile")
    wall.write_text(edited, encoding="utf-8")
    show.do("pin_save")
    assert wall.read_text(encoding="utf-8") == edited
    assert any("changed on disk" in m.text for m in show.messages)


def test_a_fold_is_refused_and_the_pin_stays(show: Show) -> None:
    show.do("pattern")
    for _ in range(200):  # the top-left corner dragged right across the whole tile
        show.do("pin_right")
    corners = show.piece.tile.corners if show.piece.tile else None
    assert corners is not None and not any(c[0] >= 176 for c in corners[:1])
    assert any("fold" in m.text for m in show.messages)


def test_with_corners_replaces_a_pin_or_adds_one_under_the_tile(tmp_path: Path) -> None:
    once = with_corners(WALL, "left", [(1, 2), (176, 0), (176, 90), (0, 90)])
    assert "[tiles.left]   # the left projector\ncorners = [[1, 2], [176, 0]" in once
    twice = with_corners(once, "left", [(3, 2), (176, 0), (176, 90.5), (0, 90)])
    assert twice.count("corners =") == 1 and "[[3, 2], [176, 0], [176, 90.5], [0, 90]]" in twice
    with pytest.raises(ConfigError, match=r"no \[tiles.middle\] header"):
        with_corners(WALL, "middle", [(0, 0), (1, 0), (1, 1), (0, 1)])
    # A tile written as an inline table cannot take the line: refused, the file left as it was.
    f = tmp_path / "inline.toml"
    text = "[canvas]\nsize = [100, 100]\n[tiles]\na = { rect = [0, 0, 100, 100] }\n"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="add by hand"):
        save_corners(f, "a", [(0, 0), (100, 0), (100, 100), (0, 100)], text.encode())
    assert f.read_text(encoding="utf-8") == text
