"""Fixtures for the recording tests: the CLI in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from nebula import cli
from tests.helpers import Run


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
