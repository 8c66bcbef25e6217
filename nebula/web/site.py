"""The server's state, shared by its handlers: what it serves (the show's folder), how it
reaches the show (OSC on loopback), its token, and the OSCQuery listeners."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nebula.config import PARAM_SPECS
from nebula.web.feed import STATUS_FILE, read_status
from nebula.web.namespace import namespace

#: A status older than this (seconds) means the show is not writing: restarting, or gone.
STALE_SECONDS = 3.0
#: Controls taken from the page per second at most, with a burst (the OSC server limits too).
CONTROL_RATE = 60.0
CONTROL_BURST = 120.0


#: What a supervisor that hosts the page adds to the status (scripts/watchdog.py --web).
SUPERVISOR_FILE = "supervisor.json"


def _alive(pid: object) -> bool:
    """Whether the process that wrote the status is still there (the same machine), so a
    killed piece reads as restarting at once, not after STALE_SECONDS."""
    if not isinstance(pid, int) or pid <= 0:
        return True  # not said: go by the status's age alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Site:
    folder: Path
    token: str
    loopback: bool
    osc: tuple[str, int]  # the show's OSC server
    name: str = "Nebula"
    figures: int = 8
    log: Path | None = None
    sockets: set[Any] = field(default_factory=set)  # open WebSockets
    listening: dict[Any, set[str]] = field(default_factory=dict)  # WebSocket -> paths
    #: A file of the folder's name -> (its mtime, what it held): read again only when changed.
    _files: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _udp: socket.socket | None = None
    _allowance: float = CONTROL_BURST
    _last: float = field(default_factory=time.monotonic)

    def _read(self, name: str) -> dict[str, Any]:
        """The JSON file ``name`` of the folder as last written ({} when there is none)."""
        path = self.folder / name
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            stamp = 0
        cached = self._files.get(name)
        if cached is None or cached[0] != stamp:
            cached = self._files[name] = (stamp, read_status(path) or {})
        return cached[1]

    def status(self) -> dict[str, Any]:
        """The show's last status, with ``state`` saying "restarting" where the show has
        stopped writing, and what a hosting supervisor adds."""
        data = dict(self._read(STATUS_FILE))
        written = data.get("written")
        age = time.time() - written if isinstance(written, (int, float)) else None
        gone = not _alive(data.get("pid"))
        if age is None or age > STALE_SECONDS or gone:
            data["state"] = "restarting" if data else "starting"
        data["age_s"] = None if age is None else round(age, 2)
        data.update(self._read(SUPERVISOR_FILE))
        return data

    def values(self, status: dict[str, Any] | None = None) -> dict[str, float]:
        got = (status or self.status()).get("params")
        values = {s.name: s.default for s in PARAM_SPECS}
        if isinstance(got, dict):
            values.update({k: float(v) for k, v in got.items() if k in values})
        return values

    def presets(self, status: dict[str, Any] | None = None) -> list[str]:
        got = (status or self.status()).get("presets")
        return [str(p) for p in got] if isinstance(got, list) else []

    def tree(self) -> dict[str, Any]:
        """The OSCQuery namespace with the values of one reading of the status."""
        status = self.status()
        preset = status.get("preset")
        return namespace(
            self.values(status),
            str(preset) if preset else None,
            self.presets(status),
            self.figures,
        )

    def osc_target(self) -> tuple[str, int]:
        """Where the show takes OSC: the port its status gives (a restarted piece may have a
        new one), else the one the server was started with."""
        port = self._read(STATUS_FILE).get("osc_port")
        return (self.osc[0], port) if isinstance(port, int) and port > 0 else self.osc

    def send(self, packet: bytes) -> None:
        """An OSC packet to the show's OSC server, which checks and rate-limits it as any."""
        if self._udp is None:
            self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        target = self.osc_target()
        if target[1] > 0:
            self._udp.sendto(packet, target)

    def send_message(self, address: str, args: Sequence[str | int | float]) -> None:
        from pythonosc.osc_message_builder import OscMessageBuilder

        b = OscMessageBuilder(address)
        for a in args:
            b.add_arg(a)
        self.send(b.build().dgram)

    def allow_control(self) -> bool:
        """A token bucket over every control the page and the WebSocket send."""
        now = time.monotonic()
        self._allowance = min(CONTROL_BURST, self._allowance + (now - self._last) * CONTROL_RATE)
        self._last = now
        if self._allowance < 1.0:
            return False
        self._allowance -= 1.0
        return True

    def close(self) -> None:
        if self._udp is not None:
            self._udp.close()
