"""`nebula run --wall FILE --tile NAME --follow HOST:PORT`: a wall's follower in a window. Each
frame is drawn into the window's back buffer and shown (flipped) when the leader releases it.
When the leader goes silent the window holds its last frame with a small amber mark in its
corner ("waiting for the leader") after 2 s, and resumes at the leader's time when it returns."""

from __future__ import annotations

import os

from nebula.app.window import Window
from nebula.cluster.follower import Follower
from nebula.piece import Piece
from nebula.wall.file import Tile

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame

#: The waiting mark: a square this many pixels wide, this far in from the bottom-left corner.
MARK_PX, MARK_AT = 14, 10


def follow_in_window(window: Window, token: str, endpoint: str, tile: Tile) -> int:
    screen = window.screen
    follower: Follower

    def present(piece: Piece, n: int) -> None:
        window.flip()

    def waiting(on: bool) -> None:
        if not on or follower.piece is None or follower.last_time is None:
            return
        # Hold the last frame (drawn again: the back buffer is not kept) with the mark.
        follower.piece.draw(follower.last_time, output=screen)
        screen.clear(1.0, 0.7, 0.1, 1.0, viewport=(MARK_AT, MARK_AT, MARK_PX, MARK_PX))
        window.flip()

    def tick() -> bool:
        for ev in pygame.event.get():
            if ev.type == pygame.QUIT or (ev.type == pygame.KEYDOWN and ev.key == pygame.K_ESCAPE):
                return False
        return True

    follower = Follower(
        token,
        endpoint,
        tile,
        present,
        size=window.size,
        ctx=window.ctx,
        output=screen,
        waiting=waiting,
        tick=tick,
    )
    return follower.run()
