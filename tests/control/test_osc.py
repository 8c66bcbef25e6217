"""OSC: each address becomes its event, each bad message is refused with its reason and
counted, a real server on loopback takes messages from python-osc and from liblo's oscsend (an
implementation that is not ours), and feedback reaches liblo's oscdump."""

from __future__ import annotations

import math
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pythonosc.udp_client import SimpleUDPClient

from nebula.config import PARAMS_BY_NAME
from nebula.control.events import Event
from nebula.control.osc import Feedback, OscServer, Refused, address_table, named_preset, to_event


def ev(address: str, *args: object) -> Event:
    return to_event(address, list(args), figures=8, preset=named_preset)


def test_each_address_becomes_its_event() -> None:
    assert ev("/nebula/param/bloom", 1.5) == Event("osc", "param:bloom", 1.5)
    spec = PARAMS_BY_NAME["exposure"]
    norm = ev("/nebula/param/exposure/norm", 0.5)
    assert norm.value == pytest.approx((spec.lo + spec.hi) / 2)
    assert ev("/nebula/share") == Event("osc", "share", None)
    assert ev("/nebula/share", 3) == Event("osc", "share", 3)
    assert ev("/nebula/action", "pause") == Event("osc", "pause")
    p = ev("/nebula/preset", "dawn")
    assert p.target == "preset" and isinstance(p.value, dict) and p.value["name"] == "dawn"


@pytest.mark.parametrize(
    "address,args,kind",
    [
        ("/nebula/parm/bloom", [1.0], "unknown address"),
        ("/other/thing", [1.0], "unknown address"),
        ("/nebula/param/blom", [1.0], "unknown address"),
        ("/nebula/param/bloom", ["bright"], "wrong type"),
        ("/nebula/param/bloom", [1.0, 2.0], "wrong type"),
        ("/nebula/param/bloom", [math.nan], "not finite"),
        ("/nebula/param/bloom", [math.inf], "not finite"),
        ("/nebula/param/bloom", [9.0], "out of range"),
        ("/nebula/param/bloom/norm", [1.5], "out of range"),
        ("/nebula/share", [99], "out of range"),
        ("/nebula/share", [1.5], "wrong type"),
        ("/nebula/preset", ["../../etc/passwd"], "refused"),
        ("/nebula/preset", ["/tmp/evil.toml"], "refused"),
        ("/nebula/preset", ["no_such_look"], "refused"),
        ("/nebula/action", ["screenshot"], "refused"),
        ("/nebula/action", ["quit"], "refused"),
        ("/nebula/action", ["explode"], "unknown address"),
    ],
)
def test_a_bad_message_is_refused_with_its_reason(
    address: str, args: list[object], kind: str
) -> None:
    with pytest.raises(Refused) as e:
        to_event(address, args, figures=8, preset=named_preset)
    assert e.value.kind == kind, str(e.value)


def test_the_readme_carries_the_generated_address_table() -> None:
    readme = (Path(__file__).resolve().parents[2] / "docs/control.md").read_text(encoding="utf-8")
    assert address_table() in readme, "docs/control.md: paste nebula.control.osc.address_table()"


class Inbox:
    def __init__(self, room: int = 10_000) -> None:
        self.events: list[Event] = []
        self.room = room
        self.lock = threading.Lock()

    def post(self, e: Event) -> bool:
        with self.lock:
            if len(self.events) >= self.room:
                return False
            self.events.append(e)
            return True

    def wait(self, n: int, timeout: float = 5.0) -> list[Event]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if len(self.events) >= n:
                    return list(self.events)
            time.sleep(0.01)
        return list(self.events)


@pytest.fixture
def server() -> Iterator[tuple[OscServer, Inbox]]:
    inbox = Inbox()
    s = OscServer(inbox.post, 0).start()  # port 0: a free one
    yield s, inbox
    s.close()


def test_the_server_listens_on_loopback_only_by_default(server: tuple[OscServer, Inbox]) -> None:
    s, _ = server
    assert s.address[0] == "127.0.0.1"


def test_python_osc_and_liblo_reach_the_server(server: tuple[OscServer, Inbox]) -> None:
    s, inbox = server
    port = s.address[1]
    SimpleUDPClient("127.0.0.1", port).send_message("/nebula/param/bloom", 1.25)
    assert shutil.which("oscsend"), "oscsend is missing: run scripts/setup.sh (liblo-tools)"
    subprocess.run(
        ["oscsend", "localhost", str(port), "/nebula/param/haze", "f", "0.5"], check=True
    )
    subprocess.run(["oscsend", "localhost", str(port), "/nebula/share", "i", "2"], check=True)
    subprocess.run(["oscsend", "localhost", str(port), "/nebula/param/haze", "s", "x"], check=True)
    got = inbox.wait(3)
    assert got[:3] == [
        Event("osc", "param:bloom", 1.25),
        Event("osc", "param:haze", 0.5),
        Event("osc", "share", 2),
    ]
    deadline = time.monotonic() + 2
    while s.refused["wrong type"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert s.refused["wrong type"] == 1 and s.accepted == 3


def test_junk_and_a_flood_are_refused_and_counted() -> None:
    from nebula.control.osc import BURST

    inbox = Inbox()
    s = OscServer(inbox.post, 0, clock=lambda: 0.0).start()  # time stands: no refill
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.sendto(b"not osc at all", s.address)
        b = SimpleUDPClient("127.0.0.1", s.address[1])
        for i in range(1000):  # at once: far past the burst and the socket's buffer
            b.send_message("/nebula/param/bloom", (i % 20) / 10)
        time.sleep(0.3)
        b.send_message("/nebula/param/bloom", 1.0)  # read after the drops: it brings their count
        deadline = time.monotonic() + 20
        while s.accepted + sum(s.refused.values()) < 1002 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        sock.close()
        s.close()
    assert s.refused["malformed"] == 1
    assert s.accepted == BURST - 1  # the junk took a token too
    # Every other message refused, most dropped unread by the kernel and counted.
    assert s.refused["flood"] == 1001 - s.accepted
    assert len(inbox.events) == s.accepted


def test_while_the_kernel_drops_datagrams_the_server_takes_less() -> None:
    """A flood (the kernel dropping what overflows the socket) is refused anyway: the server
    takes a fifth of its rate from it, and all of it again a second after the drops stop."""
    from nebula.control.osc import FLOOD_HOLD, FLOOD_SHARE, RATE, SO_RXQ_OVFL

    now = [0.0]
    s = OscServer(Inbox().post, 0, clock=lambda: now[0])
    try:
        assert not s.flooded and s.bucket.rate == RATE
        dropped = (socket.SOL_SOCKET, SO_RXQ_OVFL, (50).to_bytes(4, sys.byteorder))
        s._count_drops([dropped])  # as a read brings the kernel's count
        assert s.flooded and s.bucket.rate == RATE * FLOOD_SHARE
        assert s.refused["flood"] == 50
        now[0] = 0.9 * FLOOD_HOLD
        s._follow_flood(now[0])
        assert s.bucket.rate == RATE * FLOOD_SHARE  # still within the hold
        now[0] = 1.01 * FLOOD_HOLD
        s._follow_flood(now[0])
        assert not s.flooded and s.bucket.rate == RATE
    finally:
        s.close()


def test_the_refusals_are_summed_up_in_the_minute_report() -> None:
    now = [0.0]
    inbox = Inbox()
    s = OscServer(inbox.post, 0, clock=lambda: now[0])
    try:
        s.message("/nebula/nope", [])
        s.message("/nebula/param/bloom", [math.nan])
        s.message("/nebula/param/bloom", [math.nan])
        assert s.report() is None  # not a minute yet
        now[0] = 61.0
        line = s.report()
        assert line is not None and "not finite 2" in line and "unknown address 1" in line
    finally:
        s.close()


def test_a_port_in_use_is_refused_in_one_line() -> None:
    inbox = Inbox()
    a = OscServer(inbox.post, 0)
    try:
        from nebula.config import ConfigError

        with pytest.raises(
            ConfigError, match=r"cannot listen on 127\.0\.0\.1:.*choose another port"
        ):
            OscServer(inbox.post, a.address[1])
    finally:
        a.close()


def test_feedback_reaches_liblos_oscdump() -> None:
    assert shutil.which("oscdump"), "oscdump is missing: run scripts/setup.sh (liblo-tools)"
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    dump = subprocess.Popen(["oscdump", "-L", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        fb = Feedback("127.0.0.1", port)
        time.sleep(0.3)  # oscdump binds its port
        fb(Event("key", "param:exposure", 1.4, 5, 1.0))
        fb(Event("key", "reset", None, 6, 1.0))
        time.sleep(0.3)
    finally:
        dump.terminate()
        out, _ = dump.communicate(timeout=5)
    lines = out.splitlines()
    # oscdump prints "<timetag> <address> <types> <values>".
    sent = [ln.split(" ", 1)[1] for ln in lines if " /nebula/param/" in ln]
    assert sent[0] == "/nebula/param/exposure f 1.400000", out
    assert len(sent) == 1 + len(PARAMS_BY_NAME)  # a reset sends every parameter


def test_the_receiver_in_its_own_process_posts_refuses_and_lets_the_port_go() -> None:
    from nebula.config import ConfigError
    from nebula.control.osc import OscProcess

    inbox = Inbox()
    p = OscProcess(inbox.post, 0).start()
    try:
        port = str(p.address[1])
        subprocess.run(
            ["oscsend", "localhost", port, "/nebula/param/bloom", "f", "1.5"], check=True
        )
        subprocess.run(["oscsend", "localhost", port, "/nebula/nope", "f", "1.5"], check=True)
        assert inbox.wait(1)[:1] == [Event("osc", "param:bloom", 1.5)]
        deadline = time.monotonic() + 5
        while p.refused["unknown address"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert p.accepted == 1 and p.refused["unknown address"] == 1
        assert p.summary().endswith("taken 1 refused 1")
        with pytest.raises(ConfigError, match="another port"):
            OscProcess(inbox.post, p.address[1])  # the port is taken: one line, no process left
    finally:
        p.close()
    assert p._proc.poll() is not None
    again = OscServer(inbox.post, p.address[1])  # closed: the port is free again
    again.close()
