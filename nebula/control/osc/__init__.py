"""OSC control (python-osc, the ``osc`` extra): a UDP server on loopback unless asked otherwise,
every message turned into an event (nebula.control.events) and posted to the show.

Addresses (``ADDRESSES``; docs/control.md's table is generated from the parameter registry):

- ``/nebula/param/NAME f``: the value, in the parameter's range;
- ``/nebula/param/NAME/norm f``: 0 to 1 across the range;
- ``/nebula/share [i]``: the dreamer shares, or figure i;
- ``/nebula/preset s``: a preset by name, from the preset folders only (no path, no ``..``);
- ``/nebula/action s``: an action by name (``pause``, ``reset``, ``preset_3``, ...); those
  that write a file where a message could choose it or end the show (``screenshot``,
  ``quit``) are refused over the network.

A message that cannot be applied is refused with its reason, logged and counted
(``server``). ``nebula run`` runs the server in a process of its own (``process``).
``Feedback`` sends every parameter change back, whatever its source, so a tablet's faders
follow the piece (``feedback``). What a message asks for is in ``messages``; how a datagram
is read, in ``packets``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nebula.control.osc.feedback import Feedback, parse_target
from nebula.control.osc.messages import (
    ADDRESSES,
    INSTALL_HINT,
    PREFIX,
    REFUSED_ACTIONS,
    Refused,
    address_table,
    named_preset,
    to_event,
)
from nebula.control.osc.server import (
    BURST,
    FLOOD_HOLD,
    FLOOD_SHARE,
    LOG,
    RATE,
    REPORT_SECONDS,
    SO_RXQ_OVFL,
    Bucket,
    OscServer,
)

if TYPE_CHECKING:
    from nebula.control.osc.process import OscProcess

__all__ = [
    "ADDRESSES",
    "BURST",
    "FLOOD_HOLD",
    "FLOOD_SHARE",
    "INSTALL_HINT",
    "LOG",
    "PREFIX",
    "RATE",
    "REFUSED_ACTIONS",
    "REPORT_SECONDS",
    "SO_RXQ_OVFL",
    "Bucket",
    "Feedback",
    "OscProcess",
    "OscServer",
    "Refused",
    "address_table",
    "named_preset",
    "parse_target",
    "to_event",
]


def __getattr__(name: str) -> type[OscProcess]:
    # OscProcess on first use: the receiver runs as ``python -m nebula.control.osc.process``,
    # and a package that imported that module itself would have runpy warn on the show's stderr
    # (and run the module twice).
    if name == "OscProcess":
        from nebula.control.osc.process import OscProcess

        return OscProcess
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
