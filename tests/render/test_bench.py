"""The bench's render section: per-pass times that add up, a frozen yardstick, its table."""

from __future__ import annotations

import moderngl
import numpy as np
import pytest

from nebula.bench import render as render_bench
from nebula.bench import report as bench
from nebula.bench.figures import Figures
from nebula.cli import main
from nebula.config import Settings
from nebula.piece import Piece
from nebula.render.frame import FrameTime
from nebula.render.renderer import PASS_NAMES


def test_the_bench_names_every_pass_in_drawing_order() -> None:
    assert render_bench.PASSES == PASS_NAMES


def test_timing_the_passes_leaves_the_picture_as_it_was(ctx: moderngl.Context) -> None:
    with Piece(Settings(), None, (96, 54), ctx=ctx) as piece:
        piece.draw(20.0)
        plain = piece.renderer.read().copy()
        pm: dict[str, float] = {}
        piece.renderer.draw(piece.world, piece.params.values, FrameTime(20.0), pass_ms=pm)
        timed = piece.renderer.read().copy()
    assert list(pm) == list(PASS_NAMES)
    assert all(v >= 0.0 for v in pm.values()) and sum(pm.values()) > 0.0
    np.testing.assert_array_equal(timed, plain)


def test_measure_reports_the_frame_its_passes_and_the_reference() -> None:
    got = render_bench.measure("tiny", (64, 36), samples=2, moments=(20.0,))
    passes = [got[f"pass_ms_{p}_tiny"] for p in PASS_NAMES]
    frame, ref = got["frame_ms_tiny"], got["reference_ms_tiny"]
    assert isinstance(frame, float) and isinstance(ref, float) and frame > 0 and ref > 0
    assert all(isinstance(p, float) and p >= 0 for p in passes)
    # (of the unrounded times: at this size the reference takes hundredths of a millisecond)
    assert got["frame_vs_reference_tiny"] == pytest.approx(frame / ref, rel=0.1)
    for p in PASS_NAMES:  # each pass's share, in the reference's unit
        share, ms = got[f"pass_vs_reference_{p}_tiny"], got[f"pass_ms_{p}_tiny"]
        assert isinstance(share, float) and isinstance(ms, float)
        assert share == pytest.approx(ms / ref, rel=0.1, abs=0.01)


def test_every_pass_has_a_budget_and_a_blown_one_is_reported() -> None:
    budgets = {k: v for k, v in bench.TARGETS.items() if k.startswith("pass_vs_reference_")}
    assert sorted(budgets) == sorted(f"pass_vs_reference_{p}_720p" for p in PASS_NAMES)
    frame_budget = bench.TARGETS["frame_vs_reference_720p"][0]
    assert sum(limit for limit, _ in budgets.values()) == pytest.approx(frame_budget)
    within: Figures = {k: limit * 0.9 for k, (limit, _) in budgets.items()}
    assert bench.targets_missed(within) == []
    blown = {**within, "pass_vs_reference_figures_720p": 2.0}
    assert bench.targets_missed(blown) == [
        f"pass_vs_reference_figures_720p = 2 (target <= {render_bench.BUDGETS['figures']:g})"
    ]


def test_a_window_slower_than_headless_is_reported_and_no_display_is_not() -> None:
    assert bench.targets_missed({"window_vs_headless_720p": 0.95}) == []
    assert bench.targets_missed({"window_vs_headless_720p": 0.85}) == [
        "window_vs_headless_720p = 0.85 (target >= 0.9)"
    ]
    assert bench.targets_missed({}) == []  # no display: the window section has no figures


def test_the_table_says_which_figure_is_which_pass() -> None:
    table = bench.format_table({"pass_ms_plain_720p": 25.0, "frame_vs_reference_720p": 1.2})
    assert "pass plain at 720p" in table
    assert "frame_ms_720p / reference_ms_720p" in table


def test_an_unknown_bench_size_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["bench", "--only", "render", "--sizes", "8k"])
    assert e.value.code == 2
    assert "sizes are 720p, 1080p, 2160p, 4320p" in capsys.readouterr().err


def test_the_window_figure_reads_the_live_loops_steady_rate(
    xdisplay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", xdisplay)
    # Early in the arc (a short seek) and long enough for far more than the 10 warm-up frames
    # on a loaded machine.
    fps = render_bench.window_fps((64, 36), seconds=4.0, at=5.0)
    assert 1.0 < fps < 2000.0
    monkeypatch.setenv("DISPLAY", ":9999")  # no such server: one clear error
    with pytest.raises(RuntimeError, match="the window run failed"):
        render_bench.window_fps((64, 36), seconds=1.0, at=5.0)
