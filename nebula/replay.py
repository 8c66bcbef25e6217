"""A journaled live session as a Piece: the same run, the same parameters at its start and the
same events on the same steps, so every frame at a piece time shows what the live piece showed
at that time (``nebula record --journal``). At the journal's own render size it also checks
the live frames' signatures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import moderngl

from nebula.control.journal import Journal, Signature, read_journal
from nebula.piece import Piece
from nebula.signature import frame_signature
from nebula.wall.file import Tile


def replay_piece(
    journal: Journal | Path,
    size: tuple[int, int] | None = None,
    *,
    ssaa: int = 1,
    ctx: moderngl.Context | None = None,
    tile: Tile | None = None,
) -> Piece:
    """A Piece that plays ``journal`` (at ``size``, by default the live render size). Draw it
    at piece times from the journal's start on, forwards."""
    j = journal if isinstance(journal, Journal) else read_journal(journal)
    size = size or (tile.size if tile else j.render)
    piece = Piece(j.settings, j.params(), size, ssaa=ssaa, ctx=ctx, tile=tile)
    try:
        # To the start's step as the live piece stood there: its parameters then, no glide.
        piece.world.advance_to(j.start_time, share_rate=j.values["share_rate"])
        tl = piece.timeline
        tl.index = piece.world.index
        tl.schedule(e for e in j.events if e.changes_state)
    except BaseException:
        piece.close()
        raise
    return piece


@dataclass(frozen=True)
class Mismatch:
    signature: Signature
    luma: float
    crc: int


def check_signatures(journal: Journal, *, ctx: moderngl.Context | None = None) -> list[Mismatch]:
    """Replay ``journal`` at its render size and compare each frame signature it holds; the
    signatures that differ (none when the replay is exact)."""
    out: list[Mismatch] = []
    with replay_piece(journal, ctx=ctx) as piece:
        for sig in journal.signatures:
            luma, crc = frame_signature(piece.render(sig.time))
            if crc != sig.crc or piece.world.index != sig.step:
                out.append(Mismatch(sig, luma, crc))
    return out
