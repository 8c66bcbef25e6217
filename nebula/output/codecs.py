"""The codecs a recording can use and the containers they go in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

PNG_PATTERN = "frame_{:06d}.png"


def is_frame_name(name: str) -> bool:
    """A PNG sequence's own file (frame_NNNNNN.png), as opposed to anything else in a folder."""
    stem, _, ext = name.partition(".")
    return ext == "png" and stem.startswith("frame_") and stem[6:].isdigit()


@dataclass(frozen=True)
class CodecSpec:
    name: str
    #: PyAV/FFmpeg encoder, or "" for the PNG sequence (written with nebula.output.png).
    encoder: str
    pix_fmt: str
    #: Allowed --out suffixes; the first is the default. Empty: --out is a folder.
    suffixes: tuple[str, ...]
    #: (default, lowest, highest) --crf, or None when the codec has no crf.
    crf: tuple[int, int, int] | None
    options: Mapping[str, str] = field(default_factory=dict)
    codec_tag: str | None = None

    @property
    def needs_even_size(self) -> bool:
        return self.pix_fmt == "yuv420p"

    @property
    def takes_rgb(self) -> bool:
        """The encoder takes RGB frames and converts them itself: no colour matrix of ours
        (NVENC takes rgba and converts on the GPU: scripts/gpu_bench.py)."""
        return self.pix_fmt in ("bgra", "rgb24", "rgba")

    @property
    def is_sequence(self) -> bool:
        return not self.encoder


#: x264's veryfast with the cheapest motion search (subme 1, diamond) and a 5-frame lookahead,
#: at crf 15: the PSNR of plain veryfast at crf 16 for a quarter less CPU, which on a small
#: machine is CPU the renderer (llvmpipe) needs; B-frames and macroblock-tree stay, which keep
#: files small. 720p frames at 80 s / 45 s / 15 s without grain, this against veryfast/16:
#: CPU 14.7 / 21.6 / 8.4 ms a frame against 18.7 / 27.7 / 11.8; 41.6 / 40.3 / 46.6 dB against
#: 41.6 / 39.8 / 46.9; files 40% / 16% / 19% larger. `scripts/codec_sweep.py` measures it.
#: Partitions in P and B frames: 16x16 and intra 4x4 only (I-frames keep their intra 8x8).
#: The 8x8 ones cost a sixth of x264's CPU and buy nothing on this picture's soft gradients:
#: at 80 / 190 / 20 s (with grain) CPU 20.1 / 18.0 / 24.2 ms a frame against 24.1 / 20.1 /
#: 29.7, the same PSNR (41.63 / 42.72 / 41.42 dB against 41.65 / 42.71 / 41.48) in files
#: 4% / 1% / 4% smaller.
H264_OPTIONS = {
    "preset": "veryfast",
    "x264-params": "subme=1:me=dia:rc-lookahead=5:partitions=i4x4",
}

CODECS: dict[str, CodecSpec] = {
    "h264": CodecSpec(
        "h264", "libx264", "yuv420p", (".mp4", ".mov", ".mkv"), (15, 0, 51), H264_OPTIONS
    ),
    "h265": CodecSpec(
        "h265",
        "libx265",
        "yuv420p",
        (".mp4", ".mov", ".mkv"),
        (20, 0, 51),
        {"preset": "fast", "x265-params": "log-level=error"},
        # QuickTime and Apple devices play HEVC in MP4/MOV only when tagged hvc1, not hev1.
        codec_tag="hvc1",
    ),
    # ProRes 4444 for editing: 4:4:4, 10-bit in, no alpha (the piece is opaque).
    "prores": CodecSpec(
        "prores", "prores_ks", "yuv444p10le", (".mov",), None, {"profile": "4444", "vendor": "apl0"}
    ),
    # Animated WebP, looping: a preview that a README or a web page shows inline. libwebp takes
    # the RGB frames itself (lossy, quality 75), so no colour matrix is involved.
    "webp": CodecSpec(
        "webp", "libwebp_anim", "bgra", (".webp",), None, {"quality": "75", "preset": "picture"}
    ),
    "png": CodecSpec("png", "", "rgb24", (), None),
}

#: The containers `join` can put chunks end to end in.
CONTAINERS = {".mp4": "mp4", ".mov": "mov", ".mkv": "matroska"}
#: Every container a recording writes: the joinable ones and the looping WebP.
WRITES = {**CONTAINERS, ".webp": "webp"}
