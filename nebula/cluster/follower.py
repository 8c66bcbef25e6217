"""A follower of the wall: one tile, drawn for each frame the leader sends and shown only when
the leader releases it. Its piece is built from the leader's welcome (the seed, the parameters,
every event so far), so a follower that joins late, or comes back after a kill, seeks to the
wall's moment instead of replaying it. Of the frames waiting it draws only the newest (a late
follower catches up that way), but it takes every frame's events, so its world is the wall's.

Its log has a line as each frame's drawing starts and ends (the monotonic clock, the same on
every process of a machine): tests check from them that no follower starts frame n + 1 before
every follower present has ended frame n."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from nebula.cluster.protocol import Refused, Signer
from nebula.config import Settings
from nebula.control.events import Event
from nebula.piece import Piece
from nebula.wall.file import Tile

LOG = logging.getLogger("nebula.wall")
HELLO_SECONDS = 1.0
#: After this long without a word from the leader, the follower says it is waiting.
WAITING_SECONDS = 2.0


class Follower:
    def __init__(
        self,
        token: str,
        endpoint: str,
        tile: Tile,
        present: Callable[[Piece, int], None],
        *,
        size: tuple[int, int] | None = None,
        ctx: Any = None,
        waiting: Callable[[bool], None] = lambda on: None,
        log: logging.Logger = LOG,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        import zmq

        self.signer = Signer(token)
        self.tile = tile
        self.present = present
        self.size = size or tile.size
        self.gl = ctx
        self.waiting = waiting
        self.log = log
        self.clock = clock
        self.piece: Piece | None = None
        self.leader: str | None = None  # the leader's session
        self.drawn: int | None = None
        self.presented = 0
        self.zctx = zmq.Context()
        self.sock = self.zctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 200)
        self.sock.connect(endpoint)

    def _send(self, kind: str, **body: Any) -> None:
        import zmq

        with contextlib.suppress(zmq.Again):  # the leader is not there yet: hello goes again
            self.sock.send_multipart(self.signer.seal(kind, **body), zmq.NOBLOCK)

    def _messages(self, timeout: float) -> list[dict[str, Any]]:
        import zmq

        out: list[dict[str, Any]] = []
        if not self.sock.poll(int(timeout * 1000)):
            return out
        while True:
            try:
                frames = self.sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return out
            try:
                out.append(self.signer.open(frames))
            except Refused as e:
                if self.signer.refused[str(e).split(":")[0]] == 1:
                    self.log.warning("refused a message: %s", e)

    def _welcome(self, msg: dict[str, Any]) -> None:
        if self.piece is not None:
            self.piece.close()
        params = {str(k): float(v) for k, v in dict(msg.get("params") or {}).items()}
        self.piece = Piece(
            Settings(seed=int(msg["seed"])), params, self.size, ctx=self.gl, tile=self.tile
        )
        self.piece.timeline.schedule(Event.from_json(e) for e in msg.get("events", []))
        # To the wall's moment before saying ready: the seek and the shaders' first use are
        # this follower's own, not every frame's barrier wait.
        self.piece.draw(float(msg.get("time", 0.0)))
        self.piece.ctx.finish()
        self.leader = msg["session"]
        self.drawn = None
        self.log.info("joined the wall as tile %s at frame %s", self.tile.name, msg.get("frame"))

    def run(self) -> int:
        """Follow until the leader ends the wall (status 0)."""
        last_heard = self.clock()
        next_hello = 0.0
        shown_waiting = False
        try:
            while True:
                now = self.clock()
                if self.piece is None and now >= next_hello:
                    self._send("hello", tile=self.tile.name)
                    next_hello = now + HELLO_SECONDS
                newest: dict[str, Any] | None = None
                for msg in self._messages(0.05 if self.piece is None else 0.5):
                    last_heard = self.clock()
                    kind = msg["kind"]
                    if kind == "welcome":
                        if self.piece is None or msg["session"] != self.leader:
                            self._welcome(msg)  # once a leader: hellos crossed in the post
                            self._send("ready")
                        continue
                    if self.piece is None or msg["session"] != self.leader:
                        continue
                    if kind == "end":
                        self.log.info("the leader ended the wall after %d frames", self.presented)
                        return 0
                    if kind == "release" and msg["n"] == self.drawn:
                        self.present(self.piece, msg["n"])
                        self.presented += 1
                    elif kind == "frame":
                        events = [Event.from_json(e) for e in msg.get("events", [])]
                        self.piece.timeline.schedule(events)
                        newest = msg  # of those waiting, only the newest is drawn
                if shown_waiting != (self.clock() - last_heard > WAITING_SECONDS):
                    shown_waiting = not shown_waiting
                    self.waiting(shown_waiting)
                if newest is not None and self.piece is not None:
                    n = int(newest["n"])
                    self.log.info("frame %d start %.6f", n, time.monotonic())
                    self.piece.draw(float(newest["time"]))
                    self.piece.ctx.finish()
                    self.log.info("frame %d end %.6f", n, time.monotonic())
                    self.drawn = n
                    self._send("done", n=n)
        finally:
            self._send("bye")
            if self.piece is not None:
                self.piece.close()
            self.sock.close()
            self.zctx.term()
