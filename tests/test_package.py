"""The package finds its shaders and assets through importlib.resources wherever it is installed:
from the checkout (editable), and zipped, where nothing lies beside it. (scripts/check_wheel.sh,
run by CI, builds the wheel and the sdist and checks a real install outside the checkout.)"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import nebula
from nebula.cli import main
from nebula.resources import assets_dir, shaders_dir
from tests.helpers import REPO


def test_version_comes_from_the_installed_metadata() -> None:
    from importlib.metadata import version

    assert nebula.__version__ == version("nebula")
    r = subprocess.run(
        [sys.executable, "-m", "nebula", "--version"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0 and r.stdout.strip() == f"nebula {nebula.__version__}"


def test_an_editable_install_reads_the_repositorys_own_files() -> None:
    # Hot reload edits what git tracks, not a copy in site-packages.
    assert shaders_dir() == (REPO / "shaders").resolve()
    assert assets_dir() == (REPO / "assets").resolve()


def zipped_package(dst: Path) -> Path:
    """nebula/ as a wheel lays it out (shaders and assets inside the package), in one zip."""
    z = dst / "nebula.zip"
    with zipfile.ZipFile(z, "w") as f:
        for p in sorted((REPO / "nebula").rglob("*.py")):
            f.write(p, p.relative_to(REPO).as_posix())
        for name in ("shaders", "assets"):
            for p in sorted((REPO / name).rglob("*")):
                if p.is_file():
                    f.write(p, f"nebula/{p.relative_to(REPO).as_posix()}")
    return z


@pytest.mark.slow
def test_a_zipped_install_renders_the_same_still(tmp_path: Path) -> None:
    z = zipped_package(tmp_path)
    away = tmp_path / "elsewhere"
    away.mkdir()
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import nebula, nebula.resources as r;"
        "assert nebula.__file__.startswith(sys.argv[1]), nebula.__file__;"
        "print(r.shaders_dir());"
        "from nebula.cli import main;"
        "sys.exit(main(['still', '--time', '150', '--size', '64x36', '--out', 'zip.png']))"
    )
    env = {k: v for k, v in os.environ.items() if k != "NEBULA_SHADERS_DIR"}
    r = subprocess.run(
        [sys.executable, "-c", code, str(z)],
        cwd=away, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    copied = Path(r.stdout.splitlines()[0])
    assert not str(copied).startswith(str(REPO)) and not copied.exists()  # removed at exit
    editable = tmp_path / "e.png"
    assert main(["still", "--time", "150", "--size", "64x36", "--out", str(editable)]) == 0
    assert (away / "zip.png").read_bytes() == editable.read_bytes()
