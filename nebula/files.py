"""Every file the piece writes, written so that it is either complete or not there, whatever
fails (a full disk, a signal); and the progress bar of the long writes.

Data goes to a hidden temporary name beside its target and is then renamed (``replace``) or
hard-linked into place (``create``: never overwrites, and two writers cannot both win a name).
Every failure removes the temporary; the target is left as it was. A recording, a join and a
farm write a whole temporary file or folder (``temp_name``) and ``put_in_place`` it at the end,
or ``remove`` it on any failure.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nebula.errors import RecordError


def temp_name(path: Path) -> Path:
    """The hidden temporary beside ``path`` that this process writes first: the same folder, so
    the final rename is atomic; the suffix kept, so a writer that goes by it (an encoder, a
    PNG) writes the same format."""
    return path.with_name(f".{path.name}.partial-{os.getpid()}{path.suffix}")


def _write_temp(path: Path, data: bytes, sync: bool = True) -> Path:
    tmp = temp_name(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            if sync:
                os.fsync(f.fileno())  # a full disk can surface only here, not at write()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def replace(path: Path, data: bytes, sync: bool = True) -> None:
    """Write ``data`` to ``path``, replacing what was there only once it is complete. Without
    ``sync`` it is not forced to the disk first: still whole for every reader, but a power cut
    may lose it (for files that are written again a moment later, such as a status)."""
    tmp = _write_temp(path, data, sync)
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


def remove(path: Path) -> None:
    """Remove a temporary file or folder, whatever it holds (a failure path: never raises)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def put_in_place(tmp: Path, out: Path, force: bool) -> None:
    """Rename a finished temporary onto ``out``; RecordError when ``out`` appeared meanwhile and
    ``force`` is not given."""
    if out.exists() and not force:  # appeared while we rendered
        raise RecordError(f"{out} appeared while recording; pass --force to overwrite it")
    if tmp.is_dir() and out.is_dir():
        # A frame folder is merged into, frame by frame: re-rendering --frame-range 8:10 into
        # a folder of the whole span replaces frames 8 and 9 and keeps every other one.
        for frame in sorted(tmp.iterdir()):
            os.replace(frame, out / frame.name)
        tmp.rmdir()
    else:
        os.replace(tmp, out)


@contextmanager
def progress_bar(
    total: int,
    enabled: bool | None,
    desc: str = "recording",
    initial: int = 0,
    unit: str = "frame",
) -> Iterator[Any]:
    """A tqdm bar on stderr (only where stderr is a terminal, unless ``enabled``)."""
    from tqdm import tqdm

    show = sys.stderr.isatty() if enabled is None else enabled
    # A pseudo-terminal may report a 0 x 0 size, which tqdm would take as "draw nothing".
    cols, rows = shutil.get_terminal_size((100, 20))
    bar = tqdm(
        total=total,
        initial=initial,
        unit=unit,
        desc=desc,
        disable=not show,
        file=sys.stderr,
        leave=False,
        ncols=cols or 100,
        nrows=rows or 20,
    )
    try:
        yield bar
    finally:
        bar.close()
