"""Writing a corner pin back into its wall file: only the tile's ``corners`` line changes (the
rest of the file, comments included, stays as the user wrote it), the file is replaced
atomically, and a file that changed on disk since it was read is never overwritten."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from nebula import files
from nebula.config import ConfigError
from nebula.wall.file import parse_wall

Corners = Sequence[tuple[float, float]]


def corners_toml(corners: Corners) -> str:
    return "corners = [" + ", ".join(f"[{_num(x)}, {_num(y)}]" for x, y in corners) + "]"


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}".rstrip("0")


def with_corners(text: str, name: str, corners: Corners) -> str:
    """``text`` (a wall file) with tile ``name``'s corners set: its ``corners = ...`` replaced, or
    one added under its ``[tiles.NAME]`` header. ConfigError where the file holds the tile in
    another form (an inline table): then the line to add by hand is in the message."""
    header = re.compile(rf"^\[\s*tiles\.{re.escape(name)}\s*\][^\n]*\n", re.M)
    m = header.search(text)
    line = corners_toml(corners)
    if m is None:
        raise ConfigError(f"no [tiles.{name}] header to put the pin under; add by hand: {line}")
    start = m.end()
    nxt = re.compile(r"^\s*\[", re.M).search(text, start)
    end = nxt.start() if nxt else len(text)
    body = text[start:end]
    old = re.compile(r"^corners\s*=\s*\[.*?\]\s*\]", re.M | re.S)
    found = old.search(body)
    body = body[: found.start()] + line + body[found.end() :] if found else line + "\n" + body
    return text[:start] + body + text[end:]


def save_corners(path: Path, name: str, corners: Corners, expected: bytes) -> None:
    """Set tile ``name``'s corners in the wall file ``path``, which must still hold ``expected``
    (what was read when the show started): one that changed on disk is left alone."""
    try:
        now = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read {path} again: {e.strerror or e}; pin not written") from None
    if now != expected:
        raise ConfigError(
            f"{path} changed on disk since the show read it; pin not written "
            f"(add by hand under [tiles.{name}]: {corners_toml(corners)})"
        )
    text = now.decode("utf-8-sig")
    new = with_corners(text, name, corners)
    # What will be written must read back as the same wall with this pin.
    check = parse_wall(_loads(new, path), path).tile(name).corners
    if check is None or any(
        abs(a - b) > 0.01
        for p, q in zip(check, corners, strict=True)
        for a, b in zip(p, q, strict=True)
    ):
        raise ConfigError(
            f"could not place the pin in {path}; add by hand: {corners_toml(corners)}"
        )
    try:
        files.replace(path, new.encode("utf-8"))
    except OSError as e:
        raise ConfigError(
            f"cannot write {path}: {e.strerror or e}; the file is as it was"
        ) from None


def _loads(text: str, path: Path) -> dict[str, object]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(
            f"could not place the pin in {path} ({e}); the file is as it was"
        ) from None
