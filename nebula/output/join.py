"""Join video chunks end to end without re-encoding: a PyAV remux that checks each chunk's tag."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nebula.errors import UsageError
from nebula.files import put_in_place, remove, temp_name
from nebula.output.chunks import differs, read_chunk_tag
from nebula.output.codecs import CONTAINERS


def _check(parts: Sequence[Path], out: Path, force: bool) -> str:
    if len(parts) < 2:
        raise UsageError("join needs at least two chunks")
    for part in parts:
        if not part.is_file():
            raise UsageError(f"chunk {part} does not exist")
    suffix = out.suffix.lower()
    if suffix not in CONTAINERS:
        raise UsageError(f"output {str(out)!r}: join writes {', '.join(CONTAINERS)}")
    if out.exists() and not force:
        raise UsageError(f"{out} already exists; pass --force to overwrite it or choose another")
    return CONTAINERS[suffix]


class _Joiner:
    """Appends chunks to one output container, checking each against the first."""

    def __init__(self, dst: Any) -> None:
        self.dst = dst
        self.stream: Any = None
        self.shape: tuple[Any, ...] = ()
        self.recording: dict[str, Any] | None = None
        self.expect = -1  # the frame the next chunk must start at
        self.offset = 0  # in the chunks' time base: where the next chunk starts
        self.last_dts: int | None = None  # of the last packet written
        self.frames = 0

    def check_tag(self, part: Path, comment: str | None) -> tuple[int, int]:
        rec, a, b = read_chunk_tag(part, comment)
        if self.recording is None:
            self.recording = rec
        elif rec != self.recording:
            other = differs(self.recording, rec)
            raise UsageError(f"chunk {part} is from another recording: {other}")
        if self.expect >= 0 and a != self.expect:
            what = "repeats or overlaps" if a < self.expect else "leaves a gap before"
            raise UsageError(
                f"chunk {part} holds frames {a}:{b}, which {what} frame {self.expect}: "
                "give the chunks in order, each once"
            )
        self.expect = b
        return a, b

    def check_stream(self, part: Path, s: Any) -> None:
        shape = (s.codec_context.name, s.width, s.height, s.average_rate, s.time_base)
        if self.stream is None:
            self.stream, self.shape = self.dst.add_stream_from_template(s), shape
        elif shape != self.shape:
            first = self.shape
            raise UsageError(
                f"chunk {part} is {shape[0]} {shape[1]}x{shape[2]} at {shape[3]} fps; the first "
                f"is {first[0]} {first[1]}x{first[2]} at {first[3]} fps: record every chunk "
                "with the same options"
            )

    def append(self, part: Path, src: Any) -> None:
        s = src.streams.video[0]
        a, b = self.check_tag(part, src.metadata.get("comment"))
        self.check_stream(part, s)
        end, n = self.offset, 0
        dts_shift = self.offset
        for packet in src.demux(s):
            if packet.dts is None or packet.pts is None:  # end-of-stream marker
                continue
            if n == 0 and self.last_dts is not None:
                # Decoding times follow on from the last chunk's. A chunk that x264 delays
                # less (a short last chunk has no B-frame delay) would otherwise leave a gap
                # in them, which players read as a lower average frame rate. Shifting them
                # back keeps each at or before its picture time, as pts >= offset here.
                step = packet.duration or 1
                dts_shift = min(self.offset, self.last_dts + step - packet.dts)
            packet.pts += self.offset
            packet.dts += dts_shift
            self.last_dts = packet.dts
            end = max(end, packet.pts + (packet.duration or 0))
            packet.stream = self.stream
            self.dst.mux(packet)
            n += 1
        if n != b - a:
            raise UsageError(
                f"chunk {part} is truncated: {n} of its {b - a} frames ({a}:{b}); record it again"
            )
        self.frames += n
        self.offset = end


def join(parts: Sequence[Path], out: Path, *, force: bool = False) -> int:
    """Join video chunks (``--frame-range`` A:B, B:C, ...) end to end into ``out`` without
    re-encoding: a PyAV remux that shifts each chunk's timestamps to follow the last. Each
    chunk's tag must name the same recording, the chunks must come in order, each once, and
    whole. Returns the number of frames. Like recording, it writes a temporary file and renames
    it when complete.
    """
    import av

    fmt = _check(parts, out, force)
    tmp = temp_name(out)
    try:
        options = {"movflags": "+faststart"} if fmt in ("mp4", "mov") else {}
        with av.open(str(tmp), "w", format=fmt, options=options) as dst:
            joiner = _Joiner(dst)
            for part in parts:
                try:
                    with av.open(str(part)) as src:
                        joiner.append(part, src)
                except av.error.FFmpegError as e:
                    raise UsageError(f"chunk {part} is damaged ({e}); record it again") from None
        put_in_place(tmp, out, force)
    except BaseException:
        remove(tmp)
        raise
    return joiner.frames
