"""`nebula displays`, `nebula midi-ports` and `nebula audio-devices`: what this machine has for
`nebula run` to show on, play from and listen to."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_displays_parser(sub: Any) -> None:
    p = sub.add_parser("displays", help="list the displays and their sizes")
    p.set_defaults(func=cmd_displays)


def cmd_displays(args: argparse.Namespace) -> int:
    from nebula.app.displays import display_bounds
    from nebula.app.window import DisplayError, init_display

    try:
        init_display()
    except DisplayError as e:
        print(f"nebula displays: error: {e}", file=sys.stderr)
        return 1
    for i, (x, y, w, h) in enumerate(display_bounds()):
        print(f"{i}: {w}x{h} at {x},{y}")
    return 0


def add_midi_ports_parser(sub: Any) -> None:
    p = sub.add_parser("midi-ports", help="list the MIDI ports `nebula run --midi` can open")
    p.set_defaults(func=cmd_midi_ports)


def cmd_midi_ports(args: argparse.Namespace) -> int:
    from nebula.config import ConfigError
    from nebula.control.midi import describe_ports

    try:
        return describe_ports()
    except ConfigError as e:
        print(f"nebula midi-ports: error: {e}", file=sys.stderr)
        return 1


def add_audio_devices_parser(sub: Any) -> None:
    p = sub.add_parser("audio-devices", help="list the input devices `nebula run --listen` hears")
    p.set_defaults(func=cmd_audio_devices)


def cmd_audio_devices(args: argparse.Namespace) -> int:
    from nebula.config import ConfigError
    from nebula.listen.device import describe_devices

    try:
        print(describe_devices())
    except ConfigError as e:
        print(f"nebula audio-devices: error: {e}", file=sys.stderr)
        return 1
    return 0
