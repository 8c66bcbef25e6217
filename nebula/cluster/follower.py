"""A follower of the wall: one tile, drawn for each frame the leader sends and shown only when
the leader releases it. Its piece is built from the leader's welcome (the seed, the parameters
as they stood at this cycle's start and the events since: nebula.cluster.snapshot), so a
follower that joins late, or comes back after a kill, seeks to the wall's moment instead of
replaying it. Of the frames waiting it draws only the newest (a late
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
from nebula.control.events import Event, EventError
from nebula.piece import Piece
from nebula.wall.file import Tile

LOG = logging.getLogger("nebula.wall")
HELLO_SECONDS = 1.0
#: How often the follower's log carries its own figures: frames shown, skipped, barrier waits.
REPORT_SECONDS = 60.0
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
        output: Any = None,
        tick: Callable[[], bool] = lambda: True,
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
        #: Where frames are drawn (a window's back buffer; None: the piece's own target), and
        #: what runs every turn of the loop (a window's events); False from it ends the follower.
        self.output = output
        self.tick = tick
        self.last_time: float | None = None
        self.log = log
        self.clock = clock
        self.piece: Piece | None = None
        #: A piece built while the first welcome is on its way (its shaders compiled, its
        #: targets made): taken when the wall's seed is its own, which saves a rejoin that much.
        self._spare: Piece | None = None
        self.leader: str | None = None  # the leader's session
        self.events = 0  # of the events the wall has sent: how many this piece has taken
        self.drawn: int | None = None
        self.presented = 0
        self.skipped = 0  # frames not drawn: a newer one was waiting (caught up by seeking)
        self._ended_at = 0.0  # when the last frame's drawing ended
        self._shown: tuple[int, float] | None = None  # the last frame shown, on the wall clock
        self._waits: list[float] = []  # from a drawing's end to its release, this minute
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
        """Build the piece from a welcome (a new leader, or events missed while away), or
        keep it (the same leader, nothing missed: a follower the leader had given up on)."""
        history = list(msg.get("events", []))
        count = int(msg.get("count", len(history)))  # events the wall has sent so far
        same = self.piece is not None and msg["session"] == self.leader
        if same and count == self.events:
            return
        if self.piece is not None:
            self.piece.close()
        params = {str(k): float(v) for k, v in dict(msg.get("params") or {}).items()}
        spare, self._spare = self._spare, None
        if spare is not None and spare.settings.seed == int(msg["seed"]):
            spare.params.apply(params, immediate=True)
            self.piece = spare
        else:
            if spare is not None:
                spare.close()
            settings = Settings(seed=int(msg["seed"]))
            self.piece = Piece(settings, params, self.size, ctx=self.gl, tile=self.tile)
        self.piece.timeline.schedule(Event.from_json(e) for e in history)
        self.events = count
        # To the wall's moment before saying ready: the seek and the shaders' first use are
        # this follower's own, not every frame's barrier wait.
        self.piece.draw(float(msg.get("time", 0.0)))
        self.piece.ctx.finish()
        self.leader = msg["session"]
        self.drawn = None
        self.log.info("joined the wall as tile %s at frame %s", self.tile.name, msg.get("frame"))

    def _take(
        self, msg: dict[str, Any], newest: dict[str, Any] | None
    ) -> tuple[dict[str, Any] | None, bool]:
        """One message from the leader; returns the newest frame waiting, and whether the
        wall has ended."""
        kind = msg["kind"]
        if kind == "welcome":
            self._welcome(msg)
            self._send("ready")
            return None, False
        if self.piece is None or msg["session"] != self.leader:
            return newest, False
        if kind == "end":
            return newest, True
        if kind == "release" and msg["n"] == self.drawn:
            self.present(self.piece, msg["n"])
            self.presented += 1
            self._waits.append(time.monotonic() - self._ended_at)
            self._shown = (int(msg["n"]), time.time())
            self.log.info("frame %d shown %.6f", msg["n"], time.monotonic())
        elif kind == "frame":
            events = [Event.from_json(e) for e in msg.get("events", [])]
            if int(msg.get("first", self.events)) != self.events:
                self._lost()  # events missed: be welcomed again
                return None, False
            self.piece.timeline.schedule(events)
            self.events += len(events)
            if newest is not None:
                self.skipped += 1
            _ = (int(msg["n"]), float(msg["time"]))  # a frame without them is malformed
            return msg, False  # of those waiting, only the newest is drawn
        return newest, False

    def _report(self) -> None:
        """The minute's figures: frames shown and skipped, the barrier's wait p50 and p99."""
        waits = sorted(self._waits) or [0.0]
        p50, p99 = waits[len(waits) // 2], waits[min(len(waits) - 1, int(len(waits) * 0.99))]
        self.log.info(
            "tile %s: %d frames shown, %d skipped, barrier wait p50 %.1f ms p99 %.1f ms",
            self.tile.name, self.presented, self.skipped, p50 * 1e3, p99 * 1e3,
        )  # fmt: skip
        self._waits.clear()

    def _lost(self) -> None:
        """Events were missed: the piece is no longer the wall's; ask to be welcomed again."""
        if self.piece is not None:
            self.piece.close()
        self.piece, self.leader = None, None
        self.log.warning("missed events: joining the wall again")
        self._send("hello", tile=self.tile.name)

    def run(self) -> int:
        """Follow until the leader ends the wall (status 0)."""
        last_heard = self.clock()
        next_report = self.clock() + REPORT_SECONDS
        next_hello = self.clock() + HELLO_SECONDS
        shown_waiting = False
        self._send("hello", tile=self.tile.name)
        try:
            self._spare = Piece(Settings(), None, self.size, ctx=self.gl, tile=self.tile)
            self._spare.draw(0.0)  # the shaders' first use, while the welcome comes
            while self.tick():
                now = self.clock()
                if self.piece is None and now >= next_hello:
                    self._send("hello", tile=self.tile.name)
                    next_hello = now + HELLO_SECONDS
                newest: dict[str, Any] | None = None
                for msg in self._messages(0.05 if self.piece is None else 0.5):
                    last_heard = self.clock()
                    try:
                        newest, ended = self._take(msg, newest)
                    except (KeyError, TypeError, ValueError, EventError) as e:
                        # Signed but not what a leader sends: counted, and the wall rejoined.
                        self.signer.refused["malformed"] += 1
                        self.log.warning("a message the follower cannot take (%s)", e)
                        self._lost()
                        continue
                    if ended:
                        self.log.info("the leader ended the wall after %d frames", self.presented)
                        return 0
                if self.clock() >= next_report:
                    next_report += REPORT_SECONDS
                    self._report()
                silent = self.clock() - last_heard > WAITING_SECONDS
                if shown_waiting != silent:
                    shown_waiting = silent
                    self.log.info("waiting for the leader" if silent else "the leader is back")
                    self.waiting(silent)
                if silent and self.clock() >= next_hello:  # the leader gone or restarted
                    self._send("hello", tile=self.tile.name)
                    next_hello = self.clock() + HELLO_SECONDS
                if newest is not None and self.piece is not None:
                    n = int(newest["n"])
                    self.log.info("frame %d start %.6f", n, time.monotonic())
                    self.last_time = float(newest["time"])
                    self.piece.draw(self.last_time, output=self.output)
                    self.piece.ctx.finish()
                    self._ended_at = time.monotonic()
                    self.log.info("frame %d end %.6f", n, self._ended_at)
                    self.drawn = n
                    self._send("done", n=n, shown=self._shown)  # the leader's skew figure
            return 0  # told to stop (its window closed)
        finally:
            self._send("bye")
            for piece in (self.piece, self._spare):
                if piece is not None:
                    piece.close()
            self.sock.close()
            self.zctx.term()
