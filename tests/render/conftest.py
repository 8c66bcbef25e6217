"""Fixtures of the render tests."""

from __future__ import annotations

from collections.abc import Iterator

import moderngl
import pytest

from nebula.config import Settings
from nebula.piece import Piece
from tests.helpers import RENDER_SIZE


@pytest.fixture(scope="module")
def piece(gl: moderngl.Context) -> Iterator[Piece]:
    """One small piece per test module, on the session's context. 10 Hz steps: the same arc at
    a sixth of the simulation cost (the picture is what is tested)."""
    p = Piece(Settings(seed=0, sim_hz=10.0), size=RENDER_SIZE, ctx=gl)
    yield p
    p.close()
