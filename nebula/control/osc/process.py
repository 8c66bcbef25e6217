"""The OSC server in a process of its own, as ``nebula run`` runs it: the receiver (the child,
``python -m nebula.control.osc.process``) and its proxy in the show's process (``OscProcess``).
Parsing, counting and refusing never take the interpreter from the frame."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable

from nebula.config import ConfigError
from nebula.control.events import Event
from nebula.control.inbox import Inbox
from nebula.control.osc.messages import INSTALL_HINT
from nebula.control.osc.server import BURST, LOG, RATE, OscServer, _Tally

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

    def emit(self, record: logging.LogRecord) -> None:  # under the handler's lock
        self.lines.append((record.levelno, record.getMessage()))

    def take(self) -> list[tuple[int, str]]:
        """The lines collected since the last take."""
        with self.lock or contextlib.nullcontext():
            taken, self.lines = self.lines, []
        return taken


def receive(host: str, port: int, figures: int, rate: float, burst: float) -> int:
    """The receiver process (``python -m nebula.control.osc.process HOST PORT FIGURES RATE
    BURST``): an OscServer whose events, coalesced in an Inbox as the show's are, go to stdout
    as one JSON line every BATCH_SECONDS with the counts and the log lines (when any of them is
    new). It ends when its stdin closes (the show let it go, or died)."""
    if hasattr(os, "nice"):
        os.nice(RECEIVER_NICE)  # before its threads start: they inherit it
    out = sys.stdout
    log = logging.getLogger("nebula.osc.receiver")
    log.propagate = False
    lines = _Lines()
    log.addHandler(lines)
    batch = Inbox(None)  # no bound: the show's own inbox refuses a flood

    def send(obj: object) -> None:
        out.write(json.dumps(obj, separators=(",", ":")) + "\n")
        out.flush()

    try:
        server = OscServer(
            batch.post, port, host=host, figures=figures, rate=rate, burst=burst, log=log
        )
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
            events, said = batch.take(), lines.take()
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
    nebula.control.osc.process``): never a fork of the show, which holds a GL context. The same
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
            [sys.executable, "-m", "nebula.control.osc.process", *args],
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
