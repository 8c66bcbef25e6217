"""The wall's leader (`nebula wall lead FILE`): the clock and the events, and the swap barrier.

Each frame n it sends every follower present the piece time and the events stamped since the
last frame, waits until every follower that is not late has drawn n (its ``done``), then sends
``release n`` and the next frame at once, so a follower draws n + 1 while the release of n is
still on its way to the slowest. A follower that is not done ``deadline`` seconds after the
first one was is marked late: the wall goes on without it, and it rejoins the barrier once it
reports done for the frame then current (it seeks there; it never draws the frames it missed).
No GL here: a leader can run on a machine without a display.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nebula.cluster.protocol import Refused, Signer
from nebula.cluster.snapshot import Snapshot
from nebula.config import Settings
from nebula.control.events import Event
from nebula.control.inbox import Inbox
from nebula.control.journal import JournalWriter
from nebula.sim.world import World

LOG = logging.getLogger("nebula.wall")
#: How long past the first follower's done the others may take before they are marked late.
DEADLINE = 0.1
#: A follower heard nothing from for this long is gone (a killed process says no bye).
GONE_SECONDS = 5.0


@dataclass
class Peer:
    identity: bytes
    tile: str
    session: str
    ready: bool = False  # its piece is built: the barrier counts it from the next frame
    late: bool = False  # it missed a deadline: not waited for until it draws the current frame
    seen: float = 0.0


#: How many recent frames the status line's percentiles cover (a show runs for weeks: the
#: figures are kept for the last ten seconds at 60 fps, not for every frame ever released).
RECENT = 600


def _recent() -> deque[float]:
    return deque(maxlen=RECENT)


@dataclass
class Stats:
    released: int = 0
    waits: deque[float] = field(default_factory=_recent)  # seconds from frame sent to release
    late_marks: int = 0
    #: frame -> when each follower showed it (their wall clocks, as they report with their next
    #: done: one machine's, or machines kept in time by NTP) and the spreads of those done.
    shown: dict[int, list[float]] = field(default_factory=dict)
    skews: deque[float] = field(default_factory=_recent)


class Leader:
    """The leader of ``settings``' run over ``params``; ``time_of(n)`` gives frame n's piece
    time (the realtime clock live, ``start + n / fps`` for a checkable run)."""

    def __init__(
        self,
        token: str,
        settings: Settings,
        params: dict[str, float],
        endpoint: str,
        time_of: Callable[[int], float],
        *,
        fps: float = 60.0,
        deadline: float = DEADLINE,
        inbox: Inbox | None = None,
        journal: JournalWriter | None = None,
        log: logging.Logger = LOG,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        import zmq

        self.signer = Signer(token)
        self.settings = settings
        self.params = dict(params)
        self.time_of = time_of
        self.fps = fps
        self.deadline = deadline
        self.inbox = inbox
        #: The wall's session as a journal (nebula.control.journal): `nebula record --journal`
        #: renders the whole canvas of it again, at any size.
        self.journal = journal
        self.log = log
        self.clock = clock
        self.world = World(settings)  # only to stamp events with the step they fall on
        #: The events a follower joining is sent: a snapshot at this cycle's start, and since.
        self.snapshot = Snapshot(settings, params)
        self.sent = 0  # events broadcast since the wall began: a follower counts them too
        #: Called with every event stamped (nebula.cluster.stage: MIDI's targets, feedback).
        self.listeners: list[Callable[[Event], None]] = []
        self.peers: dict[bytes, Peer] = {}
        self.stats = Stats()
        self.ending = False
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 500)
        self.sock.setsockopt(zmq.ROUTER_MANDATORY, 0)
        where, port = endpoint.rsplit(":", 1)
        if port == "0":  # any free port (tests, the bench)
            self.port = self.sock.bind_to_random_port(where)
        else:
            self.sock.bind(endpoint)
            self.port = int(port)
        self.poller = zmq.Poller()
        self.poller.register(self.sock, zmq.POLLIN)

    # ------------------------------------------------------------------ messages

    def _send(self, peer: Peer, kind: str, **body: Any) -> None:
        import zmq

        # Its queue full, or it is gone: the barrier's deadline deals with it.
        with contextlib.suppress(zmq.ZMQError):
            self.sock.send_multipart([peer.identity, *self.signer.seal(kind, **body)], zmq.NOBLOCK)

    def _broadcast(self, kind: str, **body: Any) -> None:
        for peer in list(self.peers.values()):
            self._send(peer, kind, **body)

    def _receive(self, timeout: float, n: int, waiting: set[bytes]) -> None:
        """Take what arrives within ``timeout`` seconds: joins, dones, byes."""
        if not self.poller.poll(max(0, int(timeout * 1000))):
            return
        import zmq

        while True:
            try:
                frames = self.sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            identity, rest = frames[0], frames[1:]
            try:
                msg = self.signer.open(rest)
            except Refused as e:
                if self.signer.refused[str(e).split(":")[0]] == 1:
                    self.log.warning("refused a message: %s", e)
                continue
            try:
                self._take(identity, msg, n, waiting)
            except (KeyError, TypeError, ValueError) as e:
                self.signer.refused["malformed"] += 1  # signed, but not what a follower sends
                self.log.warning("a message the leader cannot take (%s)", e)

    def _take(self, identity: bytes, msg: dict[str, Any], n: int, waiting: set[bytes]) -> None:
        now = self.clock()
        kind = msg["kind"]
        peer = self.peers.get(identity)
        if kind == "hello":
            if peer is None or peer.session != msg["session"]:
                tile = str(msg.get("tile", "?"))
                self.peers[identity] = peer = Peer(identity, tile, msg["session"], seen=now)
                self.log.info("follower %s joined", tile)
            self._send(peer, "welcome", seed=self.settings.seed, params=self.params,
                       events=self.snapshot.welcome(), count=self.sent, frame=n,
                       time=self.time_of(n))  # fmt: skip
            return
        if peer is None or peer.session != msg["session"]:
            return  # not joined (or an earlier process of it): it will say hello
        peer.seen = now
        if kind == "ready":
            peer.ready = True
        elif kind == "bye":
            self.peers.pop(identity, None)
            waiting.discard(identity)
            self.log.info("follower %s left", peer.tile)
        elif kind == "done" and msg.get("n") == n:
            waiting.discard(identity)
            shown = msg.get("shown")
            if isinstance(shown, list) and len(shown) == 2:
                self.stats.shown.setdefault(int(shown[0]), []).append(float(shown[1]))
            if peer.late:
                peer.late = False
                self.log.info("follower %s caught up at frame %d", peer.tile, n)

    # ------------------------------------------------------------------ frames

    def _events(self, t: float) -> list[dict[str, object]]:
        """What came in since the last frame, stamped with the step after the one ``t`` shows."""
        if self.inbox is None:
            return []
        step = self.world.index_at(t) + 1
        stamped = [ev.stamped(step, t) for ev in self.inbox.take() if ev.changes_state]
        for ev in stamped:
            for listener in self.listeners:
                listener(ev)
        if self.journal is not None:
            try:
                for ev in stamped:
                    self.journal.event(ev)
            except OSError as e:  # a full disk: the wall goes on, unjournaled from here
                self.log.error("the journal stopped: %s", e.strerror or e)
                self.journal.close()
                self.journal = None
        out = [ev.to_json() for ev in stamped]
        self.snapshot.add(out)
        self.sent += len(out)
        return out

    def frame(self, n: int) -> float:
        """Frame n: sent, waited for, released. Returns the seconds the barrier waited."""
        t = self.time_of(n)
        self.snapshot.to_cycle_of(self.world.index_at(t))
        first = self.sent
        self._broadcast("frame", n=n, time=t, events=self._events(t), first=first)
        sent = self.clock()
        waiting = {i for i, p in self.peers.items() if p.ready and not p.late}
        expected = len(waiting)
        first_done: float | None = None
        while True:
            now = self.clock()
            if first_done is None and len(waiting) < expected:
                first_done = now  # the first follower is done: the others have the deadline
            if not waiting:
                break
            limit = (first_done + self.deadline) if first_done is not None else sent + GONE_SECONDS
            if now >= limit:
                for i in waiting:
                    peer = self.peers.get(i)
                    if peer is not None:
                        peer.late = True
                        self.stats.late_marks += 1
                        self.log.warning("follower %s is late at frame %d", peer.tile, n)
                break
            self._receive(limit - now, n, waiting)
        self._forget_gone()
        times = self.stats.shown.pop(n - 1, [])
        if len(times) >= 2:
            self.stats.skews.append(max(times) - min(times))
        for old in [k for k in self.stats.shown if k < n - 1]:
            del self.stats.shown[old]
        self._broadcast("release", n=n)
        wait = self.clock() - sent
        self.stats.released += 1
        self.stats.waits.append(wait)
        return wait

    def _forget_gone(self) -> None:
        now = self.clock()
        for i, p in list(self.peers.items()):
            if now - p.seen > GONE_SECONDS:
                self.peers.pop(i)
                self.log.warning("follower %s is gone (silent for %g s)", p.tile, GONE_SECONDS)

    def gather(self, count: int, timeout: float = 120.0) -> bool:
        """Wait until ``count`` followers are ready (a wall that starts whole: a checkable
        run, a show that opens with every tile); False when ``timeout`` passed first."""
        deadline = self.clock() + timeout
        while sum(p.ready for p in self.peers.values()) < count:
            if self.clock() >= deadline:
                return False
            self._receive(0.1, 0, set())
        return True

    def run(self, frames: int | None = None, seconds: float | None = None) -> int:
        """Release frames until ``frames`` are out, ``seconds`` have passed, or ``ending`` is
        set; then tell every follower the wall has ended."""
        t0 = self.clock()
        n = 0
        next_report = t0 + 1.0
        try:
            while not self.ending:
                if frames is not None and n >= frames:
                    break
                if seconds is not None and self.clock() - t0 >= seconds:
                    break
                began = self.clock()
                self.frame(n)
                n += 1
                spare = 1.0 / self.fps - (self.clock() - began)
                if spare > 0:  # a ceiling: no faster than the wall's frame rate
                    self._receive(spare, n, set())
                if self.clock() >= next_report:
                    next_report += 1.0
                    self.log.info("%s", self.status_line())
        finally:
            self._broadcast("end")
            time.sleep(0.2)  # let the ends leave before the socket closes
            self.sock.close()
            self.ctx.term()
            if self.journal is not None:
                self.journal.close()
        return 0

    def status_line(self) -> str:
        waits = np.asarray(self.stats.waits or [0.0]) * 1e3
        present = len(self.peers)
        late = sum(1 for p in self.peers.values() if p.late)
        p50, p99 = np.percentile(waits, 50), np.percentile(waits, 99)
        skews = np.asarray(self.stats.skews or [0.0]) * 1e3
        return (
            f"released {self.stats.released}, followers {present} ({late} late), "
            f"skew p50 {np.percentile(skews, 50):.1f} ms p99 {np.percentile(skews, 99):.1f} ms, "
            f"barrier wait p50 {p50:.1f} ms p99 {p99:.1f} ms"
        )
