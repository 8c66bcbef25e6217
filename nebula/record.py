"""`nebula record`: render the piece offline, deterministically, into a video or PNG sequence.

Frame k of a recording is drawn at run time ``clock_offset + (start + k / fps)`` (float64, from
the frame index, never accumulated): exactly the picture `nebula still --time (start + k / fps)`
writes. Encoding is in-process through PyAV (its own FFmpeg), so no system ffmpeg is needed.

Throughput: the main thread steps the world, draws and reads pixels back into a ring of buffers
allocated once; a worker thread, at a lower CPU priority, converts and encodes them. A bounded
queue lets rendering run ahead by a few frames while the encoder catches up, and never lets
memory grow.

Safety: output goes to a hidden temporary name beside ``--out`` and is renamed into place only
when complete; on an error or Ctrl+C the partial output is removed.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from nebula.cli import UsageError

if TYPE_CHECKING:
    from nebula.headless import HeadlessPiece

#: How many frames rendering may run ahead of encoding (each holds one RGBA buffer)...
QUEUE_FRAMES = 3
#: ...fewer where frames are huge (8K with --ssaa 4 is 2 GB a frame): the ring stays under this.
RING_BYTES = 1 << 30
MAX_FPS = 1000.0
#: One frame every 100 s: slower than any time-lapse needs, and a time base every codec takes.
MIN_FPS = 0.01
MAX_FRAMES = 100_000_000
PNG_PATTERN = "frame_{:06d}.png"
#: How much lower the encoder thread's CPU priority is than the renderer's (see
#: _yield_cpu_to_renderer); 10 is where a busy renderer wins ~90% of a contended core.
ENCODER_NICE = 10


class RecordError(Exception):
    """A recording that could not finish; the message is the one line the user sees."""


# ----------------------------------------------------------------------------- codecs


@dataclass(frozen=True)
class CodecSpec:
    name: str
    #: PyAV/FFmpeg encoder, or "" for the PNG sequence (written with nebula.imageio).
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
        """The encoder takes RGB frames and converts them itself: no colour matrix of ours."""
        return self.pix_fmt in ("bgra", "rgb24")

    @property
    def is_sequence(self) -> bool:
        return not self.encoder


#: x264's veryfast with the cheapest motion search (subme 1, diamond) and a 5-frame lookahead,
#: at crf 15: the PSNR of plain veryfast at crf 16 for a quarter less CPU, which on a small
#: machine is CPU the renderer (llvmpipe) needs; B-frames and macroblock-tree stay, which keep
#: files small. 720p frames at 80 s / 45 s / 15 s without grain, this against veryfast/16:
#: CPU 14.7 / 21.6 / 8.4 ms a frame against 18.7 / 27.7 / 11.8; 41.6 / 40.3 / 46.6 dB against
#: 41.6 / 39.8 / 46.9; files 40% / 16% / 19% larger. `scripts/codec_sweep.py` measures it.
H264_OPTIONS = {"preset": "veryfast", "x264-params": "subme=1:me=dia:rc-lookahead=5"}

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
_CONTAINERS = {".mp4": "mp4", ".mov": "mov", ".mkv": "matroska"}
#: Every container a recording writes: the joinable ones and the looping WebP.
_WRITES = {**_CONTAINERS, ".webp": "webp"}


# ----------------------------------------------------------------------------- the job


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

    @property
    def spec(self) -> CodecSpec:
        return CODECS[self.codec]

    @property
    def frames(self) -> range:
        return range(self.first, self.stop)

    def time_of(self, k: int) -> float:
        """Run time of frame k, grouped as `nebula still` groups ``clock_offset + --time``."""
        return self.clock_offset + (self.start + k / float(self.fps))


@dataclass(frozen=True)
class RecordResult:
    out: Path
    frames: int
    seconds: float  # wall-clock time spent

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else math.inf


def parse_fps(text: str) -> Fraction:
    """A frame rate as an exact fraction (60, 29.97, 30000/1001), so timestamps never drift."""
    try:
        fps = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"--fps {text!r} is not a number (for example 60 or 30000/1001)") from None
    if not MIN_FPS <= fps <= MAX_FPS:
        raise UsageError(f"--fps {text!r}: must be between {MIN_FPS:g} and {MAX_FPS:g}")
    return fps.limit_denominator(1_000_000)


def parse_frame_range(text: str, total: int) -> tuple[int, int]:
    """``A:B`` -> frames A to B-1 of the span; ``A:`` runs to the end, ``:B`` from the start."""
    a_text, sep, b_text = text.partition(":")
    try:
        if not sep:
            raise ValueError
        a = int(a_text) if a_text.strip() else 0
        b = int(b_text) if b_text.strip() else total
    except ValueError:
        raise UsageError(f"--frame-range {text!r} is not A:B (for example 0:600)") from None
    if not 0 <= a < b <= total:
        raise UsageError(
            f"--frame-range {text!r}: need 0 <= A < B <= {total} (the span has {total} frames)"
        )
    return a, b


def job_from_args(args: argparse.Namespace) -> RecordJob:
    """Check every argument (raising UsageError with one line) before anything renders."""
    from nebula.cli import MAX_SIZE, load_preset_arg, parse_size, settings_from_args

    spec = CODECS[args.codec]
    size = parse_size(args.size)
    if spec.needs_even_size and (size[0] % 2 or size[1] % 2):
        raise UsageError(
            f"--size {args.size!r}: {spec.name} stores colour at half resolution (yuv420p), so "
            "width and height must be even; try "
            f"{size[0] + size[0] % 2}x{size[1] + size[1] % 2}, or --codec prores or png"
        )
    fps = parse_fps(args.fps)
    if args.frames is not None:
        total = args.frames
        if not 1 <= total <= MAX_FRAMES:
            raise UsageError(f"--frames {total}: must be 1 to {MAX_FRAMES}")
    else:
        seconds = args.seconds
        if not (math.isfinite(seconds) and seconds > 0):
            raise UsageError(f"--seconds {seconds:g}: must be above 0")
        total = round(seconds * fps)
        if not 1 <= total <= MAX_FRAMES:
            raise UsageError(
                f"--seconds {seconds:g} at {float(fps):g} fps is {total} frames; "
                f"need 1 to {MAX_FRAMES}"
            )
    first, stop = parse_frame_range(args.frame_range, total) if args.frame_range else (0, total)

    from nebula.headless import MAX_SSAA

    if not 1 <= args.ssaa <= MAX_SSAA:
        raise UsageError(f"--ssaa {args.ssaa}: must be 1 to {MAX_SSAA}")
    if max(size) * args.ssaa > MAX_SIZE:
        raise UsageError(
            f"--ssaa {args.ssaa} at --size {args.size}: the drawn image would be "
            f"{size[0] * args.ssaa}x{size[1] * args.ssaa}, over the {MAX_SIZE} limit"
        )
    crf = args.crf
    if crf is not None:
        if spec.crf is None:
            raise UsageError(f"--crf does not apply to --codec {spec.name} (it has fixed quality)")
        if not spec.crf[1] <= crf <= spec.crf[2]:
            raise UsageError(
                f"--crf {crf}: {spec.name} takes {spec.crf[1]} (best) to {spec.crf[2]} (smallest)"
            )
    out = check_out(Path(args.out), spec, args.force)
    if spec.encoder:
        import av

        if spec.encoder not in av.codecs_available:
            raise UsageError(f"--codec {spec.name}: this PyAV build has no {spec.encoder} encoder")
    preset = load_preset_arg(args.preset)
    settings_from_args(args)  # checks the seed
    return RecordJob(
        out=out,
        size=size,
        fps=fps,
        total=total,
        first=first,
        stop=stop,
        start=args.start,
        clock_offset=args.clock_offset,
        seed=args.seed,
        params=preset.params if preset else None,
        ssaa=args.ssaa,
        codec=spec.name,
        crf=crf,
        force=args.force,
    )


def check_out(out: Path, spec: CodecSpec, force: bool) -> Path:
    from nebula.cli import check_output

    if spec.is_sequence:
        out = check_output(out, force, is_dir=True)
        if out.exists():
            if not out.is_dir():
                raise UsageError(f"{out} is a file; --codec png writes a folder of frames")
            strays = [p.name for p in out.iterdir() if not _is_frame_name(p.name)]
            if strays:
                # --force replaces a frame folder, never a folder holding anything else.
                raise UsageError(
                    f"{out} holds files other than frame_*.png ({strays[0]}, ...); "
                    "choose another --out"
                )
        return out
    if out.suffix.lower() not in spec.suffixes:
        raise UsageError(
            f"--out {str(out)!r}: --codec {spec.name} writes {' or '.join(spec.suffixes)}"
        )
    return check_output(out, force)


def _is_frame_name(name: str) -> bool:
    stem, _, ext = name.partition(".")
    return ext == "png" and stem.startswith("frame_") and stem[6:].isdigit()


# ----------------------------------------------------------------------------- sinks


class Sink(Protocol):
    def write(self, k: int, rgba: NDArray[np.uint8]) -> None:
        """Frame k (absolute index in the span), (height, width, 4) uint8, top row first."""

    def close(self) -> None: ...

    def abort(self) -> None: ...


class VideoSink:
    """One video stream, encoded and muxed with PyAV into ``path`` (a temporary name)."""

    def __init__(self, path: Path, job: RecordJob) -> None:
        import av
        from av.video.reformatter import ColorRange, Colorspace, Interpolation, VideoReformatter

        spec = job.spec
        container_format = _WRITES[job.out.suffix.lower()]
        # faststart puts the index (moov) first so browsers play before the download ends.
        options = {"movflags": "+faststart"} if container_format in ("mp4", "mov") else {}
        if container_format == "webp":
            options = {"loop": "0"}  # forever
        self.container = av.open(str(path), "w", format=container_format, options=options)
        try:
            # What `join` checks: which recording this chunk belongs to and which frames it has.
            self.container.metadata["comment"] = chunk_tag(job)
            stream = self.container.add_stream(spec.encoder, rate=job.fps)
            assert isinstance(stream, av.VideoStream)
            stream.width, stream.height = job.size
            stream.pix_fmt = spec.pix_fmt
            opts: dict[str, object] = dict(spec.options)
            if spec.crf is not None:
                opts["crf"] = str(job.crf if job.crf is not None else spec.crf[0])
            stream.options = opts
            if spec.codec_tag and container_format in ("mp4", "mov"):
                stream.codec_tag = spec.codec_tag
            cc = stream.codec_context
            if not spec.takes_rgb:
                # BT.709 for HD and up; tagged so players do not guess BT.601 and shift colours.
                cc.color_primaries = 1
                cc.color_trc = 1
                cc.colorspace = 1
                cc.color_range = 1  # limited ("tv") range, what every player expects
            cc.time_base = 1 / job.fps
        except BaseException:
            self.container.close()
            raise
        self.stream = stream
        self.first = job.first
        self.fps = job.fps
        self._reformatter = VideoReformatter()
        self._rgb = spec.takes_rgb
        self._av = av
        self._bt709 = Colorspace.ITU709
        self._limited = ColorRange.MPEG
        # Area-averaged chroma with accurate rounding: swscale's default biases colours by ~1/255.
        self._interp = Interpolation.AREA | Interpolation.ACCURATE_RND

    def write(self, k: int, rgba: NDArray[np.uint8]) -> None:
        frame = self._av.VideoFrame.from_ndarray(rgba, format="rgba")
        if self._rgb:
            yuv = self._reformatter.reformat(frame, format=self.stream.pix_fmt)
        else:
            yuv = self._reformatter.reformat(
                frame,
                format=self.stream.pix_fmt,
                dst_colorspace=self._bt709,
                dst_color_range=self._limited,
                interpolation=self._interp,
            )
        # Each chunk starts at 0, so chunks join end to end without rewriting timestamps.
        yuv.pts = k - self.first
        yuv.time_base = 1 / self.fps
        self.container.mux(self.stream.encode(yuv))

    def close(self) -> None:
        self.container.mux(self.stream.encode(None))
        self.container.close()

    def abort(self) -> None:
        with suppress(Exception):  # a broken encoder or full disk: the file is deleted anyway
            self.container.close()


class PngSink:
    """A folder of frame_NNNNNN.png named by the frame's index in the whole span, so the
    folders of chunks A:B and B:C merge into the frames of A:C."""

    def __init__(self, folder: Path, job: RecordJob) -> None:
        folder.mkdir()
        self.folder = folder
        digits = max(6, len(str(job.total - 1)))
        self._pattern = "frame_{:0" + str(digits) + "d}.png"

    def write(self, k: int, rgba: NDArray[np.uint8]) -> None:
        from nebula.imageio import write_png

        write_png(self.folder / self._pattern.format(k), rgba[..., :3])

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


# ----------------------------------------------------------------------------- pipeline


class _Encoder(threading.Thread):
    """Takes (k, buffer) from ``work``, encodes, hands the buffer back through ``free``.

    After an error it keeps draining so the renderer never blocks; the error is re-raised in
    the main thread by ``check()``.
    """

    def __init__(self, sink: Sink, ssaa: int, size: tuple[int, int], ring: int) -> None:
        super().__init__(name="nebula-encoder", daemon=True)
        self.sink = sink
        self.ssaa = ssaa
        self.work: queue.Queue[tuple[int, NDArray[np.uint8]] | None] = queue.Queue(ring)
        self.free: queue.Queue[NDArray[np.uint8]] = queue.Queue()
        self.error: BaseException | None = None
        self._small = np.empty((size[1], size[0], 4), np.uint8) if ssaa > 1 else None

    def run(self) -> None:
        from nebula.headless import downsample

        _yield_cpu_to_renderer()
        while (item := self.work.get()) is not None:
            k, buf = item
            try:
                if self.error is None:
                    top_first = buf[::-1]  # GL rows come bottom row first
                    if self._small is not None:
                        top_first = downsample(top_first, self.ssaa, self._small)
                    self.sink.write(k, top_first)
            except BaseException as e:
                self.error = e
            finally:
                self.free.put(buf)

    def check(self) -> None:
        if self.error is not None:
            raise self.error


def _yield_cpu_to_renderer() -> None:
    """Lower the calling thread's CPU priority by ENCODER_NICE.

    On a machine without a GPU, llvmpipe's rasteriser threads and the encoder share the cores,
    and llvmpipe waits for its slowest tile: a preempted rasteriser stalls the whole frame. At a
    lower priority the encoder fills the gaps instead (record/render 0.90 against 0.87 with the
    same encoder). The queue keeps it from starving: when the ring is full the renderer waits
    and the encoder runs. Linux only, where nice is per thread and the codec's own worker
    threads, started from this one when the first frame opens it, inherit it.
    """
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    with suppress(OSError):
        os.setpriority(
            os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + ENCODER_NICE)
        )


class Stopped(Exception):
    """A stop signal (SIGTERM, SIGHUP) arrived while recording: cleaned up, exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_STOP_SCOPES = 0  # how many stop_signals_raise blocks are open (the CLI opens one)
_STOPPING = False  # a stop signal arrived: later ones are ignored until the scope ends


def _on_stop_signal(signum: int, _frame: object) -> None:
    global _STOPPING
    if _STOPPING:
        return  # a second Ctrl+C or TERM must not cut the cleanup short
    _STOPPING = True
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


@contextmanager
def stop_signals_raise() -> Iterator[None]:
    """Within: SIGINT raises KeyboardInterrupt and SIGTERM or SIGHUP raise ``Stopped`` (job
    runners and `timeout` send TERM), once: any later one is ignored, so the cleanup that
    follows always finishes. The old handlers come back after."""
    global _STOP_SCOPES, _STOPPING
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    saved = {s: signal.getsignal(s) for s in signals}
    for s in signals:
        signal.signal(s, _on_stop_signal)
    _STOP_SCOPES += 1
    try:
        yield
    finally:
        _STOP_SCOPES -= 1
        if not _STOP_SCOPES:
            if _STOPPING:
                # A real stop signal came: the process is on its way out, and one more
                # Ctrl+C must not turn exit status 130 into a traceback (or -2).
                for s in signals:
                    signal.signal(s, signal.SIG_IGN)
            else:
                for s, h in saved.items():
                    signal.signal(s, h)


def _temp_path(out: Path) -> Path:
    # Same folder, so the final rename is atomic; hidden, and the suffix keeps the format.
    return out.with_name(f".{out.name}.partial-{os.getpid()}{out.suffix}")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _put_in_place(tmp: Path, out: Path, force: bool) -> None:
    if out.exists() and not force:  # appeared while we rendered
        raise RecordError(f"{out} appeared while recording; pass --force to overwrite it")
    if tmp.is_dir() and out.is_dir():
        # A frame folder is merged into, frame by frame: re-rendering --frame-range 8:10 into
        # a folder of the whole span replaces frames 8 and 9 and keeps every other one.
        for frame in sorted(tmp.iterdir()):
            os.replace(frame, out / frame.name)
        tmp.rmdir()
    else:
        os.replace(tmp, out)


@contextmanager
def _progress(total: int, enabled: bool | None) -> Iterator[Callable[[int], object]]:
    from tqdm import tqdm

    show = sys.stderr.isatty() if enabled is None else enabled
    # A pseudo-terminal may report a 0 x 0 size, which tqdm would take as "draw nothing".
    cols, rows = shutil.get_terminal_size((100, 20))
    bar = tqdm(
        total=total,
        unit="frame",
        desc="recording",
        disable=not show,
        file=sys.stderr,
        leave=False,
        ncols=cols or 100,
        nrows=rows or 20,
    )
    try:
        yield bar.update
    finally:
        bar.close()


def record(
    job: RecordJob,
    *,
    piece: HeadlessPiece | None = None,
    progress: bool | None = None,
) -> RecordResult:
    """Render ``job`` and write it to ``job.out``. Raises on failure, leaving nothing behind.

    ``piece`` reuses a HeadlessPiece of the job's size, seed and ssaa (the benchmark does, so
    shader compilation is not timed); otherwise one is made and closed here.
    """
    from nebula.config import Settings
    from nebula.headless import HeadlessPiece

    own_piece = piece is None
    if piece is None:
        piece = HeadlessPiece(Settings(seed=job.seed), job.params, job.size, ssaa=job.ssaa)
    elif piece.size != job.size or piece.ssaa != job.ssaa:
        raise ValueError("the piece given to record() must have the job's size and ssaa")
    tmp = _temp_path(job.out)
    enc: _Encoder | None = None
    sink: Sink | None = None
    began = time.perf_counter()
    try:
        sink = PngSink(tmp, job) if job.spec.is_sequence else VideoSink(tmp, job)
        w, h = piece.draw_size
        depth = max(1, min(QUEUE_FRAMES, RING_BYTES // (w * h * 4) - 1))
        enc = _Encoder(sink, job.ssaa, job.size, depth)
        for _ in range(depth + 1):  # the ring, allocated once: one drawing, `depth` queued
            enc.free.put(np.empty((h, w, 4), np.uint8))
        enc.start()
        with _progress(len(job.frames), progress) as advance:
            for k in job.frames:
                piece.draw(job.time_of(k))
                buf = enc.free.get()
                enc.check()
                piece.read_into(buf)
                enc.work.put((k, buf))
                advance(1)
            enc.work.put(None)
            enc.join()
        enc.check()
        sink.close()
        _put_in_place(tmp, job.out, job.force)
    except BaseException:
        if enc is not None and enc.is_alive():
            enc.error = enc.error or RecordError("stopped")  # drain without encoding
            enc.work.put(None)
            enc.join(timeout=30)
        if sink is not None:
            sink.abort()
        _remove(tmp)
        raise
    finally:
        if own_piece:
            piece.close()
    return RecordResult(job.out, len(job.frames), time.perf_counter() - began)


# ----------------------------------------------------------------------------- joining chunks

CHUNK_TAG = "nebula-chunk "


def chunk_tag(job: RecordJob) -> str:
    """The container comment a video chunk carries: the recording it belongs to (everything
    but the frame range) and the frames it holds. `join` reads it back."""
    recording = {
        "seed": job.seed,
        "start": job.start,
        "clock_offset": job.clock_offset,
        "total": job.total,
        "fps": str(job.fps),
        "size": list(job.size),
        "codec": job.codec,
        "crf": job.crf,
        "ssaa": job.ssaa,
        "params": dict(sorted((job.params or {}).items())),
    }
    return CHUNK_TAG + json.dumps({"recording": recording, "frames": [job.first, job.stop]})


def read_chunk_tag(path: Path, comment: str | None) -> tuple[dict[str, Any], int, int]:
    if not comment or not comment.startswith(CHUNK_TAG):
        raise UsageError(
            f"chunk {path} carries no nebula chunk tag: join only takes chunks that "
            "`nebula record --frame-range` wrote"
        )
    try:
        data = json.loads(comment[len(CHUNK_TAG) :])
        first, stop = (int(x) for x in data["frames"])
        return dict(data["recording"]), first, stop
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"chunk {path} has a damaged nebula chunk tag") from None


def _differs(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    keys = [k for k in a.keys() | b.keys() if a.get(k) != b.get(k)]
    return ", ".join(f"{k} {b.get(k)!r} (not {a.get(k)!r})" for k in sorted(keys))


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
    if suffix not in _CONTAINERS:
        raise UsageError(f"--out {str(out)!r}: join writes {', '.join(_CONTAINERS)}")
    from nebula.cli import check_output

    out = check_output(out, force)
    tmp = _temp_path(out)
    fmt = _CONTAINERS[suffix]
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
                            other = _differs(recording, rec)
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
        _put_in_place(tmp, out, force)
    except BaseException:
        _remove(tmp)
        raise
    return frames


def cmd_join(argv: Sequence[str]) -> int:
    """`python -m nebula.record join [--force] OUT CHUNK CHUNK...`"""
    p = argparse.ArgumentParser(
        prog="python -m nebula.record join",
        description="Join recorded chunks end to end without re-encoding (PyAV remux).",
    )
    p.add_argument("out", type=Path)
    p.add_argument("chunks", type=Path, nargs="+")
    p.add_argument("--force", action="store_true", help="overwrite an existing OUT")
    args = p.parse_args(argv)
    try:
        n = join(args.chunks, args.out, force=args.force)
    except UsageError as e:
        print(f"join: error: {e}", file=sys.stderr)
        return 2
    except (OSError, RecordError) as e:
        print(f"join: error: {describe_failure(e, args.out)}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: {n} frames from {len(args.chunks)} chunks")
    return 0


# ----------------------------------------------------------------------------- command line


def add_parser(sub: Any, add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    from nebula.cli import non_negative_seconds

    p = sub.add_parser(
        "record",
        help="render the piece offline into a video or PNG sequence",
        description="Render the piece offline, frame by frame, into a video or a PNG sequence. "
        "Frame k shows exactly what `nebula still --time (start + k / fps)` shows.",
    )
    span = p.add_mutually_exclusive_group(required=True)
    span.add_argument("--seconds", type=float, metavar="S", help="length of the span to record")
    span.add_argument("--frames", type=int, metavar="N", help="length of the span, in frames")
    p.add_argument("--fps", default="60", metavar="F", help="frames per second (default 60)")
    p.add_argument("--size", default="1920x1080", metavar="WxH", help="default 1920x1080")
    p.add_argument(
        "--start",
        type=non_negative_seconds,
        default=0.0,
        metavar="SECONDS",
        help="moment of the run where the span begins (default 0)",
    )
    p.add_argument(
        "--ssaa", type=int, default=1, metavar="K", help="supersample K x K per pixel (1-4)"
    )
    p.add_argument("--codec", choices=list(CODECS), default="h264", help="default h264")
    crf_defaults = "/".join(str(c.crf[0]) for c in CODECS.values() if c.crf is not None)
    p.add_argument(
        "--crf", type=int, help=f"h264/h265 quality: lower is better (default {crf_defaults})"
    )
    p.add_argument(
        "--frame-range", metavar="A:B", help="only frames A to B-1 of the span (for chunks)"
    )
    p.add_argument(
        "--out", required=True, metavar="PATH", help="video file, or a folder for --codec png"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing --out")
    add_common(p)
    p.set_defaults(func=cmd_record)


def cmd_record(args: argparse.Namespace) -> int:
    from nebula.render.context import ContextError, TargetSizeError
    from nebula.render.shaders import ShaderError

    job = job_from_args(args)
    try:
        with stop_signals_raise():
            result = record(job)
    except TargetSizeError as e:  # nothing was written yet
        print(f"nebula record: error: --size {args.size} x --ssaa {job.ssaa}: {e}", file=sys.stderr)
        return 2
    except ShaderError as e:  # nothing was written yet
        print(f"nebula record: error: shader does not compile: {e}", file=sys.stderr)
        return 1
    except ContextError as e:
        print(f"nebula record: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nebula record: interrupted; partial output removed", file=sys.stderr)
        return 130
    except Stopped as e:
        print(f"nebula record: stopped by {e}; partial output removed", file=sys.stderr)
        return 128 + e.signum
    except (OSError, RecordError) as e:
        print(f"nebula record: error: {describe_failure(e, job.out)}", file=sys.stderr)
        return 1
    except Exception as e:  # anything else still ends in one line, after the cleanup
        print(
            f"nebula record: error: {type(e).__name__}: {e}; partial output removed",
            file=sys.stderr,
        )
        return 1
    print(summary(job, result))
    return 0


def describe_failure(e: BaseException, out: Path) -> str:
    err = getattr(e, "errno", None)
    if err == errno.ENOSPC:
        return f"disk full while writing {out}; partial output removed (free space and retry)"
    if err in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {out}: permission denied; partial output removed"
    if isinstance(e, OSError):
        return f"cannot write {out}: {e.strerror or e}; partial output removed"
    return str(e)


def summary(job: RecordJob, result: RecordResult) -> str:
    span = result.frames / float(job.fps)
    w, h = job.size
    return (
        f"wrote {job.out}: {result.frames} frames ({span:.2f} s at {float(job.fps):g} fps, "
        f"{w}x{h} {job.codec}) in {result.seconds:.1f} s, "
        f"{span / result.seconds:.2f}x realtime ({result.fps:.1f} fps)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`python scripts/record.py ...`: the same as `nebula record ...`."""
    from nebula import cli

    return cli.main(["record", *(sys.argv[1:] if argv is None else argv)])


# ----------------------------------------------------------------------------- bench


def bench_figures(
    frames: int = 180, size: tuple[int, int] = (1280, 720), rounds: int = 3
) -> dict[str, float]:
    """``render_fps_720p`` (draw + readback only) and ``record_fps_720p`` (the whole pipeline to
    h264 at the default crf: encoder start, every frame, flush and file closed), in one run.

    ``frames`` of each kind are split into ``rounds`` that alternate render-only and recording
    over consecutive frames of the run, and each figure is the median of its rounds: a machine
    whose load changes meanwhile skews both alike, and a burst of load skews one round only.
    Rounds are 60 frames: shorter ones are dominated by the encoder's start and its flush of
    the lookahead at the end (10-frame rounds read 0.79 of render speed where 60 read 0.85).
    """
    from nebula.config import Settings
    from nebula.headless import HeadlessPiece

    fps = Fraction(60)
    start = 80.0
    per = max(1, frames // rounds)
    render_fps: list[float] = []
    record_fps: list[float] = []
    with HeadlessPiece(Settings(), None, size) as piece, tempfile.TemporaryDirectory() as d:
        piece.render(start)  # compile shaders and step the world to the start: not timed
        buf = np.empty((size[1], size[0], 4), np.uint8)
        for r in range(rounds):
            # Frames run forward throughout, so the world never restarts its cycle.
            first = 2 * r * per
            began = time.perf_counter()
            for k in range(first, first + per):
                piece.draw(start + k / float(fps))
                piece.read_into(buf)
            render_fps.append(per / (time.perf_counter() - began))
            job = RecordJob(
                out=Path(d) / "bench.mp4",
                size=size,
                fps=fps,
                total=first + 2 * per,
                first=first + per,
                stop=first + 2 * per,
                start=start,
                force=True,
            )
            record_fps.append(record(job, piece=piece, progress=False).fps)
    render, rec = float(np.median(render_fps)), float(np.median(record_fps))
    return {
        "render_fps_720p": round(render, 3),
        "record_fps_720p": round(rec, 3),
        "record_vs_render_720p": round(rec / render, 3),  # target >= 0.85
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["join"]:
        sys.exit(cmd_join(sys.argv[2:]))
    sys.exit(main())
