"""What every request to the page's server passes (nebula.web.server): the token, the Host
header and the WebSocket Origin, as Jupyter and obs-websocket do it.

- On loopback (the default) reading needs no token and every control does; served beyond
  loopback, everything does.
- The token is made on first start, kept in the state folder with mode 0600, compared in
  constant time, and taken from a header or the link's ``token`` parameter, never a cookie
  (which another site's page could ride on).
- On loopback the Host header must name the loopback address or ``localhost``: a page on a
  name that resolves to 127.0.0.1 (DNS rebinding) is turned away.
- A WebSocket upgrade whose Origin is not this server's own is refused.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

TOKEN_FILE = "web-token"
TOKEN_HEADER = "X-Nebula-Token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def load_token(folder: Path) -> str:
    """The server's token from ``folder``, made (mode 0600) on first start."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TOKEN_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)  # a copy made by hand keeps no wider mode
        token = path.read_text(encoding="ascii").strip()
        if len(token) >= 16:
            return token
        path.unlink()
        return load_token(folder)
    token = secrets.token_urlsafe(24)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(token + "\n")
    return token


def token_ok(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hostname(authority: str) -> str:
    """``name`` of ``name:port`` or ``[v6]:port``."""
    if authority.startswith("["):
        return authority[1 : authority.find("]")] if "]" in authority else authority
    return authority.rsplit(":", 1)[0] if authority.count(":") == 1 else authority


def host_ok(host_header: str | None, serving_loopback: bool) -> bool:
    """On loopback, the Host header names loopback (DNS rebinding is turned away)."""
    if not serving_loopback:
        return True
    return host_header is not None and is_loopback(_hostname(host_header.strip().lower()))


def origin_ok(origin: str | None, host_header: str | None) -> bool:
    """A browser's WebSocket comes from a page of this server (its Origin names the Host the
    request was made to); a client that sends no Origin is not a browser page."""
    if origin is None:
        return True
    if host_header is None:
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host_header.lower()
