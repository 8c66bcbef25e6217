"""What a recording is (RecordJob: checked, frozen) and what came of it (RecordResult)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from nebula.clock import frame_time
from nebula.output.codecs import CODECS, CodecSpec
from nebula.wall.file import Tile


@dataclass(frozen=True)
class RecordJob:
    """Everything a recording is, checked. Frames ``first`` to ``stop - 1`` of a span of
    ``total`` frames at ``fps``, starting ``start`` seconds into the run."""

    out: Path
    size: tuple[int, int]
    fps: Fraction
    total: int
    first: int
    stop: int
    start: float = 0.0
    clock_offset: float = 0.0
    seed: int = 0
    params: Mapping[str, float] | None = None
    ssaa: int = 1
    codec: str = "h264"
    crf: int | None = None
    force: bool = False
    #: A live session's journal to play (nebula.replay): its run, parameters and events.
    journal: Path | None = None
    #: One tile of a wall's canvas (nebula.wall), drawn at ``size``; None for the whole frame.
    tile: Tile | None = None

    @property
    def spec(self) -> CodecSpec:
        return CODECS[self.codec]

    @property
    def frames(self) -> range:
        return range(self.first, self.stop)

    def time_of(self, k: int) -> float:
        """Run time of frame k, grouped as `nebula still` groups ``clock_offset + --time``."""
        return frame_time(self.start, k, float(self.fps), self.clock_offset)


@dataclass(frozen=True)
class RecordResult:
    out: Path
    frames: int
    seconds: float  # wall-clock time spent

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else math.inf
