"""Atomic writes: a file is either complete or not there, whatever fails (a full disk, a signal).

Data goes to a hidden temporary name beside its target and is then renamed (``replace``) or
hard-linked into place (``create``: never overwrites, and two writers cannot both win a name).
Every failure removes the temporary; the target is left as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def temp_name(path: Path) -> Path:
    """The hidden temporary beside ``path`` that this process writes first."""
    return path.with_name(f".{path.name}.partial-{os.getpid()}")


def _write_temp(path: Path, data: bytes) -> Path:
    tmp = temp_name(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # a full disk can surface only here, not at write()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, replacing what was there only once it is complete."""
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def create(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``path``; FileExistsError (and nothing written) if it exists."""
    tmp = _write_temp(path, data)
    try:
        os.link(tmp, path)  # fails if path exists: no overwrite, no race
    finally:
        tmp.unlink(missing_ok=True)


def create_numbered(names: Iterable[Path], data: bytes) -> Path:
    """Write ``data`` under the first of ``names`` that does not exist yet; returns it."""
    for path in names:
        if path.exists():
            continue
        try:
            create(path, data)
        except FileExistsError:
            continue  # taken between the check and the link
        return path
    raise FileExistsError("no free name left")
