"""`nebula scan` as a user meets it: a readable summary, one JSON object last with --json, a chart
with --plot, exit 1 when anything is flagged, 2 for a bad argument before anything renders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nebula.cli import main
from nebula.output.png import read_png

SHORT = ["--start", "120", "--seconds", "1", "--size", "64x36"]


@pytest.mark.slow
def test_scan_summarises_and_ends_with_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "steps.png"
    assert main(["scan", *SHORT, "--json", "--plot", str(chart)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("scanned 15 frames")
    assert "nothing flagged" in out
    summary = json.loads(out[-1])
    assert summary["frames"] == 15 and summary["flags"] == []
    assert summary["median_sky"] > 0 and summary["worst_ground"] >= summary["median_ground"]
    assert 119.9 < summary["worst_sky_t"] < 121.0
    img = read_png(chart)
    assert img.shape[0] > 200 and img.std() > 10  # a chart, not a blank page


@pytest.mark.slow
def test_scan_exits_1_when_it_flags(capsys: pytest.CaptureFixture[str]) -> None:
    # At 1.01 x the local median nearly every other step is a spike: flagged, exit 1.
    assert main(["scan", *SHORT, "--ratio", "1.01", "--json"]) == 1
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["flags"] and {f["kind"] for f in summary["flags"]} <= {"flash", "jump"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--fps", "0"], "--fps 0"),
        (["--fps", "nan"], "--fps nan"),
        (["--ratio", "1"], "--ratio 1"),
        (["--size", "0x9"], "--size"),
        (["--plot", "chart.jpg"], "must end in .png"),
        (["--preset", "no-such-look"], "no-such-look"),
    ],
)
def test_bad_arguments_exit_2_before_rendering(
    no_render: None,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    assert main(["scan", *SHORT, *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_an_existing_plot_is_kept_without_force(
    tmp_path: Path, no_render: None, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "steps.png"
    chart.write_bytes(b"mine")
    assert main(["scan", *SHORT, "--plot", str(chart)]) == 2
    assert chart.read_bytes() == b"mine"
    assert "--force" in capsys.readouterr().err
