"""The OSC server: a UDP socket on loopback unless asked otherwise, read in a thread of its
own, every message turned into an event (nebula.control.osc.messages) and posted.

A message that cannot be applied (junk, an unknown address, a wrong type, NaN or infinity, a
value out of range, a flood beyond ``RATE`` messages a second) is refused with its reason,
logged (the first of each kind at once, then once a minute with the counts) and counted. The
thread reads and drops a flood without parsing it, so a flood costs the frame almost nothing.
"""

from __future__ import annotations

import logging
import math
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from nebula.config import ConfigError
from nebula.control.events import Event
from nebula.control.osc.messages import INSTALL_HINT, Refused, named_preset, to_event
from nebula.control.osc.packets import parse, quiet_python_osc

LOG = logging.getLogger("nebula.osc")
#: Messages a second taken in; beyond it (after a burst of ``BURST``) they are a flood. A
#: TouchOSC fader sends about 60 a second: eight of them moving at once stay under it.
RATE = 500.0
BURST = 200.0
#: How often the refusals are summed up in the log (and the minute report).
REPORT_SECONDS = 60.0
MAX_DATAGRAM = 65536
#: Datagrams a nap's probe reads at most when the rate gives no token (see _probe).
PROBE_READS = 16
#: The socket's receive buffer, bytes (the kernel counts about 1 KB a small datagram).
RCVBUF = 32768
#: While over the rate the server sleeps at least this long between reads (see _serve).
FLOOD_NAP = 0.025
#: While the kernel drops datagrams for us (a flood) the server takes this share of its rate,
#: until FLOOD_HOLD seconds pass without a drop: the flood is refused anyway, and what the
#: server takes from it costs the frame (10,000 a second cost it 8% taking 500 and 4% taking
#: one; no hand on a fader comes near the rate that overflows the buffer).
FLOOD_SHARE = 0.2
FLOOD_HOLD = 1.0
#: Linux's socket option that reports the datagrams dropped for a full buffer.
SO_RXQ_OVFL = getattr(socket, "SO_RXQ_OVFL", 40)


@dataclass
class Bucket:
    """A token bucket: ``rate`` a second, up to ``burst`` at once."""

    rate: float = RATE
    burst: float = BURST
    tokens: float = BURST
    last: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds until a message may be taken (0: now)."""
        tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class _Tally:
    """What both servers report from their counts: the minute's line of refusals, the minute
    report's numbers and the HUD's line. Each gives ``tally`` and sets ``address``."""

    address: tuple[str, int]
    log: logging.Logger
    clock: Callable[[], float]

    def _start_tally(self) -> None:
        self._reported: Counter[str] = Counter()
        self._next_report = self.clock() + REPORT_SECONDS

    def tally(self) -> tuple[int, Counter[str]]:
        """Messages taken, and refused by reason, so far."""
        raise NotImplementedError

    def report(self) -> str | None:
        """Log the refusals since the last report, once a minute; the line logged, if any."""
        now = self.clock()
        if now < self._next_report:
            return None
        self._next_report = now + REPORT_SECONDS
        accepted, refused = self.tally()
        new, self._reported = refused - self._reported, refused
        if not new:
            return None
        counts = ", ".join(f"{k} {v}" for k, v in sorted(new.items()))
        line = f"osc: {accepted} messages taken so far; refused in the last minute: {counts}"
        self.log.warning("%s", line)
        return line

    def counts(self) -> dict[str, int]:
        """For the minute report: messages taken and refused so far, by reason."""
        accepted, refused = self.tally()
        out = {"osc_taken": accepted, "osc_refused": sum(refused.values())}
        out |= {f"osc_refused_{k.replace(' ', '_')}": v for k, v in sorted(refused.items())}
        return out

    def summary(self) -> str:
        """For the HUD: what was taken and refused so far."""
        accepted, refused = self.tally()
        host, port = self.address
        return f"osc {host}:{port} taken {accepted} refused {sum(refused.values())}"


class OscServer(_Tally):
    """Listens on ``host:port`` (UDP) in a thread of its own and posts each message's event.
    ``post`` returns False when the show's inbox is full (counted as a flood)."""

    def __init__(
        self,
        post: Callable[[Event], bool],
        port: int,
        *,
        host: str = "127.0.0.1",
        figures: int = 8,
        rate: float = RATE,
        burst: float = BURST,
        log: logging.Logger = LOG,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        try:
            import pythonosc  # noqa: F401
        except ImportError:
            raise ConfigError(INSTALL_HINT) from None
        quiet_python_osc()
        self.post = post
        self.figures = figures
        self.log = log
        self.clock = clock
        self.bucket = Bucket(rate, burst, burst, clock())
        self.rate = rate
        self._flooded_until = -math.inf
        self.accepted = 0
        self.refused: Counter[str] = Counter()
        self._start_tally()
        self._seen_kinds: set[str] = set()
        self._lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.bind((host, port))
        except OSError as e:
            self.sock.close()
            raise ConfigError(
                f"--osc {port}: cannot listen on {host}:{port} ({e.strerror}); choose another port"
            ) from None
        self.sock.settimeout(0.2)
        # A small buffer: in a flood the kernel drops the excess, and what it holds is read
        # quickly (_probe); the rate above is taken from it long before it fills.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        if sys.platform.startswith("linux"):  # how many datagrams the kernel dropped for us
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
        self._dropped = 0
        self.address = self.sock.getsockname()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="nebula-osc", daemon=True)

    def start(self) -> OscServer:
        self._thread.start()
        self.log.info("osc: listening on %s:%d", *self.address)
        return self

    @property
    def flooded(self) -> bool:
        """The kernel dropped datagrams for us within FLOOD_HOLD seconds: taking less."""
        return self.clock() < self._flooded_until

    def _follow_flood(self, now: float) -> None:
        """Back to the whole rate once FLOOD_HOLD seconds pass without a drop."""
        if now >= self._flooded_until and self.bucket.rate != self.rate:
            self.bucket.rate = self.rate

    def _serve(self) -> None:
        while not self._stop.is_set():
            now = self.clock()
            self._follow_flood(now)
            wait = self.bucket.wait(now)
            if wait > 0.0:
                # Over the rate: read nothing for a while. The kernel drops what overflows the
                # socket's buffer meanwhile (counted through SO_RXQ_OVFL), at the sender's
                # cost, so a flood takes almost no time from the frame.
                # Waking in batches, not once a token: each wake takes the interpreter's lock
                # from the frame.
                self._stop.wait(min(max(wait, FLOOD_NAP), 0.2))
                if self.bucket.wait(self.clock()) > 0.0:
                    self._probe()  # still over: learn the kernel's count, refuse what is read
                continue
            try:
                data, anc, _, _ = self.sock.recvmsg(MAX_DATAGRAM, socket.CMSG_SPACE(4))
            except TimeoutError:
                self.report()
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            self._count_drops(anc)
            self.bucket.take(self.clock())
            self.datagram(data)
            if now >= self._next_report:
                self.report()

    def _probe(self) -> None:
        """Read a few datagrams without parsing them, refused as a flood: the kernel's count of
        the ones it dropped comes with each (only while no token comes at all: a clock that
        stands still, in tests; a running one gives tokens within a nap)."""
        for _ in range(PROBE_READS):
            try:
                _, anc, _, _ = self.sock.recvmsg(
                    MAX_DATAGRAM, socket.CMSG_SPACE(4), socket.MSG_DONTWAIT
                )
            except OSError:  # nothing waiting (BlockingIOError), or closed
                return
            self._count_drops(anc)
            self._refuse("flood", f"more than {self.rate:g} messages a second")

    def _count_drops(self, anc: list[tuple[int, int, bytes]]) -> None:
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == SO_RXQ_OVFL and len(payload) >= 4:
                total = int.from_bytes(payload[:4], sys.byteorder)
                new, self._dropped = total - self._dropped, total
                if new > 0:
                    self._flooded_until = self.clock() + FLOOD_HOLD
                    self.bucket.rate = self.rate * FLOOD_SHARE
                    with self._lock:
                        self.refused["flood"] += new - 1
                    self._refuse("flood", f"more than {self.rate:g} messages a second")

    def datagram(self, data: bytes) -> None:
        """Parse one datagram (a message or a bundle of them) and post what it asks for."""
        try:
            messages = parse(data)
        except Refused as r:
            self._refuse(r.kind, str(r))
            return
        for address, args in messages:
            self.message(address, args)

    def message(self, address: str, args: list[object]) -> bool:
        try:
            ev = to_event(address, args, figures=self.figures, preset=named_preset)
        except Refused as r:
            self._refuse(r.kind, str(r))
            return False
        if not self.post(ev):
            self._refuse("flood", "the show's inbox is full")
            return False
        with self._lock:
            self.accepted += 1
        return True

    def _refuse(self, kind: str, reason: str) -> None:
        with self._lock:
            self.refused[kind] += 1
            first = kind not in self._seen_kinds
            self._seen_kinds.add(kind)
        if first:  # the first of each kind at once; the rest in the minute's counts
            self.log.warning("osc: refused (%s): %s", kind, reason)

    def tally(self) -> tuple[int, Counter[str]]:
        with self._lock:
            return self.accepted, Counter(self.refused)

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
