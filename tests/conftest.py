"""Shared fixtures: one headless GL context per session; GL tests end with a clean error state."""

from __future__ import annotations

import os

# Before nebula is imported: a uniform that no shader declares fails instead of rendering zero.
os.environ.setdefault("NEBULA_STRICT_UNIFORMS", "1")

from collections.abc import Iterator

import moderngl
import pytest

from nebula.render.context import headless_context


@pytest.fixture(scope="session")
def gl() -> Iterator[moderngl.Context]:
    ctx = headless_context()
    yield ctx
    ctx.release()


@pytest.fixture
def ctx(gl: moderngl.Context) -> Iterator[moderngl.Context]:
    """The session context, asserting the test left no GL error behind."""
    _ = gl.error  # clear anything stale
    yield gl
    assert gl.error == "GL_NO_ERROR"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on a private X server (the ``xdisplay`` fixture) open windows: mark them so the
    quick tier (``-m "not window and not slow"``) leaves them out."""
    for item in items:
        if "xdisplay" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.window)
