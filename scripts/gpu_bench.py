"""The GPU bench's body (scripts/gpu_bench.sh runs it once nvidia-smi has found a GPU):

1. the EGL device: the GL renderer must be the GPU's, not llvmpipe (else one line saying how
   to give EGL the NVIDIA driver, status 1);
2. `nebula bench --json --only render,record --sizes 2160p,4320p`, in a child process;
3. an 8K (7680x4320) recording at 60 fps through NVENC (PyAV's hevc_nvenc, else h264_nvenc,
   which stops at 4096 wide on most GPUs), through `nebula record`'s own pipeline, RGBA
   handed to NVENC to convert on the GPU; left out, and said, where the driver offers neither;

then one JSON file with all of it, and frame_ms, fps and the renderer printed.

    python scripts/gpu_bench.py --gpu NAME --out gpu_bench.json
    python scripts/gpu_bench.py --size 320x180 --frames 20 --encoder libx264 --skip-bench
        # (the recording's machinery on any machine: what the tests run)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nebula.output.codecs import CodecSpec

NVENC = ("hevc_nvenc", "h264_nvenc")
SIZE_8K = (7680, 4320)
FPS = 60
FRAMES = 240  # four seconds of 60 fps
START = 130.0  # resonance: every figure, the threads across the circle


def renderer() -> str:
    """The GL renderer string of the headless (EGL) context the piece renders through."""
    from nebula.render.context import headless_context

    ctx = headless_context()
    try:
        return str(ctx.info["GL_RENDERER"])
    finally:
        ctx.release()


def encoder_available(name: str) -> bool:
    """Whether PyAV's FFmpeg has ``name`` and the driver opens it (NVENC needs both)."""
    import av

    try:
        cc = av.codec.CodecContext.create(name, "w")
        assert isinstance(cc, av.VideoCodecContext)
        cc.width, cc.height, cc.pix_fmt = 256, 256, "yuv420p"
        cc.time_base = Fraction(1, 60)
        cc.open()
        return True
    except Exception:
        return False


def nvenc_spec(encoder: str) -> CodecSpec:
    """``encoder`` as a codec of `nebula record`'s: RGBA in (NVENC converts it on the GPU)
    where it takes RGBA, else yuv420p converted by swscale."""
    import av

    from nebula.output.codecs import CodecSpec

    formats = {f.name for f in av.codec.Codec(encoder, "w").video_formats or ()}
    pix_fmt = "rgba" if "rgba" in formats else "yuv420p"
    tag = "hvc1" if "hevc" in encoder else None
    return CodecSpec(encoder, encoder, pix_fmt, (".mp4",), None, {}, codec_tag=tag)


def record_rate(size: tuple[int, int], frames: int, encoder: str, out: Path) -> dict[str, float]:
    """``frames`` drawn and read back alone, then as many recorded through `nebula record`'s
    own pipeline (nebula.output.record: the readback ring, the encoder thread) with
    ``encoder``: both rates and their ratio."""
    from dataclasses import dataclass

    from nebula.config import Settings
    from nebula.output.job import RecordJob
    from nebula.output.record import record
    from nebula.piece import Piece

    spec = nvenc_spec(encoder)

    @dataclass(frozen=True)
    class Job(RecordJob):
        @property
        def spec(self) -> CodecSpec:
            return spec

    w, h = size
    with Piece(Settings(), None, size) as piece:
        piece.draw(START)  # shaders compiled, world stepped: not timed
        buf = np.empty((h, w, 4), np.uint8)
        began = time.perf_counter()
        for k in range(frames):
            piece.draw(START + k / FPS)
            piece.read_into(buf)
        render_fps = frames / (time.perf_counter() - began)
        job = Job(out=out, size=size, fps=Fraction(FPS), total=2 * frames, first=frames,
                  stop=2 * frames, start=START, force=True)  # fmt: skip
        record_fps = record(job, piece=piece, progress=False).fps
    label = f"{h}p"
    return {
        f"record_render_fps_{label}": round(render_fps, 3),
        f"record_fps_{label}_{encoder}": round(record_fps, 3),
        f"record_vs_render_{label}_{encoder}": round(record_fps / render_fps, 3),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gpu", default="", help="what nvidia-smi said of the GPU")
    p.add_argument("--out", type=Path, default=Path("gpu_bench.json"))
    p.add_argument("--size", default="x".join(map(str, SIZE_8K)), metavar="WxH")
    p.add_argument("--frames", type=int, default=FRAMES)
    p.add_argument("--encoder", help="instead of NVENC (hevc_nvenc, else h264_nvenc)")
    p.add_argument("--skip-bench", action="store_true", help="only the recording")
    args = p.parse_args(argv)
    size = tuple(int(v) for v in args.size.lower().split("x"))
    assert len(size) == 2

    result: dict[str, object] = {"gpu": args.gpu, "gl_renderer": renderer()}
    if args.gpu and "llvmpipe" in str(result["gl_renderer"]).lower():
        print(
            "gpu_bench: EGL renders on llvmpipe, not the GPU: install the NVIDIA driver's EGL "
            "library (libnvidia-gl, with /usr/share/glvnd/egl_vendor.d/10_nvidia.json)",
            file=sys.stderr,
        )
        return 1
    if not args.skip_bench:
        cmd = [sys.executable, "-m", "nebula", "bench", "--json", "--only", "render,record"]
        cmd += ["--sizes", "2160p,4320p"]
        bench = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if bench.returncode != 0:
            print(f"gpu_bench: the bench failed: {bench.stderr.strip()[-400:]}", file=sys.stderr)
            return 1
        result.update(json.loads(bench.stdout.strip().splitlines()[-1]))
    encoder = args.encoder or next((e for e in NVENC if encoder_available(e)), None)
    if encoder is None:
        print("gpu_bench: FFmpeg here offers no NVENC encoder: the 8K recording is left out")
    else:
        clip = args.out.with_suffix(".mp4")
        try:
            result.update(record_rate((size[0], size[1]), args.frames, encoder, clip))
        finally:
            clip.unlink(missing_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    shown = {k: v for k, v in result.items() if k.startswith(("frame_ms_", "record_fps_"))}
    for key, value in {**shown, "gl_renderer": result["gl_renderer"]}.items():
        print(f"{key}: {value}")
    print(f"gpu_bench: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
