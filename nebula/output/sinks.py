"""Where a recording's frames go: one video stream through PyAV, or a folder of PNG frames."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

from nebula.output.chunks import chunk_tag
from nebula.output.codecs import WRITES

if TYPE_CHECKING:
    from nebula.output.job import RecordJob


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
        container_format = WRITES[job.out.suffix.lower()]
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
        from nebula.output.png import write_png

        write_png(self.folder / self._pattern.format(k), rgba[..., :3])

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass
