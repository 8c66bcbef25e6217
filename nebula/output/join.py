"""Join video chunks end to end without re-encoding: a PyAV remux that checks each chunk's tag."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nebula.errors import UsageError
from nebula.output.chunks import differs, read_chunk_tag
from nebula.output.codecs import CONTAINERS
from nebula.output.record import put_in_place, remove, temp_path


def join(parts: Sequence[Path], out: Path, *, force: bool = False) -> int:
    """Join video chunks (``--frame-range`` A:B, B:C, ...) end to end into ``out`` without
    re-encoding: a PyAV remux that shifts each chunk's timestamps to follow the last. The chunks
    must come from the same command but for the range (same codec, size and fps). Returns the
    number of frames. Like recording, it writes a temporary file and renames it when complete.
    """
    import av

    if len(parts) < 2:
        raise UsageError("join needs at least two chunks")
    for part in parts:
        if not part.is_file():
            raise UsageError(f"chunk {part} does not exist")
    suffix = out.suffix.lower()
    if suffix not in CONTAINERS:
        raise UsageError(f"--out {str(out)!r}: join writes {', '.join(CONTAINERS)}")
    if out.exists() and not force:
        raise UsageError(f"{out} already exists; pass --force to overwrite it or choose another")
    tmp = temp_path(out)
    fmt = CONTAINERS[suffix]
    frames = 0
    try:
        options = {"movflags": "+faststart"} if fmt in ("mp4", "mov") else {}
        with av.open(str(tmp), "w", format=fmt, options=options) as dst:
            ostream: Any = None
            first: tuple[Any, ...] = ()
            offset = 0  # in the chunks' time base: where the next chunk starts
            recording: dict[str, Any] | None = None
            expect = -1  # the frame the next chunk must start at
            for part in parts:
                try:
                    with av.open(str(part)) as src:
                        s = src.streams.video[0]
                        rec, a, b = read_chunk_tag(part, src.metadata.get("comment"))
                        if recording is None:
                            recording = rec
                        elif rec != recording:
                            other = differs(recording, rec)
                            raise UsageError(f"chunk {part} is from another recording: {other}")
                        if expect >= 0 and a != expect:
                            what = "repeats or overlaps" if a < expect else "leaves a gap before"
                            raise UsageError(
                                f"chunk {part} holds frames {a}:{b}, which {what} frame {expect}: "
                                "give the chunks in order, each once"
                            )
                        expect = b
                        shape = (
                            s.codec_context.name,
                            s.width,
                            s.height,
                            s.average_rate,
                            s.time_base,
                        )
                        if ostream is None:
                            ostream, first = dst.add_stream_from_template(s), shape
                        elif shape != first:
                            raise UsageError(
                                f"chunk {part} is {shape[0]} {shape[1]}x{shape[2]} at "
                                f"{shape[3]} fps; the first is {first[0]} {first[1]}x{first[2]} "
                                f"at {first[3]} fps: record every chunk with the same options"
                            )
                        end = offset
                        n = 0
                        for packet in src.demux(s):
                            if packet.dts is None or packet.pts is None:  # end-of-stream marker
                                continue
                            packet.pts += offset
                            packet.dts += offset
                            end = max(end, packet.pts + (packet.duration or 0))
                            packet.stream = ostream
                            dst.mux(packet)
                            n += 1
                        if n != b - a:
                            raise UsageError(
                                f"chunk {part} is truncated: {n} of its {b - a} frames "
                                f"({a}:{b}); record it again"
                            )
                        frames += n
                        offset = end
                except av.error.FFmpegError as e:
                    raise UsageError(f"chunk {part} is damaged ({e}); record it again") from None
        put_in_place(tmp, out, force)
    except BaseException:
        remove(tmp)
        raise
    return frames
