"""Helpers for the recording tests: run the CLI in-process and decode what it wrote."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest
from av.video.reformatter import ColorRange, Colorspace, Interpolation
from numpy.typing import NDArray

from nebula import cli

Run = Callable[..., int]


@pytest.fixture
def record_cli() -> Run:
    """``record_cli("--frames", "3", ...)`` -> exit status of `nebula record ...`."""

    def run(*args: str) -> int:
        return cli.main(["record", *args])

    return run


@pytest.fixture
def still_cli(tmp_path: Path) -> Callable[..., NDArray[np.uint8]]:
    """``still_cli(t, "320x180", *extra)`` -> the pixels `nebula still --time t` writes."""
    from nebula.output.png import read_png

    def still(t: float, size: str, *extra: str) -> NDArray[np.uint8]:
        out = tmp_path / f"still-{t!r}.png"
        rc = cli.main(["still", "--time", repr(t), "--size", size, "--out", str(out), *extra])
        assert rc == 0
        return read_png(out)

    return still


def decode_rgb(path: Path) -> list[NDArray[np.uint8]]:
    """Every frame as (h, w, 3) uint8 RGB, converted back with the BT.709 limited-range matrix
    the file is tagged with, and accurate rounding (swscale's fast path adds its own error)."""
    with av.open(str(path)) as c:
        return [
            f.reformat(
                format="rgb24",
                src_colorspace=Colorspace.ITU709,
                src_color_range=ColorRange.MPEG,
                interpolation=Interpolation.BICUBIC
                | Interpolation.ACCURATE_RND
                | Interpolation.FULL_CHR_H_INT,
            )
            .to_ndarray()
            .astype(np.uint8, copy=False)
            for f in c.decode(video=0)
        ]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())
