"""OSC control (python-osc, the ``osc`` extra): a UDP server on loopback unless asked otherwise,
every message turned into an event (nebula.control.events) and posted to the show.

Addresses (``ADDRESSES``; the README's table is generated from the parameter registry):

- ``/nebula/param/NAME f``: the value, in the parameter's range;
- ``/nebula/param/NAME/norm f``: 0 to 1 across the range;
- ``/nebula/share [i]``: the dreamer shares, or figure i;
- ``/nebula/preset s``: a preset by name, from the preset folders only (no path, no ``..``);
- ``/nebula/action s``: an action by name (``pause``, ``reset``, ``preset_3``, ...); those
  that write a file where a message could choose it or end the show (``screenshot``,
  ``quit``) are refused over the network.

A message that cannot be applied (an unknown address, a wrong type, NaN or infinity, a value
out of range, a flood beyond ``RATE`` messages a second) is refused with its reason, logged
(the first of each kind at once, then once a minute with the counts) and counted. ``nebula
run`` runs the server in a process of its own (``OscProcess``). The server's
thread reads and drops a flood without parsing it, so a flood costs the frame almost nothing.

``Feedback`` sends every parameter change back, whatever its source, so a tablet's faders
follow the piece.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nebula.config import PARAM_SPECS, PARAMS_BY_NAME, ConfigError
from nebula.control.events import ACTIONS, Event, EventError, inbox_key, number, param_event

LOG = logging.getLogger("nebula.osc")
PREFIX = "/nebula"
#: Messages a second taken in; beyond it (after a burst of ``BURST``) they are a flood. A
#: TouchOSC fader sends about 60 a second: eight of them moving at once stay under it.
RATE = 500.0
BURST = 200.0
#: How often the refusals are summed up in the log (and the minute report).
REPORT_SECONDS = 60.0
#: Actions a message may not ask for: they write files or end the show.
REFUSED_ACTIONS = frozenset({"screenshot", "quit"})
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
INSTALL_HINT = "OSC needs python-osc: pip install 'nebula[osc]'"

ADDRESSES: tuple[tuple[str, str, str], ...] = (
    ("/nebula/param/NAME", "f", "set a parameter to a value in its range"),
    ("/nebula/param/NAME/norm", "f", "set a parameter from 0 to 1 across its range"),
    ("/nebula/share", "[i]", "the dreamer shares, or figure i (1 to the number of figures)"),
    ("/nebula/preset", "s", "load a preset by name (from the preset folders only)"),
    (
        "/nebula/action",
        "s",
        "an action by name: " + ", ".join(sorted(set(ACTIONS) - REFUSED_ACTIONS)),
    ),
)


class Refused(Exception):
    """A message that is not applied; the message is the reason (its kind is ``kind``)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


def address_table() -> str:
    """The README's table of addresses and parameters (generated: see tests/test_readme)."""
    rows = ["| address | arguments | what it does |", "| --- | --- | --- |"]
    rows += [f"| `{a}` | `{t}` | {d} |" for a, t, d in ADDRESSES]
    rows += ["", "| NAME | range | default | what it changes |", "| --- | --- | --- | --- |"]
    rows += [
        f"| `{s.name}` | {s.lo:g} to {s.hi:g} | {s.default:g} | {s.doc} |" for s in PARAM_SPECS
    ]
    return "\n".join(rows)


def _one(args: list[object], address: str) -> object:
    if len(args) != 1:
        raise Refused("wrong type", f"{address} takes one argument (got {len(args)})")
    return args[0]


def to_event(
    address: str,
    args: list[object],
    *,
    figures: int,
    preset: Callable[[str], dict[str, object]] | None = None,
) -> Event:
    """The event a message asks for; Refused with the reason otherwise. ``preset`` resolves a
    preset's name to its event value (a name from the preset folders only)."""
    if not address.startswith(PREFIX + "/"):
        raise Refused("unknown address", f"unknown address {address!r}")
    parts = address[len(PREFIX) + 1 :].split("/")
    try:
        if parts[0] == "param" and len(parts) in (2, 3):
            name = parts[1]
            spec = PARAMS_BY_NAME.get(name)
            if spec is None or (len(parts) == 3 and parts[2] != "norm"):
                raise Refused("unknown address", f"unknown address {address!r}")
            v = _number(_one(args, address), address)
            if len(parts) == 3:
                if not 0.0 <= v <= 1.0:
                    raise Refused("out of range", f"{address} = {v:g} is out of range [0, 1]")
                v = spec.lo + v * (spec.hi - spec.lo)
            return param_event("osc", name, v)
        if parts == ["share"]:
            if not args:
                return Event("osc", "share", None)
            i = _one(args, address)
            if isinstance(i, bool) or not isinstance(i, int):
                raise Refused("wrong type", f"{address} takes an integer figure (got {_type(i)})")
            if not 1 <= i <= figures:
                raise Refused("out of range", f"{address} {i}: figures are 1 to {figures}")
            return Event("osc", "share", i)
        if parts == ["preset"]:
            what = _one(args, address)
            if not isinstance(what, str):
                raise Refused("wrong type", f"{address} takes a name (got {_type(what)})")
            if preset is None:
                raise Refused("refused", "presets are not taken here")
            try:
                return Event("osc", "preset", preset(what))
            except ConfigError as e:
                raise Refused("refused", str(e)) from None
        if parts == ["action"]:
            act = _one(args, address)
            if not isinstance(act, str):
                raise Refused("wrong type", f"{address} takes an action's name (got {_type(act)})")
            if act in REFUSED_ACTIONS:
                raise Refused("refused", f"action {act!r} is not taken over the network")
            if act not in ACTIONS:
                raise Refused("unknown address", f"unknown action {act!r}")
            return Event("osc", act)
    except EventError as e:
        kind = "out of range" if "out of range" in str(e) else "wrong type"
        if "finite" in str(e):
            kind = "not finite"
        raise Refused(kind, f"{address}: {e}") from None
    raise Refused("unknown address", f"unknown address {address!r}")


def _number(v: object, address: str) -> float:
    try:
        return number(v, address)
    except EventError as e:
        raise Refused("not finite" if "finite" in str(e) else "wrong type", str(e)) from None


def _type(v: object) -> str:
    return type(v).__name__


def named_preset(name: str) -> dict[str, object]:
    """A preset's event value by name, from the preset folders only (ConfigError otherwise)."""
    from nebula.presets import load_named_preset

    p = load_named_preset(name)
    values = {s.name: s.default for s in PARAM_SPECS} | p.params
    return {"name": p.name, "params": values}


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
            from pythonosc.osc_bundle import OscBundle
            from pythonosc.osc_message import OscMessage
        except ImportError:
            raise ConfigError(INSTALL_HINT) from None
        self._bundle, self._message = OscBundle, OscMessage
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
            if self._bundle.dgram_is_bundle(data):
                messages = list(_messages(self._bundle(data)))
            else:
                messages = [self._message(data)]
        except Exception as e:  # python-osc raises its own ParseError and others on junk
            self._refuse("malformed", f"not an OSC packet ({type(e).__name__})")
            return
        for m in messages:
            self.message(m.address, list(m.params))  # type: ignore[attr-defined]

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


def _messages(bundle: object) -> Iterable[object]:
    from pythonosc.osc_bundle import OscBundle

    assert isinstance(bundle, OscBundle)
    for item in bundle:
        if isinstance(item, OscBundle):
            yield from _messages(item)
        else:
            yield item


def parse_target(text: str) -> tuple[str, int]:
    """``HOST:PORT`` for --osc-feedback (ConfigError otherwise)."""
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--osc-feedback {text!r}: give HOST:PORT, for example 127.0.0.1:9001")
    return host, int(port)


class Feedback:
    """Sends each parameter change to ``host:port`` as ``/nebula/param/NAME f``: a Show
    listener (whatever the event's source)."""

    def __init__(self, host: str, port: int) -> None:
        try:
            from pythonosc.udp_client import SimpleUDPClient
        except ImportError:
            raise ConfigError(INSTALL_HINT) from None
        self.client = SimpleUDPClient(host, port)
        self.sent = 0

    def __call__(self, ev: Event) -> None:
        for name, value in changes(ev):
            try:
                self.client.send_message(f"{PREFIX}/param/{name}", value)
                self.sent += 1
            except OSError:  # nobody listening, or a full buffer: the show goes on
                pass


def changes(ev: Event) -> list[tuple[str, float]]:
    """The parameter targets an event sets, as (name, value)."""
    name = ev.param
    if name is not None and isinstance(ev.value, float):
        return [(name, ev.value)]
    if ev.target in ("preset", "settle") and isinstance(ev.value, dict):
        values = ev.value["params" if ev.target == "preset" else "targets"]
        if isinstance(values, dict):
            return [(k, float(v)) for k, v in values.items()]
    if ev.target == "reset":
        return [(s.name, s.default) for s in PARAM_SPECS]
    return []


# ---------------------------------------------------------------------------- its own process

#: How often the receiver's process hands what it took to the show's (seconds), when it took
#: or counted anything; and at least this often when not, so the minute report stays on time.
BATCH_SECONDS = 0.02
QUIET_BATCH_SECONDS = 1.0
#: The receiver yields to the show on a busy machine: it is at most a few percent of a core,
#: and whatever wakes it (a flood) should not take a core from the frame's rasterizer threads.
RECEIVER_NICE = 5


class _Lines(logging.Handler):
    """Collects a receiver's log lines for its parent to log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, record.getMessage()))


def receive(host: str, port: int, figures: int, rate: float, burst: float) -> int:
    """The receiver process (``python -m nebula.control.osc HOST PORT FIGURES RATE BURST``):
    an OscServer whose events, coalesced as the show's inbox does, go to stdout as one JSON
    line every BATCH_SECONDS with the counts and the log lines (when any of them is new). It
    ends when its stdin closes (the show let it go, or died)."""
    if hasattr(os, "nice"):
        os.nice(RECEIVER_NICE)  # before its threads start: they inherit it
    out = sys.stdout
    log = logging.getLogger("nebula.osc.receiver")
    log.propagate = False
    lines = _Lines()
    log.addHandler(lines)
    lock = threading.Lock()
    batch: dict[object, Event] = {}
    n = 0

    def post(ev: Event) -> bool:
        nonlocal n
        with lock:
            n += 1
            batch[inbox_key(ev, n)] = ev
        return True

    def send(obj: object) -> None:
        out.write(json.dumps(obj, separators=(",", ":")) + "\n")
        out.flush()

    try:
        server = OscServer(post, port, host=host, figures=figures, rate=rate, burst=burst, log=log)
    except ConfigError as e:
        send({"error": str(e)})
        return 1
    send({"bound": list(server.address)})
    server.start()
    gone = threading.Event()

    def watch_stdin() -> None:  # EOF: the parent closed its end, or is no more
        sys.stdin.buffer.read()
        gone.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    sent: tuple[int, dict[str, int]] | None = None
    quiet_until = 0.0
    try:
        while not gone.wait(BATCH_SECONDS):
            with lock:
                events, said = list(batch.values()), lines.lines
                batch.clear()
                lines.lines = []
            accepted, refused = server.tally()
            counts = (accepted, dict(refused))
            now = time.monotonic()
            if not events and not said and counts == sent and now < quiet_until:
                continue  # nothing new: the show's process is not woken for it
            sent, quiet_until = counts, now + QUIET_BATCH_SECONDS
            send(
                {
                    "events": [[e.source, e.target, e.value] for e in events],
                    "accepted": accepted,
                    "refused": counts[1],
                    "lines": said,
                }
            )
    except (BrokenPipeError, OSError):
        pass
    finally:
        server.close()
    return 0


class OscProcess(_Tally):
    """The OSC server as `nebula run` runs it: in a process of its own, so parsing, counting
    and refusing never take the interpreter from the frame; the show's process only reads a
    batch of events every BATCH_SECONDS. A plain child process (``python -m
    nebula.control.osc``): never a fork of the show, which holds a GL context. The same
    interface as OscServer."""

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
        import subprocess

        try:
            import pythonosc  # noqa: F401
        except ImportError:
            raise ConfigError(INSTALL_HINT) from None
        self.post = post
        self.log = log
        self.clock = clock
        args = [host, str(port), str(figures), repr(rate), repr(burst)]
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "nebula.control.osc", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        first = self._proc.stdout.readline()
        try:
            hello = json.loads(first)
        except ValueError:
            self._end()
            raise ConfigError(f"--osc {port}: the OSC receiver did not start") from None
        if "error" in hello:
            self._end()
            raise ConfigError(str(hello["error"]))
        self.address: tuple[str, int] = (hello["bound"][0], hello["bound"][1])
        self.rate = rate
        self.accepted = 0
        self._theirs: Counter[str] = Counter()
        self._mine: Counter[str] = Counter()  # refused here: the show's inbox full
        self._lock = threading.Lock()
        self._start_tally()
        self._thread = threading.Thread(target=self._pump, name="nebula-osc-pump", daemon=True)

    def tally(self) -> tuple[int, Counter[str]]:
        with self._lock:
            return self.accepted, self._theirs + self._mine

    @property
    def refused(self) -> Counter[str]:
        return self.tally()[1]

    def start(self) -> OscProcess:
        self._thread.start()
        self.log.info("osc: listening on %s:%d (its own process)", *self.address)
        return self

    def _pump(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            for source, target, value in msg["events"]:
                if not self.post(Event(source, target, value)):
                    with self._lock:
                        self._mine["flood"] += 1
            with self._lock:
                self.accepted = int(msg["accepted"])
                self._theirs = Counter(msg["refused"])
            for level, said in msg["lines"]:
                self.log.log(int(level), "%s", said)
            self.report()

    def _end(self) -> None:
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(3.0)
        except Exception:
            self._proc.kill()
            self._proc.wait(3.0)

    def close(self) -> None:
        self._end()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
        if self._proc.stdout is not None:
            self._proc.stdout.close()


if __name__ == "__main__":  # the receiver process of OscProcess
    h, p, f, r, b = sys.argv[1:6]
    sys.exit(receive(h, int(p), int(f), float(r), float(b)))
