"""The wall's messages: JSON bodies signed with HMAC-SHA256 under the wall file's shared token,
each carrying its sender's session and a sequence number, so a message from a process without
the token is refused, and a replayed one (a sequence number already seen from that session) is
ignored; both are counted. Sent over ZeroMQ as two frames: the body and its MAC.

Follower to leader: ``hello`` (its tile), ``ready`` (its piece built from the welcome: count
it in the barrier from the next frame), ``done`` (frame n drawn), ``bye``.
Leader to follower: ``welcome`` (the run: seed, parameters, the events so far), ``frame`` (n, its
piece time, the events stamped since), ``release`` (n: present it), ``end``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

KINDS = frozenset({"hello", "ready", "done", "bye", "welcome", "frame", "release", "end"})
#: A message body larger than this is malformed (a welcome with a long cycle's events fits).
MAX_BODY = 4 * 2**20


class Refused(Exception):
    """A message that is not taken; the text says why (for the log, once per kind)."""


@dataclass
class Signer:
    """Signs this process's messages and checks others': one per process and token."""

    token: str
    session: str = field(default_factory=lambda: secrets.token_hex(8))
    seq: int = 0
    seen: dict[str, int] = field(default_factory=dict)  # session -> the last sequence number
    refused: Counter[str] = field(default_factory=Counter)

    def seal(self, kind: str, **body: Any) -> list[bytes]:
        self.seq += 1
        data = json.dumps(
            {"kind": kind, "session": self.session, "seq": self.seq, **body},
            separators=(",", ":"),
            allow_nan=False,
        ).encode()
        return [data, hmac.new(self.token.encode(), data, hashlib.sha256).digest()]

    def open(self, frames: list[bytes]) -> dict[str, Any]:
        """The message in ``frames``, or Refused (counted by why)."""
        try:
            return self._open(frames)
        except Refused as e:
            self.refused[str(e).split(":")[0]] += 1
            raise

    def _open(self, frames: list[bytes]) -> dict[str, Any]:
        if len(frames) != 2 or len(frames[0]) > MAX_BODY:
            raise Refused("malformed: not a body and its MAC")
        data, mac = frames
        want = hmac.new(self.token.encode(), data, hashlib.sha256).digest()
        if not hmac.compare_digest(mac, want):
            raise Refused("unsigned: not signed with this wall's token")
        try:
            msg = json.loads(data)
        except ValueError:
            raise Refused("malformed: not JSON") from None
        if not isinstance(msg, dict) or msg.get("kind") not in KINDS:
            raise Refused("malformed: no known kind")
        session, seq = msg.get("session"), msg.get("seq")
        if not isinstance(session, str) or not isinstance(seq, int):
            raise Refused("malformed: no session or sequence number")
        if seq <= self.seen.get(session, 0):
            raise Refused("replayed: a sequence number already seen")
        self.seen[session] = seq
        return msg
