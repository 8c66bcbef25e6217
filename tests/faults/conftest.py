"""Real faults for the fault-injection suite: a disk that is full, a folder that is read-only
(tiny tmpfs mounts: CI runs as root)."""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(target: Path, *options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    opts = ",".join(("size=512k", *options))
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(target)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 0, (
        f"the fault suite mounts small tmpfs folders and needs root (CI runs as root): {r.stderr}"
    )


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=30)


def fill(folder: Path) -> None:
    """Write until the filesystem says ENOSPC: a disk that is really full."""
    with open(folder / "filler", "wb", buffering=0) as f:
        chunk = b"\0" * 4096
        try:
            while True:
                f.write(chunk)
        except OSError as e:
            assert e.errno == errno.ENOSPC
    # Blocks are gone; small files still get an inode (empty files can still be made).


@pytest.fixture
def full_dir(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "full"
    _mount(d)
    try:
        fill(d)
        yield d
    finally:
        _umount(d)


@pytest.fixture
def readonly_dir(tmp_path: Path) -> Iterator[Path]:
    """A read-only folder holding one user file, ``mine.toml``."""
    d = tmp_path / "ro"
    _mount(d)
    try:
        (d / "mine.toml").write_text('name = "mine"\n[params]\nexposure = 1.5\n')
        subprocess.run(["mount", "-o", "remount,ro", str(d)], check=True, timeout=30)
        yield d
    finally:
        _umount(d)
