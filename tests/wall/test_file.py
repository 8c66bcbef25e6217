"""Wall files: what is accepted, what is refused (one line naming the key, the value and what
is allowed), the layout `nebula wall check` prints, and the blend's and pin's arithmetic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nebula.cli import main
from nebula.config import ConfigError
from nebula.wall.file import Wall, load_wall, parse_wall
from nebula.wall.geometry import apply, folds, homography, ramp, signal_gain
from nebula.wall.layout import describe, gaps, overlaps

TWO_PROJECTORS = """
[canvas]
size = [3840, 1080]
[tiles.left]
rect = [0, 0, 2048, 1080]
blend = { right = 256 }
[tiles.right]
rect = [1792, 0, 2048, 1080]
blend = { left = { width = 256, gamma = 2.4, curve = 3, center = 0.5 } }
"""


def wall(**tiles: dict[str, Any]) -> Wall:
    return parse_wall({"canvas": {"size": [1000, 500]}, "tiles": tiles})


def test_the_issue_s_two_projector_file_reads(tmp_path: Path) -> None:
    f = tmp_path / "wall.toml"
    f.write_text(TWO_PROJECTORS, encoding="utf-8")
    w = load_wall(f)
    assert w.size == (3840, 1080)
    assert w.tile("left").rect == (0, 0, 2048, 1080)
    assert w.tile("left").blend["right"].width == 256
    assert w.tile("left").blend["right"].gamma == 2.2  # the default
    right = w.tile("right").blend["left"]
    assert (right.gamma, right.curve, right.center) == (2.4, 3.0, 0.5)
    assert overlaps(w) == [("left", "right", (1792, 0, 256, 1080))]
    assert gaps(w) == []


@pytest.mark.parametrize(
    ("tiles", "says"),
    [
        # overlapping tiles without a blend
        ({"a": {"rect": [0, 0, 600, 500]}, "b": {"rect": [500, 0, 500, 500]}}, "overlap by 100"),
        # a blend that does not match the overlap
        (
            {
                "a": {"rect": [0, 0, 600, 500], "blend": {"right": 50}},
                "b": {"rect": [500, 0, 500, 500], "blend": {"left": 100}},
            },
            "blend right = 50",
        ),
        # a blend wider than half a tile
        ({"a": {"rect": [0, 0, 400, 500], "blend": {"right": 201}}}, "from 0 to 200"),
        # a tile outside the canvas
        ({"a": {"rect": [700, 0, 400, 500]}}, "outside the canvas 1000x500"),
        ({"a": {"rect": [-1, 0, 400, 500]}}, "outside the canvas"),
        # corners that fold over (top-right and bottom-right swapped)
        (
            {"a": {"rect": [0, 0, 400, 500], "corners": [[0, 0], [400, 500], [400, 0], [0, 500]]}},
            "fold over",
        ),
        ({"a": {"rect": [0, 0, 400, 500], "wobble": 1}}, "unknown key 'wobble'"),
        ({"a": {"rect": [0, 0, 400]}}, "must be 4 integers"),
        ({"a": {"rect": [0, 0, 400, 500], "blend": {"middle": 5}}}, "unknown key 'middle'"),
        (
            {"a": {"rect": [0, 0, 400, 500], "blend": {"left": {"width": 9, "gamma": 9}}}},
            "gamma = 9 must be a number from 1.0 to 3.0",
        ),
        ({"a": {"rect": [0, 0, 400, 500]}, "b": {"rect": [0, 0, 400, 500]}}, "the same rect"),
        ({"a": {"rect": [0, 0, 1000, 500]}, "b": {"rect": [100, 0, 200, 500]}}, "lies within"),
    ],
)
def test_a_bad_wall_is_refused_naming_what_and_the_way_out(
    tiles: dict[str, Any], says: str
) -> None:
    with pytest.raises(ConfigError, match=says):
        wall(**tiles)


def test_an_unknown_tile_lists_the_tiles_there_are() -> None:
    w = wall(a={"rect": [0, 0, 500, 500]}, b={"rect": [500, 0, 500, 500]})
    with pytest.raises(ConfigError, match=r"no tile 'c'.*its tiles: a, b"):
        w.tile("c")


def test_a_file_that_is_not_utf8_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "wall.toml"
    f.write_bytes(b"[canvas]\nsize = [10, 10] # \xff\n")
    assert main(["wall", "check", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not UTF-8" in err


def test_wall_check_prints_tiles_overlaps_gaps_and_coverage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A 2x2 panel wall with 40 px bezels: gaps nobody draws are reported, not refused.
    f = tmp_path / "panels.toml"
    rows = ["[canvas]", "size = [3880, 2200]"]
    for name, x, y in (("a", 0, 0), ("b", 1960, 0), ("c", 0, 1120), ("d", 1960, 1120)):
        rows += [f"[tiles.{name}]", f"rect = [{x}, {y}, 1920, 1080]"]
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["wall", "check", str(f)]) == 0
    out = capsys.readouterr().out
    assert "d  1920x1080 at 1960,1120" in out
    assert "overlaps: none" in out
    assert "40x1080 at 1920,0" in out and "3880x40 at 0,1080" in out
    uncovered = 40 * 1080 * 2 + 3880 * 40
    assert f"coverage: {100 * (1 - uncovered / (3880 * 2200)):.1f}%" in out


def test_the_layout_names_each_tile_and_its_blends() -> None:
    w = parse_wall(
        {
            "canvas": {"size": [3840, 1080]},
            "tiles": {
                "left": {"rect": [0, 0, 2048, 1080], "blend": {"right": 256}},
                "right": {"rect": [1792, 0, 2048, 1080], "blend": {"left": 256}},
            },
        }
    )
    text = "\n".join(describe(w))
    assert "left   2048x1080 at 0,0  (blend right 256)" in text
    assert "left / right: 256x1080 at 1792,0 (blended)" in text
    assert "coverage: 100.0%" in text


def test_bourke_s_ramps_of_two_projectors_add_up_to_one_light() -> None:
    x = np.linspace(0.0, 1.0, 101)
    for curve in (1.0, 2.0, 3.5):
        assert np.allclose(ramp(x, curve) + ramp(1.0 - x, curve), 1.0)
    assert ramp(0.0) == 0.0 and ramp(1.0) == 1.0 and ramp(0.5) == pytest.approx(0.5)
    # The signal's gain, raised to the projector's gamma, is the light's share.
    assert np.allclose(signal_gain(x, gamma=2.2) ** 2.2, ramp(x))
    # The center a moves the midpoint's light (Bourke: a = 0.5 for a linear projector).
    assert ramp(0.5, 2.0, 0.3) == pytest.approx(0.3)


def test_the_corner_pin_maps_each_corner_and_folds_are_caught() -> None:
    square = [(0.0, 0.0), (400.0, 0.0), (400.0, 300.0), (0.0, 300.0)]
    pinned = [(10.0, 5.0), (390.0, 0.0), (400.0, 300.0), (0.0, 280.0)]
    h = homography(square, pinned)
    assert np.allclose(apply(h, np.array(square)), pinned)
    assert not folds(pinned)
    assert folds([(0, 0), (400, 300), (400, 0), (0, 300)])  # a bow tie
    assert folds([(0, 0), (400, 0), (400, 0), (0, 300)])  # no area at a corner


@pytest.mark.parametrize("name", ["two-projectors", "panels-2x2"])
def test_the_shipped_example_walls_read(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    from nebula.resources import assets_dir

    assert main(["wall", "check", str(assets_dir() / "walls" / f"{name}.toml")]) == 0
    assert "ok" in capsys.readouterr().out
