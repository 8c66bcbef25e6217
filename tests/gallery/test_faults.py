from __future__ import annotations

import logging

import pytest

from nebula.gallery.faults import (
    EXIT_CONTEXT_LOST,
    EXIT_FAULT,
    FrameGuard,
    ShowExit,
    context_alive,
)


def boom() -> None:
    raise RuntimeError("injected fault in a frame")


def test_fault_is_logged_with_traceback_retried_then_exits_nonzero(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("test.faults")
    guard = FrameGuard(log, max_faults=3, window=60.0)
    with caplog.at_level(logging.ERROR, logger="test.faults"):
        assert guard.run(lambda: None, now=0.0) is True
        for i in range(3):
            assert guard.run(boom, now=1.0 + i) is False  # retried: the show goes on
        with pytest.raises(ShowExit) as e:
            guard.run(boom, now=5.0)
    assert e.value.code == EXIT_FAULT != 0
    assert len(caplog.records) == 4
    assert all(r.exc_info is not None for r in caplog.records)
    assert "injected fault in a frame" in caplog.text
    assert "Traceback" in caplog.text
    assert "retrying" in caplog.records[0].getMessage()


def test_faults_spread_out_in_time_never_exit() -> None:
    guard = FrameGuard(logging.getLogger("test.faults"), max_faults=3, window=60.0)
    for i in range(20):
        assert guard.run(boom, now=i * 30.0) is False
    assert guard.total == 20


def test_lost_context_exits_at_once_with_its_own_code() -> None:
    guard = FrameGuard(logging.getLogger("test.faults"), probe=lambda: False)
    with pytest.raises(ShowExit) as e:
        guard.run(boom, now=0.0)
    assert e.value.code == EXIT_CONTEXT_LOST != EXIT_FAULT


def test_context_loss_recognised_from_the_message() -> None:
    import moderngl

    def lost() -> None:
        raise moderngl.Error("GL_CONTEXT_LOST")

    guard = FrameGuard(logging.getLogger("test.faults"))
    with pytest.raises(ShowExit) as e:
        guard.run(lost, now=0.0)
    assert e.value.code == EXIT_CONTEXT_LOST


def test_show_exit_passes_through_except_exception() -> None:
    guard = FrameGuard(logging.getLogger("test.faults"), max_faults=0)
    with pytest.raises(SystemExit):
        try:
            guard.run(boom, now=0.0)
        except Exception:  # the app's own handlers must not swallow the exit
            pytest.fail("ShowExit was caught by except Exception")


def test_context_alive_on_a_real_context(ctx: object) -> None:
    assert context_alive(ctx) is True

    class Gone:
        @property
        def error(self) -> str:
            raise RuntimeError("no context")

    assert context_alive(Gone()) is False
