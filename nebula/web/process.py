"""The page's server as the show (or an installation's supervisor) runs it: a plain child
process (``python -m nebula.web.server``), never a fork of a process that holds a GL context,
stopped when its parent closes its stdin or dies."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

from nebula.config import ConfigError

INSTALL_HINT = "the page needs aiohttp: pip install 'nebula[web]'"


class WebProcess:
    def __init__(
        self,
        port: int,
        folder: Path,
        token_folder: Path,
        osc_port: int,
        *,
        host: str = "127.0.0.1",
        figures: int = 8,
        log: Path | None = None,
        advertise: bool = False,
    ) -> None:
        try:
            import aiohttp  # noqa: F401
        except ImportError:
            raise ConfigError(INSTALL_HINT) from None
        args = ["--host", host, "--port", str(port), "--folder", str(folder)]
        args += ["--token-folder", str(token_folder), "--osc-port", str(osc_port)]
        args += ["--figures", str(figures), "--watch-stdin"]
        if log is not None:
            args += ["--log", str(log)]
        if advertise:
            args.append("--advertise")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "nebula.web.server", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        first = self._proc.stdout.readline().strip()
        if not first.startswith("page: "):
            self.close()
            said = first.removeprefix("error: ") or "the page's server did not start"
            raise ConfigError(f"--web {port}: {said}")
        #: The page's link, with its token.
        self.link = first.removeprefix("page: ")

    def close(self) -> None:
        proc = self._proc
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # the server stops on EOF
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
