"""A wall's tiles stitch into the one canvas: each tile drawn on its own (its piece, its size)
and put side by side is byte for byte the still of the whole canvas at the same time and seed,
for a 2x2 wall and for a row of three whose widths are no multiple of 8; where two projectors
blend, their light adds up to the canvas's; a corner pin moves the picture where it says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import moderngl
import numpy as np
import pytest
from numpy.typing import NDArray

from nebula.config import Settings
from nebula.piece import Piece
from nebula.render import region
from nebula.wall.file import Wall, parse_wall

W, H = 640, 360
#: Resonance (the threads, the bloom at its fullest) and the fade (the watercolour bleeding,
#: the widest read around a pixel).
MOMENTS = (130.0, 236.0)
SETTINGS = Settings(seed=3, sim_hz=10.0)


def make_wall(tiles: dict[str, tuple[int, int, int, int]], **extra: dict[str, object]) -> Wall:
    raw = {n: {"rect": list(r), **extra.get(n, {})} for n, r in tiles.items()}
    return parse_wall({"canvas": {"size": [W, H]}, "tiles": raw})


TWO_BY_TWO = make_wall(
    {
        "a": (0, 0, 320, 180),
        "b": (320, 0, 320, 180),
        "c": (0, 180, 320, 180),
        "d": (320, 180, 320, 180),
    }
)
ROW_OF_THREE = make_wall({"a": (0, 0, 211, H), "b": (211, 0, 219, H), "c": (430, 0, 210, H)})


@pytest.fixture(scope="module")
def canvas(gl: moderngl.Context) -> dict[float, NDArray[np.uint8]]:
    with Piece(SETTINGS, None, (W, H), ctx=gl) as p:
        return {t: p.render(t).copy() for t in MOMENTS}


def stitched(gl: moderngl.Context, wall: Wall) -> Iterator[tuple[float, NDArray[np.uint8]]]:
    out = {t: np.zeros((H, W, 3), dtype=np.uint8) for t in MOMENTS}
    for tile in wall.tiles.values():
        x, y, w, h = tile.rect
        with Piece(SETTINGS, None, tile.size, ctx=gl, tile=tile) as p:
            for t in MOMENTS:
                out[t][y : y + h, x : x + w] = p.render(t)
    yield from out.items()


@pytest.mark.parametrize("wall", [TWO_BY_TWO, ROW_OF_THREE], ids=["2x2", "row-of-3"])
def test_tiles_stitch_byte_for_byte_into_the_canvas(
    gl: moderngl.Context, canvas: dict[float, NDArray[np.uint8]], wall: Wall
) -> None:
    for t, picture in stitched(gl, wall):
        diff = np.abs(picture.astype(np.int16) - canvas[t])
        assert not diff.any(), f"t = {t}: {np.count_nonzero(diff)} values differ, max {diff.max()}"


def test_without_the_guard_band_the_seams_show(
    gl: moderngl.Context, canvas: dict[float, NDArray[np.uint8]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The guard is load-bearing: the bloom reads far around each pixel.
    monkeypatch.setattr(region, "GUARD_PX", 0)
    monkeypatch.setattr(region, "REFLECTION_SHARE", 0.0)
    worst = max(
        int(np.abs(p.astype(np.int16) - canvas[t]).max()) for t, p in stitched(gl, TWO_BY_TWO)
    )
    assert worst > 2


def test_blended_projectors_give_the_canvas_s_light(
    gl: moderngl.Context, canvas: dict[float, NDArray[np.uint8]]
) -> None:
    gamma = 2.2
    wall = make_wall(
        {"left": (0, 0, 352, H), "right": (288, 0, 352, H)},
        left={"blend": {"right": 64}},
        right={"blend": {"left": 64}},
    )
    shots = {}
    for name, tile in wall.tiles.items():
        with Piece(SETTINGS, None, tile.size, ctx=gl, tile=tile) as p:
            shots[name] = p.render(MOMENTS[0]).astype(np.float64)
    whole = canvas[MOMENTS[0]].astype(np.float64)
    # Outside the overlap each is the canvas, untouched.
    assert np.array_equal(shots["left"][:, :288], whole[:, :288])
    assert np.array_equal(shots["right"][:, 64:], whole[:, 352:])
    # In it the two lights (signal ** gamma) add up to the canvas's within one code value.
    light = (shots["left"][:, 288:] / 255) ** gamma + (shots["right"][:, :64] / 255) ** gamma
    summed = 255 * light ** (1 / gamma)
    assert np.abs(summed - whole[:, 288:352]).max() <= 1.0
    # And each side really fades: at its outer edge it gives almost nothing.
    assert shots["left"][:, -1].mean() < 0.1 * whole[:, 351].mean() + 1


def test_a_corner_pin_moves_the_picture_where_the_file_says(
    gl: moderngl.Context, canvas: dict[float, NDArray[np.uint8]]
) -> None:
    # The tile squeezed into the right half of its output: the left half is the projector's
    # black, and the squeezed picture is the canvas at half the width.
    corners = [[160, 0], [320, 0], [320, 180], [160, 180]]
    wall = make_wall({"a": (0, 0, 320, 180)}, a={"corners": corners})
    tile = wall.tile("a")
    with Piece(SETTINGS, None, tile.size, ctx=gl, tile=tile) as p:
        pinned = p.render(MOMENTS[0]).astype(np.int16)
    assert pinned[:, :158].max() == 0
    source = canvas[MOMENTS[0]][:180, :320].astype(np.int16)
    half = (source[:, 0::2] + source[:, 1::2]) // 2  # what half the width shows, about
    assert np.abs(pinned[:, 162:318] - half[:, 2:158]).mean() < 6.0


def test_still_draws_a_tile_s_calibration_pattern(tmp_path: Path) -> None:
    from nebula.cli import main
    from nebula.output.png import read_png

    wall = tmp_path / "wall.toml"
    wall.write_text(
        "[canvas]\nsize = [320, 90]\n[tiles.a]\nrect = [0, 0, 176, 90]\nblend = { right = 32 }\n"
        "[tiles.b]\nrect = [144, 0, 176, 90]\nblend = { left = 32 }\n",
        encoding="utf-8",
    )
    out = tmp_path / "a.png"
    assert main(["still", "--wall", str(wall), "--tile", "a", "--pattern", "--out", str(out)]) == 0
    shot = read_png(out)[..., :3].astype(np.float64)
    assert shot.shape[:2] == (90, 176)
    # Mid grey with its right edge fading out over the 32 px blend; the amber outline.
    assert 110 < np.median(shot[55:70, 40:60]) < 150
    assert shot[40:50, -2].mean() < 30
    assert shot[1, 60, 0] > 200 and shot[1, 60, 2] < 80
    # Without a wall there is no tile to calibrate: one line, status 2.
    assert main(["still", "--pattern", "--out", str(tmp_path / "x.png")]) == 2


def test_a_canvas_gl_cannot_allocate_is_refused_naming_the_wall(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from nebula.cli import main

    wall = tmp_path / "huge.toml"
    wall.write_text("[canvas]\nsize = [30000, 30000]\n[tiles.a]\nrect = [0, 0, 320, 180]\n")
    out = tmp_path / "a.png"
    assert main(["still", "--wall", str(wall), "--tile", "a", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"--wall {wall}" in err and "30000x30000" in err
    assert not out.exists()
