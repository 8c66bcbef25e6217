"""MIDI mapping, as data, and the decoders it names: pure functions of message sequences (no
ports here; nebula.control.midi opens them).

A mapping file (TOML; ``assets/midi.toml`` ships, a user copy in the config folder wins, as
presets do) has ``[[cc]]`` tables, each a control change driving a parameter, and ``[[note]]``
tables, each a note-on firing an action::

    [[cc]]
    channel = 1            # 1 to 16
    control = 1            # 0 to 127: the controller number (its MSB, when 14-bit)
    param = "exposure"
    mode = "absolute"      # or "relative" (an endless encoder)
    encoding = "twos_complement"  # relative only: twos_complement | offset_64 | signed_bit
    lsb = 33               # absolute only: the LSB controller of a 14-bit pair
    takeover = "pickup"    # absolute only: none | pickup | scale

    [[note]]
    channel = 1
    note = 36
    action = "share"

Takeover keeps a knob that disagrees with the value from making it jump: ``pickup`` waits
until the knob crosses the value (a fast sweep through it is caught: a jump within
``PICKUP_SECONDS`` of the last accepted one is accepted, as Mixxx does); ``scale`` moves the
value by the knob's travel scaled so both reach the end of the range together.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nebula.config import PARAMS_BY_NAME, ConfigError
from nebula.control.events import ACTIONS

MODES = ("absolute", "relative")
ENCODINGS = ("twos_complement", "offset_64", "signed_bit")
TAKEOVERS = ("none", "pickup", "scale")
#: A jump this soon after the last accepted value is a fast sweep, not a stray knob.
PICKUP_SECONDS = 0.05
#: How close (in 0..1 of the range) a knob must come to the value to pick it up.
PICKUP_NEAR = 1.5 / 127
_CC_KEYS = {"channel", "control", "param", "mode", "encoding", "lsb", "takeover"}
_NOTE_KEYS = {"channel", "note", "action"}


@dataclass(frozen=True)
class CcMap:
    channel: int  # 0-15 (the file says 1-16)
    control: int
    param: str
    mode: str = "absolute"
    encoding: str = "twos_complement"
    lsb: int | None = None
    takeover: str = "pickup"


@dataclass(frozen=True)
class NoteMap:
    channel: int
    note: int
    action: str


@dataclass
class MidiMap:
    ccs: list[CcMap] = field(default_factory=list)
    notes: list[NoteMap] = field(default_factory=list)
    path: Path | None = None

    def cc(self, channel: int, control: int) -> tuple[CcMap, bool] | None:
        """The mapping a control change belongs to, and whether it is that mapping's LSB."""
        for m in self.ccs:
            if m.channel == channel and m.control == control:
                return m, False
            if m.channel == channel and m.lsb == control:
                return m, True
        return None

    def note(self, channel: int, note: int) -> NoteMap | None:
        for m in self.notes:
            if m.channel == channel and m.note == note:
                return m
        return None

    def bind(self, channel: int, control: int, param: str) -> CcMap:
        """MIDI learn: ``control`` on ``channel`` drives ``param`` now (absolute, pickup),
        replacing what it drove before."""
        self.ccs = [
            m for m in self.ccs if not (m.channel == channel and control in (m.control, m.lsb))
        ]
        m = CcMap(channel, control, param)
        self.ccs.append(m)
        return m

    def dumps(self) -> str:
        """The map as a mapping file (what MIDI learn saves)."""
        out = ["# Nebula MIDI mapping (written by MIDI learn; see assets/midi.toml)", ""]
        for m in self.ccs:
            out += ["[[cc]]", f"channel = {m.channel + 1}", f"control = {m.control}"]
            out += [f'param = "{m.param}"', f'mode = "{m.mode}"']
            if m.mode == "relative":
                out.append(f'encoding = "{m.encoding}"')
            else:
                if m.lsb is not None:
                    out.append(f"lsb = {m.lsb}")
                out.append(f'takeover = "{m.takeover}"')
            out.append("")
        for n in self.notes:
            out += ["[[note]]", f"channel = {n.channel + 1}", f"note = {n.note}"]
            out += [f'action = "{n.action}"', ""]
        return "\n".join(out)


# ---------------------------------------------------------------------------- parsing


def parse_midi_map(text: str, where: str) -> MidiMap:
    """A mapping file's text; ConfigError names the line, the key and the allowed values."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{where}: not valid TOML ({e})") from None
    lines = text.splitlines()
    unknown = set(data) - {"cc", "note"}
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(
            f"{where}{_line(lines, key)}: unknown table {key!r}; allowed: [[cc]], [[note]]"
        )
    out = MidiMap()
    for i, t in enumerate(_tables(data, "cc", where)):
        out.ccs.append(_cc(t, f"{where}{_nth_line(lines, 'cc', i)}"))
    for i, t in enumerate(_tables(data, "note", where)):
        out.notes.append(_note(t, f"{where}{_nth_line(lines, 'note', i)}"))
    seen: dict[tuple[int, int], str] = {}
    for m in out.ccs:
        for c in (m.control, m.lsb):
            if c is None:
                continue
            if (m.channel, c) in seen:
                raise ConfigError(
                    f"{where}: channel {m.channel + 1} control {c} is mapped twice "
                    f"({seen[(m.channel, c)]} and {m.param})"
                )
            seen[(m.channel, c)] = m.param
    return out


def _tables(data: Mapping[str, Any], name: str, where: str) -> list[Mapping[str, Any]]:
    v = data.get(name, [])
    if not isinstance(v, list) or not all(isinstance(t, dict) for t in v):
        raise ConfigError(f"{where}: {name} must be tables: [[{name}]]")
    return v


def _line(lines: list[str], key: str) -> str:
    for n, text in enumerate(lines, 1):
        if text.strip().startswith(f"[{key}]") or text.strip().startswith(f"[[{key}]]"):
            return f", line {n}"
    return ""


def _nth_line(lines: list[str], table: str, i: int) -> str:
    k = -1
    for n, text in enumerate(lines, 1):
        if text.strip() == f"[[{table}]]":
            k += 1
            if k == i:
                return f", line {n} ([[{table}]] {i + 1})"
    return f" ([[{table}]] {i + 1})"


def _int(t: Mapping[str, Any], key: str, lo: int, hi: int, where: str) -> int:
    v = t.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ConfigError(f"{where}: {key} = {v!r}; allowed: an integer {lo} to {hi}")
    return v


def _choice(
    t: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str, where: str
) -> str:
    v = t.get(key, default)
    if v not in allowed:
        raise ConfigError(f"{where}: {key} = {v!r}; allowed: {', '.join(allowed)}")
    return str(v)


def _cc(t: Mapping[str, Any], where: str) -> CcMap:
    unknown = set(t) - _CC_KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {sorted(unknown)[0]!r}; allowed: {', '.join(sorted(_CC_KEYS))}"
        )
    channel = _int(t, "channel", 1, 16, where) - 1
    control = _int(t, "control", 0, 127, where)
    param = t.get("param")
    if param not in PARAMS_BY_NAME:
        raise ConfigError(f"{where}: param = {param!r}; allowed: {', '.join(PARAMS_BY_NAME)}")
    mode = _choice(t, "mode", MODES, "absolute", where)
    encoding = _choice(t, "encoding", ENCODINGS, "twos_complement", where)
    takeover = _choice(t, "takeover", TAKEOVERS, "pickup", where)
    lsb = None
    if "lsb" in t:
        if mode != "absolute":
            raise ConfigError(f'{where}: lsb (a 14-bit pair) is for mode = "absolute" only')
        lsb = _int(t, "lsb", 0, 127, where)
        if lsb == control:
            raise ConfigError(f"{where}: lsb = {lsb} is the control itself; give the pair's LSB")
    if mode == "relative" and ("takeover" in t):
        raise ConfigError(
            f'{where}: takeover is for mode = "absolute" (an encoder has no position)'
        )
    if mode == "absolute" and "encoding" in t:
        raise ConfigError(f'{where}: encoding is for mode = "relative" only')
    return CcMap(channel, control, str(param), mode, encoding, lsb, takeover)


def _note(t: Mapping[str, Any], where: str) -> NoteMap:
    unknown = set(t) - _NOTE_KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {sorted(unknown)[0]!r}; allowed: {', '.join(sorted(_NOTE_KEYS))}"
        )
    action = t.get("action")
    if action not in ACTIONS or action == "quit":
        allowed = ", ".join(a for a in ACTIONS if a != "quit")
        raise ConfigError(f"{where}: action = {action!r}; allowed: {allowed}")
    return NoteMap(
        _int(t, "channel", 1, 16, where) - 1, _int(t, "note", 0, 127, where), str(action)
    )


def read_midi_map(path: Path) -> MidiMap:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"MIDI map {path}: not UTF-8 text; save it as UTF-8") from None
    except OSError as e:
        raise ConfigError(f"MIDI map {path}: cannot be read ({e.strerror})") from None
    m = parse_midi_map(text, f"MIDI map {path}")
    m.path = path
    return m


# ---------------------------------------------------------------------------- decoders


def relative_delta(value: int, encoding: str) -> int:
    """An endless encoder's tick as a signed count."""
    if encoding == "twos_complement":  # 1..63 up, 127..65 down (-1..-63)
        return value - 128 if value >= 64 else value
    if encoding == "offset_64":  # 65.. up, 63.. down, 64 none
        return value - 64
    if encoding == "signed_bit":  # bit 6 is the sign: 1..63 up, 65..127 down
        return -(value & 0x3F) if value & 0x40 else value & 0x3F
    raise ValueError(f"unknown encoding {encoding!r}")


@dataclass
class Fourteen:
    """A 14-bit MSB/LSB pair: the value comes with its LSB; a controller that never sends
    one is taken at 7 bits from its MSB."""

    msb: int = 0
    seen_lsb: bool = False

    def feed(self, value: int, is_lsb: bool) -> float | None:
        """A CC of the pair; the position 0..1 it completes, or None (an MSB waiting)."""
        if is_lsb:
            self.seen_lsb = True
            return ((self.msb << 7) | value) / 16383.0
        self.msb = value
        return None if self.seen_lsb else value / 127.0


@dataclass
class Takeover:
    """Soft takeover for one absolute control. ``feed(knob, value, now)`` returns the value
    (0..1 of the range) to set, or None while the knob has not taken the value over."""

    mode: str = "pickup"
    near: float = PICKUP_NEAR
    last_knob: float | None = None
    last_accepted: float = -1e9

    def feed(self, knob: float, value: float, now: float) -> float | None:
        prev = self.last_knob
        self.last_knob = knob
        if self.mode == "none":
            return knob
        if self.mode == "scale":
            if prev is None or knob == prev:
                return None if prev is None else value
            if knob > prev:  # the rest of the way up, scaled to the knob's rest of the way
                out = value + (knob - prev) * (1.0 - value) / max(1.0 - prev, 1e-9)
            else:
                out = value - (prev - knob) * value / max(prev, 1e-9)
            return min(1.0, max(0.0, out))
        # pickup
        if abs(knob - value) <= self.near or now - self.last_accepted <= PICKUP_SECONDS:
            self.last_accepted = now
            return knob
        if prev is not None and (prev - value) * (knob - value) <= 0.0:  # crossed it
            self.last_accepted = now
            return knob
        return None

    def placed(self, knob: float) -> None:
        """The controller was moved there (motor fader, LED ring): it holds the value."""
        self.last_knob = knob
