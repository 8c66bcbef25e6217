"""Compare x264 settings on frames of the piece: CPU per frame, file size and PSNR.

    python scripts/codec_sweep.py --time 80 --frames 60
    python scripts/codec_sweep.py --time 15 --grain 0 --variant veryfast/16 --variant default

Each --variant is PRESET/CRF[/X264-PARAMS], or `default` for what `nebula record` uses. Frames are
rendered once, kept in memory, then encoded by each variant in turn through the recorder's own
VideoSink (so the RGB-to-YUV conversion is counted too). PSNR is against the converted input,
so it measures the encoder alone, not 4:2:0 chroma. This is how the h264 default in
nebula/output/codecs.py was chosen.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import ColorRange, Colorspace, Interpolation, VideoReformatter

from nebula.cli.args import parse_size
from nebula.config import Settings
from nebula.output import codecs, sinks
from nebula.output.job import RecordJob
from nebula.piece import Piece


def render(t0: float, n: int, size: tuple[int, int], fps: int, grain: float) -> np.ndarray:
    w, h = size
    frames = np.empty((n, h, w, 4), np.uint8)
    buf = np.empty((h, w, 4), np.uint8)
    with Piece(Settings(), {"grain": grain}, size) as piece:
        for k in range(n):
            piece.draw(t0 + k / fps)
            piece.read_into(buf)
            frames[k] = buf[::-1]
    return frames


DEFAULT = codecs.CODECS["h264"]


def variant_spec(text: str) -> tuple[codecs.CodecSpec, int]:
    base = DEFAULT
    if text == "default":
        assert base.crf is not None
        return base, base.crf[0]
    preset, crf, *params = text.split("/", 2)
    options = {"preset": preset, **({"x264-params": params[0]} if params else {})}
    return dataclasses.replace(base, options=options), int(crf)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--time", type=float, default=80.0, help="run time of the first frame")
    ap.add_argument("--frames", type=int, default=60)
    ap.add_argument("--fps", type=int, default=60)
    ap.add_argument("--size", type=parse_size, default=(1280, 720))
    ap.add_argument("--grain", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=3, help="timed encodes of each variant")
    ap.add_argument("--variant", action="append", help="PRESET/CRF[/X264-PARAMS] or default")
    args = ap.parse_args()
    variants = args.variant or ["veryfast/16", "default"]

    frames = render(args.time, args.frames, args.size, args.fps, args.grain)
    # The same conversion as VideoSink.write, so PSNR measures what the encoder lost.
    reformatter = VideoReformatter()
    ref = [
        reformatter.reformat(
            av.VideoFrame.from_ndarray(f, format="rgba"),
            format="yuv420p",
            dst_colorspace=Colorspace.ITU709,
            dst_color_range=ColorRange.MPEG,
            interpolation=Interpolation.AREA | Interpolation.ACCURATE_RND,
        )
        .to_ndarray()
        .astype(np.float32)
        for f in frames
    ]
    seconds = args.frames / args.fps
    encode(variants[0], frames, args)[1].unlink()  # warm-up: the first encode runs slower
    cpu: dict[str, list[float]] = {v: [] for v in variants}
    quality: dict[str, tuple[float, float]] = {}  # (Mbit/s, dB) from each variant's last file
    for _ in range(args.rounds):  # variants alternate, so drifting load skews them alike
        for text in variants:
            ms, out = encode(text, frames, args)
            cpu[text].append(ms)
            with av.open(str(out)) as c:
                mse = [
                    float(((f.to_ndarray().astype(np.float32) - r) ** 2).mean())
                    for f, r in zip(c.decode(video=0), ref, strict=True)
                ]
            quality[text] = (out.stat().st_size * 8 / seconds / 1e6, psnr(mse))
            out.unlink()
    for text in variants:
        mbps, db = quality[text]
        print(
            f"{text:48s} {np.median(cpu[text]):6.1f} ms cpu/frame (median of {args.rounds}) "
            f"{mbps:7.1f} Mbit/s {db:6.2f} dB",
            flush=True,
        )


def psnr(mse: list[float]) -> float:
    return float(10 * np.log10(255**2 / np.mean(mse)))


def encode(text: str, frames: np.ndarray, args: argparse.Namespace) -> tuple[float, Path]:
    """Encode ``frames`` with one variant; (CPU ms per frame, the file)."""
    spec, crf = variant_spec(text)
    codecs.CODECS["h264"] = spec  # VideoSink reads the codec table; this process only
    out = Path(tempfile.gettempdir()) / f"codec-sweep-{os.getpid()}.mp4"
    job = RecordJob(
        out=out,
        size=args.size,
        fps=Fraction(args.fps),
        total=args.frames,
        first=0,
        stop=args.frames,
        start=args.time,
        force=True,
        crf=crf,
    )
    sink = sinks.VideoSink(out, job)
    began = time.process_time()
    for k, f in enumerate(frames):
        sink.write(k, f)
    sink.close()
    return (time.process_time() - began) / args.frames * 1000, out


if __name__ == "__main__":
    main()
