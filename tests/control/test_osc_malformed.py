"""Junk on the OSC port (an empty datagram, bytes that are no OSC, a bundle holding neither a
message nor a bundle, a type tag python-osc does not know) is refused as malformed and counted,
and python-osc's own log lines never reach the show's output."""

from __future__ import annotations

import logging
import socket
import struct
import time
from collections import Counter

import pytest

from nebula.control.inbox import Inbox

BUNDLE = b"#bundle\0" + bytes(8)  # the header and an immediate time tag
JUNK = [
    b"",
    b"not osc at all",
    BUNDLE + (0).to_bytes(4, "big"),  # an empty element: python-osc logs "content type"
    BUNDLE + (4).to_bytes(4, "big") + b"junk",
    # A char argument ('c'), which python-osc skips with a warning and takes the rest.
    b"/nebula/param/bloom\0,fc\0" + struct.pack(">f", 1.0) + struct.pack(">i", 65),
]
#: What python-osc says about them when it logs (through the root logger).
PYTHON_OSC = ("WARNING:root", "content type", "Unhandled parameter type")


def send_junk(address: tuple[str, int]) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for data in JUNK:
            sock.sendto(data, address)
    finally:
        sock.close()


def test_the_receiver_process_refuses_junk_as_malformed_and_prints_nothing(
    capfd: pytest.CaptureFixture[str],
) -> None:
    from nebula.control.osc import OscProcess

    inbox = Inbox()
    p = OscProcess(inbox.post, 0).start()
    try:
        send_junk(p.address)
        deadline = time.monotonic() + 5
        while p.refused["malformed"] < len(JUNK) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # anything it would print after the count
    finally:
        p.close()
    err = capfd.readouterr().err  # the receiver's stderr is the show's (inherited)
    assert not [ln for ln in err.splitlines() if any(w in ln for w in PYTHON_OSC)], err
    assert p.refused == Counter({"malformed": len(JUNK)})
    assert p.accepted == 0 and len(inbox) == 0


def test_the_server_in_the_shows_process_keeps_python_osc_quiet_too(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from nebula.control.osc import OscServer

    inbox = Inbox()
    caplog.set_level(logging.DEBUG)
    s = OscServer(inbox.post, 0)  # not started: fed by hand
    try:
        for data in JUNK:
            s.datagram(data)
    finally:
        s.close()
    assert s.refused == Counter({"malformed": len(JUNK)}) and s.accepted == 0 and len(inbox) == 0
    assert [r.getMessage() for r in caplog.records if r.name != "nebula.osc"] == []
