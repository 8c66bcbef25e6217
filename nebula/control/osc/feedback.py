"""OSC feedback: every parameter change sent back to a tablet, whatever its source, so its
faders follow the piece."""

from __future__ import annotations

from nebula.config import ConfigError
from nebula.control.events import Event, changes
from nebula.control.osc.messages import INSTALL_HINT, PREFIX


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
