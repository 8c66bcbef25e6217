"""The session journal: what was played, written down as it happens, so the session can be
rendered again exactly (at any size: ``nebula record --journal``).

One JSON object a line:

- the header: ``{"journal": "nebula", "version", "nebula", "settings", "preset", "params",
  "start", "window", "render"}``: the run, every parameter's value and target at the start,
  the piece time and simulation step it started on, and the window's and the render's sizes;
- ``{"event": {...}}`` for every event applied (nebula.control.events), stamped;
- ``{"signature": {"time", "step", "luma", "crc"}}`` every ``SIGNATURE_FRAMES`` frames: a
  cheap fingerprint of the frame at its render size (nebula.signature.frame_signature),
  which a replay at that size must reproduce.

Each line is flushed as it is written: a crash leaves a readable journal, and a torn last line
is ignored with a warning. Installation mode keeps a rotating one: past ``max_bytes`` the file
moves to ``FILE.1`` (and so on, ``keep`` of them) at the next cycle's start, and the new file
starts with a header of its own, so each file replays alone.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from nebula.config import PARAMS_BY_NAME, ConfigError, Params, Settings
from nebula.control.events import Event, EventError

FORMAT = "nebula"
VERSION = 1
#: A frame signature every this many frames.
SIGNATURE_FRAMES = 30
HEADER_KEYS = {"journal", "version", "nebula", "settings", "preset", "params", "start"}
HEADER_KEYS |= {"window", "render"}


class JournalError(ConfigError):
    """A journal that cannot be replayed; the message names the file, the line and why."""


@dataclass(frozen=True)
class Signature:
    time: float
    step: int
    luma: float
    crc: int


@dataclass
class Journal:
    """A journal read back: its header, its events in order and its signatures."""

    path: Path
    settings: Settings
    preset: str
    values: dict[str, float]
    targets: dict[str, float]
    start_time: float
    start_step: int
    window: tuple[int, int]
    render: tuple[int, int]
    events: list[Event] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)

    @property
    def end_time(self) -> float:
        """The last piece time the journal knows of (its last event or signature)."""
        times = [self.start_time] + [e.time for e in self.events if e.time is not None]
        return max(times + [s.time for s in self.signatures])

    def params(self) -> Params:
        return Params(dict(self.values), dict(self.targets))


def header(
    settings: Settings,
    preset: str,
    params: Params,
    start_time: float,
    start_step: int,
    window: tuple[int, int],
    render: tuple[int, int],
) -> dict[str, object]:
    from nebula import __version__

    return {
        "journal": FORMAT,
        "version": VERSION,
        "nebula": __version__,
        "settings": dataclasses.asdict(settings),
        "preset": preset,
        "params": {"values": dict(params.values), "targets": dict(params.targets)},
        "start": {"time": start_time, "step": start_step},
        "window": list(window),
        "render": list(render),
    }


# ---------------------------------------------------------------------------- writing


class JournalWriter:
    """Appends lines to a new journal file, each flushed as written. Refuses to overwrite a
    file that exists (``FileExistsError``)."""

    def __init__(
        self,
        path: Path,
        head: Mapping[str, object],
        *,
        max_bytes: int | None = None,
        keep: int = 3,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.keep = keep
        self.rotations = 0
        self._file: IO[str] | None = None
        self._open(head, exclusive=True)

    def _open(self, head: Mapping[str, object], *, exclusive: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "x" if exclusive else "w", encoding="utf-8")  # noqa: SIM115
        self._write(dict(head))

    def _write(self, obj: Mapping[str, object]) -> None:
        f = self._file
        if f is None:
            return
        # One line, flushed: what is written survives a crash of the piece.
        f.write(json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n")
        f.flush()

    def event(self, ev: Event) -> None:
        self._write({"event": ev.to_json()})

    def signature(self, sig: Signature) -> None:
        self._write({"signature": dataclasses.asdict(sig)})

    @property
    def full(self) -> bool:
        """Past its size: rotate at the next cycle's start (``rotate``)."""
        f = self._file
        return self.max_bytes is not None and f is not None and f.tell() >= self.max_bytes

    def rotate(self, head: Mapping[str, object], pending: list[Event]) -> None:
        """FILE -> FILE.1 (FILE.1 -> FILE.2, ..., ``keep`` of them), then a new FILE starting
        with ``head`` and the events already sent that take effect after it."""
        self.close()
        for i in range(self.keep - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{i}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{self.path.name}.{i + 1}"))
        os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
        self._open(head, exclusive=False)
        for ev in pending:
            self.event(ev)
        self.rotations += 1

    def close(self) -> None:
        f, self._file = self._file, None
        if f is not None:
            f.close()


# ---------------------------------------------------------------------------- reading


def read_journal(path: Path) -> Journal:
    """Read a journal; JournalError names the line and what is wrong. A torn last line (the
    piece stopped while writing it) is left out with a warning."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise JournalError(f"journal {str(path)!r} does not exist") from None
    except OSError as e:
        raise JournalError(f"journal {str(path)!r} cannot be read: {e.strerror}") from None
    lines = raw.split(b"\n")
    torn_ok = not raw.endswith(b"\n")  # only a last line without its newline may be torn
    rows: list[tuple[int, dict[str, Any]]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line.decode("utf-8"))
            if not isinstance(obj, dict):
                raise ValueError("not an object")
        except (UnicodeDecodeError, ValueError) as e:
            if torn_ok and n == len(lines):
                warnings.warn(
                    f"journal {path}: line {n} is torn (the piece stopped while writing it); "
                    "left out",
                    stacklevel=2,
                )
                break
            raise JournalError(f"journal {path}: line {n} is not a JSON object ({e})") from None
        rows.append((n, obj))
    if not rows:
        raise JournalError(f"journal {path}: empty; a journal starts with its header")
    journal = _header(path, *rows[0])
    for n, obj in rows[1:]:
        where = f"journal {path}: line {n}"
        if set(obj) == {"event"} and isinstance(obj["event"], dict):
            try:
                journal.events.append(Event.from_json(obj["event"]))
            except EventError as e:
                raise JournalError(f"{where}: {e}") from None
        elif set(obj) == {"signature"} and isinstance(obj["signature"], dict):
            journal.signatures.append(_signature(where, obj["signature"]))
        else:
            raise JournalError(f"{where}: unknown entry {sorted(obj)}; known: event, signature")
    return journal


def _header(path: Path, n: int, obj: dict[str, Any]) -> Journal:
    where = f"journal {path}: line {n} (the header)"
    if obj.get("journal") != FORMAT:
        raise JournalError(f"{where}: not a nebula journal")
    if obj.get("version") != VERSION:
        raise JournalError(
            f"{where}: journal version {obj.get('version')!r}; this nebula reads version "
            f"{VERSION} (record it again with this version)"
        )
    missing = HEADER_KEYS - set(obj)
    if missing:
        raise JournalError(f"{where}: missing {', '.join(sorted(missing))}")
    try:
        settings = Settings(**obj["settings"])
        params = obj["params"]
        values, targets = _params(params["values"]), _params(params["targets"])
        start = obj["start"]
        start_time, start_step = float(start["time"]), int(start["step"])
        if not (math.isfinite(start_time) and start_time >= 0 and start_step >= 0):
            raise ValueError("the start must be a time and a step >= 0")
        window = _size(obj["window"])
        render = _size(obj["render"])
    except (ConfigError, KeyError, TypeError, ValueError) as e:
        raise JournalError(f"{where}: {e}") from None
    return Journal(
        path, settings, str(obj["preset"]), values, targets, start_time, start_step, window, render
    )


def _params(d: object) -> dict[str, float]:
    if not isinstance(d, dict) or set(d) != set(PARAMS_BY_NAME):
        raise ValueError("the parameters must name every parameter")
    out = {}
    for k, v in d.items():
        spec = PARAMS_BY_NAME[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not spec.lo <= v <= spec.hi:
            raise ValueError(f"{k} = {v!r} is out of range [{spec.lo:g}, {spec.hi:g}]")
        out[k] = float(v)
    return out


def _size(v: object) -> tuple[int, int]:
    if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) and x > 0 for x in v)):
        raise ValueError(f"a size is [width, height] (got {v!r})")
    return v[0], v[1]


def _signature(where: str, d: dict[str, Any]) -> Signature:
    try:
        sig = Signature(float(d["time"]), int(d["step"]), float(d["luma"]), int(d["crc"]))
    except (KeyError, TypeError, ValueError) as e:
        raise JournalError(f"{where}: a signature has time, step, luma and crc ({e})") from None
    if set(d) != {"time", "step", "luma", "crc"}:
        raise JournalError(f"{where}: a signature has time, step, luma and crc only")
    return sig


def lines(path: Path) -> Iterator[dict[str, Any]]:
    """The journal's lines as objects (for tools and tests), torn last line left out."""
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            yield json.loads(line)
        except ValueError:
            return
