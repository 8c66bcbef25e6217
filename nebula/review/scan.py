"""The motion check: render a span frame by frame, as it is shown, and flag what a viewer would
see break between two frames: a flash, a jump, a non-finite value in a float target, or a large
pure-black area.

Stills cannot show these. A one-frame black block, or the whole sky turning by a fraction of a
turn from one frame to the next, passes any check of single frames; it shows only as a spike in
the difference between consecutive frames. So for each frame this measures the mean absolute
difference from the previous frame (0-255 levels, RGB averaged), split at the horizon into sky
and ground, and the difference across it (previous to next) to tell a flash, which returns, from
a jump, which does not.

``find_flags`` is pure (arrays in, flags out), so a planted flash and a planted jump in a
synthetic sequence test it; ``scan`` feeds it from a real piece.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nebula import scene
from nebula.clock import frame_time
from nebula.files import temp_name
from nebula.sim import story

REGIONS = ("sky", "ground")
KINDS = ("flash", "jump", "nonfinite", "black")


@dataclass(frozen=True)
class Thresholds:
    """When a frame is flagged. Ratios are against the local median step: motion is calm in the
    arrival and fast at unity, so one global figure would miss a jump in one or cry wolf in the
    other."""

    #: A step this many times the local median is a spike (the sky jump was about 10x).
    ratio: float = 5.0
    #: Steps smaller than this (levels) are never spikes, however still the piece is around them.
    floor: float = 1.0
    #: The local median is taken over this many seconds either side.
    window_s: float = 2.0
    #: A spike returns (a flash) when previous-to-next differs less than this share of it.
    returns: float = 0.5
    #: A pixel is pure black when no channel exceeds this level (grain alone lifts black to ~3).
    black_level: int = 1
    #: A frame with more than this share of pure-black pixels has a black area.
    black_share: float = 0.005


@dataclass(frozen=True)
class Flag:
    frame: int
    t: float
    kind: str  # one of KINDS
    region: str  # "sky", "ground" or "frame"
    value: float  # the step (levels), the non-finite pixel count, or the black share
    baseline: float  # the local median step it was judged against (0 where none applies)


@dataclass
class ScanResult:
    start: float
    fps: float
    size: tuple[int, int]
    seed: int
    cycle_seconds: float
    times: NDArray[np.float64]
    #: Per frame and region: the step from the previous frame (nan for the first frame).
    steps: dict[str, NDArray[np.float64]]
    #: Per frame and region: previous to next frame (nan at both ends).
    skips: dict[str, NDArray[np.float64]]
    nonfinite: NDArray[np.int64]
    black: NDArray[np.float64]
    flags: list[Flag] = field(default_factory=list)

    @property
    def frames(self) -> int:
        return len(self.times)

    def summary(self) -> dict[str, Any]:
        """Frames scanned, median and worst step per region with their times, and the flags."""
        out: dict[str, Any] = {
            "frames": self.frames,
            "start": self.start,
            "fps": self.fps,
            "size": f"{self.size[0]}x{self.size[1]}",
            "seed": self.seed,
        }
        for r in REGIONS:
            s = self.steps[r]
            if np.isfinite(s).any():
                worst = int(np.nanargmax(s))
                out[f"median_{r}"] = round(float(np.nanmedian(s)), 4)
                out[f"worst_{r}"] = round(float(s[worst]), 4)
                out[f"worst_{r}_t"] = round(float(self.times[worst]), 4)
        out["nonfinite_frames"] = int(np.count_nonzero(self.nonfinite))
        out["max_black_share"] = round(float(self.black.max(initial=0.0)), 5)
        out["flags"] = [asdict(f) for f in self.flags]
        return out


def _rolling_median(x: NDArray[np.float64], half: int) -> NDArray[np.float64]:
    """Median of x over [i - half, i + half], ignoring nan (edges use what exists)."""
    n = len(x)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    padded = np.concatenate([np.full(half, np.nan), x, np.full(half, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    valid = np.isfinite(windows).any(axis=1)
    out[valid] = np.nanmedian(windows[valid], axis=1)
    return out


def find_flags(
    times: NDArray[np.float64],
    steps: dict[str, NDArray[np.float64]],
    skips: dict[str, NDArray[np.float64]],
    nonfinite: NDArray[np.int64],
    black: NDArray[np.float64],
    fps: float,
    th: Thresholds = Thresholds(),
) -> list[Flag]:
    """Flag frames. steps[r][i]: frame i-1 -> i; skips[r][i]: frame i-1 -> i+1."""
    flags: list[Flag] = []
    half = max(2, round(th.window_s * fps))
    for r in REGIONS:
        d, skip = steps[r], skips[r]
        base = np.fmax(_rolling_median(d, half), 0.0)
        limit = np.fmax(th.ratio * base, th.floor)
        with np.errstate(invalid="ignore"):
            spike = np.nan_to_num(d, nan=0.0) > limit
        flashed: set[int] = set()
        for i in map(int, np.flatnonzero(spike)):
            nxt = i + 1
            if i in flashed:
                continue  # the return step of a flash already flagged
            if (
                nxt < len(d)
                and spike[nxt]
                and math.isfinite(skip[i])
                and skip[i] < th.returns * min(d[i], d[nxt])
            ):
                flags.append(Flag(i, float(times[i]), "flash", r, float(d[i]), float(base[i])))
                flashed.add(nxt)
            else:
                flags.append(Flag(i, float(times[i]), "jump", r, float(d[i]), float(base[i])))
    for k in map(int, np.flatnonzero(nonfinite)):
        flags.append(Flag(k, float(times[k]), "nonfinite", "frame", float(nonfinite[k]), 0.0))
    for k in map(int, np.flatnonzero(black > th.black_share)):
        flags.append(Flag(k, float(times[k]), "black", "frame", float(black[k]), 0.0))
    flags.sort(key=lambda f: (f.frame, KINDS.index(f.kind), f.region))
    return flags


def horizon_row(height: int) -> int:
    """Image row (top first) where the horizon sits: sky above, ground from here down."""
    return min(height - 1, max(1, round(height * (1.0 - scene.HORIZON_FROM_BOTTOM))))


def _step(a: NDArray[np.int16], b: NDArray[np.int16], row: int) -> tuple[float, float]:
    d = np.abs(a - b)
    return float(d[:row].mean()), float(d[row:].mean())


def measure(
    frames: Iterator[tuple[float, NDArray[np.uint8], int]],
    count: int,
    size: tuple[int, int],
) -> tuple[
    NDArray[np.float64],
    dict[str, NDArray[np.float64]],
    dict[str, NDArray[np.float64]],
    NDArray[np.int64],
    NDArray[np.float64],
]:
    """Per-frame figures from (time, RGB top row first, non-finite pixel count) triples."""
    times = np.full(count, np.nan)
    steps = {r: np.full(count, np.nan) for r in REGIONS}
    skips = {r: np.full(count, np.nan) for r in REGIONS}
    nonfinite = np.zeros(count, dtype=np.int64)
    black = np.zeros(count, dtype=np.float64)
    row = horizon_row(size[1])
    prev: NDArray[np.int16] | None = None
    prev2: NDArray[np.int16] | None = None
    for i, (t, rgb, bad) in enumerate(frames):
        cur = rgb.astype(np.int16)
        times[i] = t
        nonfinite[i] = bad
        black[i] = float(np.count_nonzero(rgb.max(axis=2) <= Thresholds.black_level)) / (
            rgb.shape[0] * rgb.shape[1]
        )
        if prev is not None:
            steps["sky"][i], steps["ground"][i] = _step(cur, prev, row)
        if prev2 is not None:
            skips["sky"][i - 1], skips["ground"][i - 1] = _step(cur, prev2, row)
        prev2, prev = prev, cur
    return times, steps, skips, nonfinite, black


def scan(
    piece: Any,
    start: float,
    count: int,
    fps: float,
    *,
    seed: int = 0,
    thresholds: Thresholds = Thresholds(),
    progress: Callable[[int], None] | None = None,
) -> ScanResult:
    """Render ``count`` frames of ``piece`` (a Piece) from ``start`` at ``fps``, in order,
    and flag them. Frame k is at start + k / fps, from the index: never an accumulated sum."""

    def frames() -> Iterator[tuple[float, NDArray[np.uint8], int]]:
        for k in range(count):
            t = frame_time(start, k, fps)
            rgb = piece.render(t)
            bad = sum(piece.renderer.nonfinite_pixels().values())
            if progress is not None:
                progress(1)
            yield t, rgb, bad

    times, steps, skips, nonfinite, black = measure(frames(), count, piece.size)
    flags = find_flags(times, steps, skips, nonfinite, black, fps, thresholds)
    return ScanResult(
        start=start,
        fps=fps,
        size=tuple(piece.size),
        seed=seed,
        cycle_seconds=float(piece.settings.cycle_seconds),
        times=times,
        steps=steps,
        skips=skips,
        nonfinite=nonfinite,
        black=black,
        flags=flags,
    )


_SHADES = ("#e9e4f5", "#d7cfe8", "#f5e6ea", "#f7eee0", "#fbf3d9", "#efe9e1")
_MARKS = {
    "flash": ("v", "#d62728"),
    "jump": ("^", "#ff7f0e"),
    "nonfinite": ("x", "#000000"),
    "black": ("s", "#000000"),
}


def _shade_phases(ax: Any, result: ScanResult) -> None:
    """Each phase of the arc as a band across the span, named at the top."""
    t, cyc = result.times, result.cycle_seconds
    if not len(t):
        return
    scale = cyc / story.REFERENCE_CYCLE
    for k in range(math.floor(t[0] / cyc), math.floor(t[-1] / cyc) + 1):
        for p, name in enumerate(story.PHASE_NAMES):
            lo = max(k * cyc + story.PHASE_STARTS[p] * scale, t[0])
            hi = min(k * cyc + story.PHASE_STARTS[p + 1] * scale, t[-1])
            if lo >= hi:
                continue
            ax.axvspan(lo, hi, color=_SHADES[p], zorder=0)
            ax.text((lo + hi) / 2, 1.0, name, transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=8, color="#554466")  # fmt: skip


def plot(result: ScanResult, path: Path) -> None:
    """The per-frame steps across the span, phases of the arc shaded, flagged frames marked.
    Needs matplotlib (`pip install nebula[scan]`); written through a temp file, then renamed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 4.2), dpi=100)
    t = result.times
    _shade_phases(ax, result)
    ax.plot(t, result.steps["sky"], lw=0.8, color="#6B3FA0", label="sky")
    ax.plot(t, result.steps["ground"], lw=0.8, color="#B76E79", label="ground")
    peaks = [float(np.nanmax(s)) for s in result.steps.values() if np.isfinite(s).any()]
    top = max([*peaks, 1.0])
    for kind, (m, c) in _MARKS.items():
        fl = [f for f in result.flags if f.kind == kind]
        if fl:
            ax.scatter([f.t for f in fl], [top * 1.05] * len(fl), marker=m, color=c,
                       label=f"{kind} ({len(fl)})", zorder=3)  # fmt: skip
    ax.set_xlabel("run time (s)")
    ax.set_ylabel("mean step from the previous frame (levels of 255)")
    ax.set_ylim(0, top * 1.15)
    ax.set_xlim(t[0] if len(t) else 0, t[-1] if len(t) else 1)
    w, h = result.size
    title = f"nebula scan: {w}x{h}, {result.fps:g} fps, seed {result.seed}"
    ax.set_title(f"{title}, {len(result.flags)} flagged", fontsize=10, pad=14)
    ax.legend(loc="upper left", fontsize=8, ncol=6)
    fig.tight_layout()
    tmp = temp_name(path)
    try:
        fig.savefig(tmp, format="png")
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)
