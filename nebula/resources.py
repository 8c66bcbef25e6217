"""The shaders and assets that ship with the package, found through importlib.resources.

A wheel (built by hatchling, whose force-include maps the repository's top-level ``shaders/``
and ``assets/`` into the package) holds them as ``nebula/shaders`` and ``nebula/assets``:
``files("nebula") / name``, whether installed as files or zipped. An editable install or a plain
checkout imports the package from the repository, where they sit beside it (the project's agreed
layout), and those very files are used, so hot reload edits what git tracks. (hatchling's
editable install also drops copies into site-packages; they would go stale, so they are not
read.) A zipped install is copied out once to a temporary folder, because the GL loader and hot
reload read real files.

``$NEBULA_SHADERS_DIR`` (or ``--shaders DIR`` on `nebula run`) points every command at another
shader folder: a copy to edit live while the piece runs from a wheel.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

SHADERS_ENV = "NEBULA_SHADERS_DIR"


class ResourceError(RuntimeError):
    """A shipped resource is missing: the installation is incomplete."""


def _copy_out(src: Traversable, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for item in src.iterdir():
        if item.is_dir():
            _copy_out(item, dst / item.name)
        else:
            (dst / item.name).write_bytes(item.read_bytes())


@cache
def packaged(name: str) -> Path:
    """The shipped folder ``name`` ("shaders" or "assets") as a real folder on disk."""
    package = resources.files("nebula")
    t = package / name
    if not t.is_dir() and isinstance(package, Path) and (package.parent / name).is_dir():
        t = package.parent / name  # an editable install or a checkout: the repository's own
    if not t.is_dir():
        raise ResourceError(
            f"the nebula package has no {name}/ folder (an incomplete install): "
            "reinstall it with `pip install --force-reinstall nebula` or from the repository"
        )
    if isinstance(t, Path):
        return t.resolve()
    tmp = Path(tempfile.mkdtemp(prefix=f"nebula-{name}-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    _copy_out(t, tmp / name)
    return tmp / name


def shaders_dir() -> Path:
    """The shader folder to load: ``$NEBULA_SHADERS_DIR`` when set, else the shipped one."""
    env = os.environ.get(SHADERS_ENV)
    return Path(env).expanduser() if env else packaged("shaders")


def assets_dir() -> Path:
    return packaged("assets")
