"""The frame-rate ceiling: a schedule of frame starts, fed times from outside."""

from __future__ import annotations

import re
import subprocess

import pytest

from nebula.app.pacing import FramePacer
from tests.helpers import NEBULA, needs_display


def test_frames_start_a_period_apart_on_a_schedule() -> None:
    pacer = FramePacer(100.0)  # 10 ms
    assert pacer.wait(0.0) == 0.0  # the first frame starts at once
    # A 3 ms frame: sleep the rest of the period, not a whole period after the frame.
    assert pacer.wait(0.003) == pytest.approx(0.007)
    # Slept slightly long (10.4 ms): the next start is still due at 20 ms, so no drift.
    assert pacer.wait(0.0104 + 0.003) == pytest.approx(0.0066)


def test_a_late_frame_is_not_followed_by_a_burst() -> None:
    pacer = FramePacer(100.0)
    pacer.wait(0.0)
    assert pacer.wait(0.050) == 0.0  # 40 ms late
    assert pacer.wait(0.051) == pytest.approx(0.009)  # paced from the late frame on


def test_zero_is_no_ceiling_and_negative_is_refused() -> None:
    pacer = FramePacer(0.0)
    assert [pacer.wait(t) for t in (0.0, 0.0001, 0.0002)] == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="max_fps"):
        FramePacer(-1.0)


@pytest.mark.window
def test_the_live_loop_keeps_under_its_ceiling() -> None:
    """At 64x36 this machine draws about 95 frames a second unsynced (Xvfb ignores vsync)."""
    needs_display()
    proc = subprocess.run(
        [*NEBULA, "run", "--size", "64x36", "--no-hud", "--exit-after", "2", "--max-fps", "20"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    m = re.search(r"(\d+) frames in ([\d.]+) s", proc.stdout)
    assert m, proc.stdout
    frames, seconds = int(m[1]), float(m[2])
    assert 0.5 * 20 * seconds <= frames <= 20 * seconds + 2
    # The steady rate (what the bench's window figure reads) leaves out the first frames and
    # is held under the ceiling too.
    steady = re.search(r"steady ([\d.]+) fps", proc.stdout)
    assert steady, proc.stdout
    assert 0.5 * 20 <= float(steady[1]) <= 20 * 1.05


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--max-fps", "-5"], "--max-fps -5"),
        (["--max-fps", "nan"], "--max-fps nan"),
        # The render scaler would chase a rate the ceiling forbids.
        (["--target-fps", "144"], "--target-fps 144 is above the --max-fps 120"),
    ],
)
def test_a_bad_ceiling_is_refused_in_one_line(args: list[str], named: str) -> None:
    proc = subprocess.run([*NEBULA, "run", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert named in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
