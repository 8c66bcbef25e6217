"""MIDI control (mido on python-rtmidi, the ``midi`` extra): a controller's input port, its
mapping (nebula.control.midimap) turned into events posted to the show, feedback to the
controller's output of the same name (LED rings, motor faders), and MIDI learn.

The backend is rtmidi's ALSA API where there is an ALSA sequencer, else JACK's
(``NEBULA_MIDI_API`` = ``LINUX_ALSA``, ``UNIX_JACK``, ``MACOSX_CORE``, ``WINDOWS_MM`` picks
one).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from nebula.config import PARAMS_BY_NAME, ConfigError
from nebula.control.events import Event, EventError, changes, param_event
from nebula.control.midimap import Fourteen, MidiMap, Takeover, read_midi_map, relative_delta

LOG = logging.getLogger("nebula.midi")
INSTALL_HINT = "MIDI needs mido and python-rtmidi: pip install 'nebula[midi]'"
API_ENV = "NEBULA_MIDI_API"
_APIS = ("LINUX_ALSA", "UNIX_JACK", "MACOSX_CORE", "WINDOWS_MM")
#: An incoming value equal to one sent to the controller this recently is its echo.
ECHO_SECONDS = 0.5


class Stage(Protocol):
    """What a MidiInput plays on (the live show, nebula.app.show.Show): where it posts its
    events, hears every applied one, answers the learn hotkey and says what happened."""

    #: Called with every event applied (this input's feedback joins them).
    listeners: list[Callable[[Event], None]]
    #: A parameter key pressed; True when it completed a learn (this input sets it).
    learn: Callable[[str], bool] | None

    @property
    def handlers(self) -> dict[str, Callable[[], None]]:
        """Action name -> what it does (this input takes ``midi_learn``)."""

    @property
    def wanted(self) -> dict[str, float]:
        """The parameters' targets once every event sent is applied."""

    def post(self, event: Event) -> bool: ...

    def message(self, text: str, *, error: bool = ...) -> None: ...


def shipped_midi_map() -> Path:
    from nebula.resources import assets_dir

    return assets_dir() / "midi.toml"


def user_midi_map() -> Path:
    """The user's mapping, in the config folder (MIDI learn saves there)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "nebula" / "midi.toml"


def load_midi_map(path: Path | None = None) -> MidiMap:
    """``path``, else the user's mapping when there is one, else the shipped one."""
    if path is not None:
        return read_midi_map(path.expanduser())
    own = user_midi_map()
    return read_midi_map(own if own.is_file() else shipped_midi_map())


def backend() -> Any:
    """mido's rtmidi backend on the first API that works here (or the one asked for)."""
    try:
        import mido
        import rtmidi  # noqa: F401
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    wanted = os.environ.get(API_ENV)
    if wanted and wanted not in _APIS:
        raise ConfigError(f"{API_ENV}={wanted!r}; allowed: {', '.join(_APIS)}")
    errors = []
    for api in [wanted] if wanted else _APIS:
        try:
            b = mido.Backend(f"mido.backends.rtmidi/{api}")
            b.get_input_names()  # raises where the API cannot start (no ALSA sequencer)
            return b
        except Exception as e:  # rtmidi raises SystemError and its own errors
            errors.append(f"{api}: {e}")
    raise ConfigError("no MIDI system to open ports on (" + "; ".join(errors) + ")")


def port_names() -> tuple[list[str], list[str]]:
    b = backend()
    return list(b.get_input_names()), list(b.get_output_names())


def find_port(name: str, names: list[str], kind: str) -> str:
    """The port ``name`` names (exactly, else the one whose name contains it); ConfigError
    listing the ports there are otherwise."""
    if name in names:
        return name
    matches = [n for n in names if name.lower() in n.lower()]
    if len(matches) == 1:
        return matches[0]
    listing = ", ".join(repr(n) for n in names) or "none"
    if matches:
        raise ConfigError(f"--midi {name!r} names several {kind} ports: {listing}")
    raise ConfigError(f"no MIDI {kind} port {name!r}; the {kind} ports are: {listing}")


class MidiInput:
    """One controller: its messages through ``midi_map`` into events posted to ``show``, its
    output (if one has a matching name) fed back the values other sources set."""

    def __init__(
        self, name: str, midi_map: MidiMap, show: Stage, *, log: logging.Logger = LOG
    ) -> None:
        b = backend()
        ins, outs = list(b.get_input_names()), list(b.get_output_names())
        self.name = find_port(name, ins, "input")
        self.map = midi_map
        self.show = show
        self.log = log
        self.received = 0
        self.refused = 0
        self._takeovers: dict[tuple[int, int], Takeover] = {}
        self._pairs: dict[tuple[int, int], Fourteen] = {}
        self._sent: dict[tuple[int, int], tuple[int, float]] = {}  # for echo suppression
        self._target: dict[str, float] = {}  # what this input last set each parameter to
        self._lock = threading.Lock()
        self._learning = False
        self._learned: tuple[int, int] | None = None
        self._backend = b
        self._port_in: Any = None
        self._port_out: Any = None
        out_name = _matching_output(self.name, outs)
        self._out_name = out_name

    def start(self) -> MidiInput:
        try:
            self._port_in = self._backend.open_input(self.name, callback=self._on_message)
            if self._out_name is not None:
                self._port_out = self._backend.open_output(self._out_name)
        except Exception as e:
            self.close()
            raise ConfigError(f"--midi {self.name!r}: cannot open the port ({e})") from None
        self.show.listeners.append(self.feedback)
        self.show.handlers["midi_learn"] = self.arm_learn
        self.show.learn = self.learn_key
        self.log.info("midi: playing from %r (feedback to %r)", self.name, self._out_name)
        return self

    # ------------------------------------------------------------------ input (its thread)

    def _on_message(self, msg: Any) -> None:
        try:
            self.handle(msg, time.monotonic())
        except Exception as e:  # a controller's odd message must not end the show
            self.refused += 1
            self.log.warning("midi: refused %s (%s)", msg, e)

    def handle(self, msg: Any, now: float) -> Event | None:
        """The event a message asks for (posted to the show), or None."""
        self.received += 1
        if msg.type == "control_change":
            return self._cc(msg.channel, msg.control, msg.value, now)
        if msg.type == "note_on" and msg.velocity > 0:
            m = self.map.note(msg.channel, msg.note)
            if m is None:
                return None
            ev = Event("midi", m.action)
            self.show.post(ev)
            return ev
        return None

    def _cc(self, channel: int, control: int, value: int, now: float) -> Event | None:
        key = (channel, control)
        with self._lock:
            sent = self._sent.get(key)
            if sent is not None and sent[0] == value and now - sent[1] <= ECHO_SECONDS:
                return None  # the controller echoing what we sent it
            if self._learning:
                self._learning = False
                self._learned = key
                return None
        found = self.map.cc(channel, control)
        if found is None:
            return None
        m, is_lsb = found
        spec = PARAMS_BY_NAME[m.param]
        span = spec.hi - spec.lo
        # The value as this input last set it (its events may still wait for the next frame),
        # else as the show has it: an encoder's quick ticks add up instead of repeating.
        with self._lock:
            current = self._target.get(m.param, self.show.wanted[m.param])
        if m.mode == "relative":
            delta = relative_delta(value, m.encoding)
            if delta == 0:
                return None
            target = min(spec.hi, max(spec.lo, current + delta * spec.step))
        else:
            knob: float | None = value / 127.0
            if m.lsb is not None:
                knob = self._pairs.setdefault((channel, m.control), Fourteen()).feed(value, is_lsb)
            if knob is None:
                return None
            tk = self._takeovers.setdefault((channel, m.control), Takeover(m.takeover))
            norm = tk.feed(knob, (current - spec.lo) / span if span else 0.0, now)
            if norm is None:
                return None
            target = spec.lo + norm * span
        try:
            ev = param_event("midi", m.param, target)
        except EventError:
            return None
        with self._lock:
            self._target[m.param] = target
        self.show.post(ev)
        return ev

    # ------------------------------------------------------------------ learn

    def arm_learn(self) -> None:
        """The learn hotkey: the next control moved, then the next parameter key pressed."""
        with self._lock:
            self._learning, self._learned = True, None
        self.show.message("MIDI learn: move a control, then press a parameter's key")

    def learn_key(self, param: str) -> bool:
        """A parameter key was pressed: True when it completes a learn (binding, not nudging)."""
        with self._lock:
            learned, self._learned = self._learned, None
        if learned is None:
            return False
        channel, control = learned
        self.map.bind(channel, control, param)
        path = user_midi_map()
        try:
            save_map(self.map, path)
        except OSError as e:
            self.show.message(f"MIDI learn: cannot save {path} ({e.strerror})", error=True)
            return True
        self.show.message(f"MIDI learn: channel {channel + 1} control {control} -> {param}")
        return True

    # ------------------------------------------------------------------ feedback (main thread)

    def feedback(self, ev: Event) -> None:
        """Send the controller the values set by other sources, so its LEDs and faders follow."""
        if ev.source == "midi":
            return
        found = changes(ev)
        with self._lock:  # set elsewhere: knobs and encoders go on from there
            for name, _ in found:
                self._target.pop(name, None)
        if self._port_out is None:
            return
        import mido

        for name, value in found:
            for m in self.map.ccs:
                if m.param != name or m.mode != "absolute":
                    continue
                spec = PARAMS_BY_NAME[name]
                norm = (value - spec.lo) / (spec.hi - spec.lo)
                msgs = []
                if m.lsb is not None:
                    x = round(norm * 16383)
                    msgs = [(m.control, x >> 7), (m.lsb, x & 0x7F)]
                else:
                    msgs = [(m.control, round(norm * 127))]
                now = time.monotonic()
                for control, v in msgs:
                    with self._lock:
                        self._sent[(m.channel, control)] = (v, now)
                    cc = mido.Message("control_change", channel=m.channel, control=control, value=v)
                    with contextlib.suppress(Exception):  # a port gone: the show goes on
                        self._port_out.send(cc)
                self._takeovers.setdefault((m.channel, m.control), Takeover(m.takeover)).placed(
                    norm
                )

    def summary(self) -> str:
        return f"midi {self.name}: {self.received} messages"

    def counts(self) -> dict[str, int]:
        return {"midi_messages": self.received, "midi_refused": self.refused}

    def close(self) -> None:
        for port in (self._port_in, self._port_out):
            if port is not None:
                with contextlib.suppress(Exception):
                    port.close()
        self._port_in = self._port_out = None


def _matching_output(name: str, outs: list[str]) -> str | None:
    """The controller's output: the same name (ALSA names a device's two sides alike), else
    the one port of the same port name (JACK prefixes each side with its own client)."""
    if name in outs:
        return name
    port = name.split(":", 1)[-1]
    same = [o for o in outs if o.split(":", 1)[-1] == port]
    return same[0] if len(same) == 1 else None


def save_map(m: MidiMap, path: Path) -> None:
    """Write the map to ``path`` (the user's own file), whole or not at all: a full disk
    leaves the old file and no temporary behind (nebula.files)."""
    from nebula import files

    path.parent.mkdir(parents=True, exist_ok=True)
    files.replace(path, m.dumps().encode("utf-8"))


def describe_ports(out: Callable[[str], None] = print) -> int:
    """`nebula midi-ports`: the inputs and outputs there are."""
    ins, outs = port_names()
    out("inputs:" + ("" if ins else " none"))
    for n in ins:
        out(f"  {n}")
    out("outputs:" + ("" if outs else " none"))
    for n in outs:
        out(f"  {n}")
    return 0
