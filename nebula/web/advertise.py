"""Discovery, when asked (``--advertise``): the page's OSCQuery server as ``_oscjson._tcp`` and
the show's OSC port as ``_osc._udp``, through zeroconf (the ``advertise`` extra), so control
apps list the piece without an address typed in. Off by default: a gallery's network need not
hear of it."""

from __future__ import annotations

import socket
from typing import Any

INSTALL_HINT = "--advertise needs zeroconf: pip install 'nebula[advertise]'"


class Advertiser:
    def __init__(self, name: str, host: str, web_port: int, osc_port: int) -> None:
        try:
            from zeroconf import InterfaceChoice, IPVersion, ServiceInfo, Zeroconf
        except ImportError:
            raise RuntimeError(INSTALL_HINT) from None
        loopback = host.startswith("127.") or host in ("localhost", "::1")
        address = "127.0.0.1" if loopback or host in ("0.0.0.0", "::") else host
        if host in ("0.0.0.0", "::"):
            address = _own_address() or "127.0.0.1"
        self.zc = Zeroconf(
            interfaces=["127.0.0.1"] if loopback else InterfaceChoice.All,
            ip_version=IPVersion.V4Only,
        )
        label = f"{name} on {socket.gethostname()}"
        server = f"{socket.gethostname()}.local."
        addresses = [socket.inet_aton(address)]
        self.infos: list[Any] = [
            ServiceInfo(
                "_oscjson._tcp.local.",
                f"{label}._oscjson._tcp.local.",
                addresses=addresses,
                port=web_port,
                server=server,
            )
        ]
        if osc_port > 0:
            self.infos.append(
                ServiceInfo(
                    "_osc._udp.local.",
                    f"{label}._osc._udp.local.",
                    addresses=addresses,
                    port=osc_port,
                    server=server,
                )
            )
        for info in self.infos:
            self.zc.register_service(info, allow_name_change=True)

    def close(self) -> None:
        for info in self.infos:
            self.zc.unregister_service(info)
        self.zc.close()


def _own_address() -> str | None:
    """This machine's address on its default route (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, only looked up
            return str(s.getsockname()[0])
    except OSError:
        return None
