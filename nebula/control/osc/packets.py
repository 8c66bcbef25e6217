"""A datagram read as OSC (python-osc): the messages it holds, a bundle's included, each as its
address and arguments; or Refused as malformed.

python-osc logs through the root logger what it skips of a packet it can read only in part (a
bundle's element that is neither a message nor a bundle, an argument type it does not know)
and goes on with the rest. Its first line would install a handler on the root logger that
prints to stderr, which in the receiver process is the show's output. Such a packet is junk:
``quiet_python_osc`` puts a filter on the root logger that drops what a thread logs while it
parses here, and ``parse`` refuses the packet it was about.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from nebula.control.osc.messages import Refused

if TYPE_CHECKING:
    from pythonosc.osc_bundle import OscBundle
    from pythonosc.osc_message import OscMessage


class _Complaints(logging.Filter):
    """Drops the records a thread logs while it parses a datagram (python-osc's, about that
    datagram) and marks that it did; the records of every other thread pass."""

    def __init__(self) -> None:
        super().__init__()
        self.here = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(self.here, "parsing", False):
            self.here.said = True
            return False
        return True


_COMPLAINTS = _Complaints()


def quiet_python_osc() -> None:
    """Put the filter on the root logger, where python-osc logs (once in a process)."""
    root = logging.getLogger()
    if _COMPLAINTS not in root.filters:
        root.addFilter(_COMPLAINTS)


def parse(data: bytes) -> list[tuple[str, list[object]]]:
    """The messages in ``data``, in order; Refused ("malformed") when python-osc cannot read
    it, or can read only part of it. Needs python-osc (OscServer checks) and the filter."""
    from pythonosc.osc_bundle import OscBundle
    from pythonosc.osc_message import OscMessage

    here = _COMPLAINTS.here
    here.parsing, here.said = True, False
    try:
        messages = (
            list(_messages(OscBundle(data)))
            if OscBundle.dgram_is_bundle(data)
            else [OscMessage(data)]
        )
    except Exception as e:  # python-osc raises its own ParseError and others on junk
        raise Refused("malformed", f"not an OSC packet ({type(e).__name__})") from None
    finally:
        here.parsing = False
    if here.said:
        raise Refused("malformed", "not an OSC packet (python-osc skipped part of it)")
    return [(m.address, list(m.params)) for m in messages]


def _messages(bundle: OscBundle) -> Iterator[OscMessage]:
    from pythonosc.osc_bundle import OscBundle

    for item in bundle:
        if isinstance(item, OscBundle):
            yield from _messages(item)
        else:
            yield item
