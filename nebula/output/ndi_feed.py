"""A piece's frames fed to an NDI source: ``NdiOut`` puts a sender (nebula.output.ndi) and its
``NdiTap`` (nebula.render.ndi: the frame read back a frame late) together; called with the
piece after each frame, it hands on the frame read back last and starts reading the new one
when the sender wants it. ``record_to_ndi`` is a recording that publishes its frames too."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nebula.output.ndi import LOG, NdiOptions, NdiSender, NdiStatus, ndi_size

if TYPE_CHECKING:
    import moderngl

    from nebula.output.job import RecordJob, RecordResult
    from nebula.piece import Piece


class NdiOut:
    """An NDI source fed from a piece's frames: call it with the piece after each frame."""

    def __init__(
        self,
        ctx: moderngl.Context,
        name: str,
        size: tuple[int, int],
        fps: float,
        *,
        alpha: bool = False,
        shader_root: Path | None = None,
        log: logging.Logger = LOG,
        module: Any = None,
    ) -> None:
        from nebula.render.ndi import NdiTap

        self.sender = NdiSender(name, size, fps, alpha=alpha, log=log, module=module)
        try:
            self.tap = NdiTap(ctx, size, alpha=alpha, shader_root=shader_root)
        except BaseException:
            self.sender.close()
            raise

    @property
    def status(self) -> NdiStatus:
        return self.sender.status

    def needs_texture(self, piece: Piece, size: tuple[int, int]) -> bool:
        """Whether frames drawn at ``size`` must be in ``piece.output_tex`` for this source
        (scaled or with alpha), not only in the framebuffer they were drawn into."""
        return not self.tap.reads(piece, size)

    def __call__(self, piece: Piece, drawn: moderngl.Framebuffer) -> None:
        """After each frame: the last one read back goes out, this one is read back if the
        sender wants it (``drawn``: the framebuffer it was drawn into)."""
        self._hand_on()
        if self.sender.wants():
            self.tap.capture(piece, drawn)

    def _hand_on(self) -> None:
        if self.tap.pending:
            buf = self.sender.buffer()
            flipped = self.tap.take(buf)
            self.sender.offer(buf, bool(flipped))

    def close(self) -> None:
        """The last frame read back goes out, then the source closes."""
        try:
            self._hand_on()
        finally:
            self.sender.close()
            self.tap.release()


def record_to_ndi(job: RecordJob, opts: NdiOptions) -> RecordResult:
    """``job`` recorded, its frames also published as the NDI source ``opts`` asks for at the
    recording's rate, paced to realtime (never faster): a rehearsal feed for the software
    downstream."""
    from nebula.output.record import make_piece, record

    piece = make_piece(job)
    try:
        size = opts.size or ndi_size(job.size)
        out = NdiOut(piece.ctx, opts.name, size, float(job.fps), alpha=opts.alpha)
        try:
            first, period = job.frames[0], 1.0 / float(job.fps)
            began = time.monotonic()

            def paced(k: int) -> None:
                out(piece, piece.renderer.output)  # what it was drawn into
                early = began + (k - first + 1) * period - time.monotonic()
                if early > 0:
                    time.sleep(early)

            return record(job, piece=piece, on_frame=paced)
        finally:
            out.close()
    finally:
        piece.close()
