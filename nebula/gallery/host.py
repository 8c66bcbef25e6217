"""The page as an installation's supervisor hosts it (scripts/watchdog.py --web PORT): the
page's server runs beside the watchdog, outliving every restart of the piece, and reads the
feed the piece writes (the piece is told by HOSTED_ENV not to serve it itself). The watchdog
adds what only it knows: the restarts today and why the piece last ended."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from pathlib import Path

from nebula import files
from nebula.web.site import SUPERVISOR_FILE


class SupervisorFeed:
    """``ended(reason)`` after each end of the piece: counted per local day, written into the
    page's folder for its server to show."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.day = dt.date.today()
        self.restarts_today = 0
        self.last_exit: str | None = None
        self._write()

    def ended(self, reason: str | None) -> None:
        today = dt.date.today()
        if today != self.day:
            self.day, self.restarts_today = today, 0
        if reason is not None:
            self.restarts_today += 1
        stamp = time.strftime("%H:%M:%S")
        self.last_exit = f"{stamp} {reason or 'ended cleanly (status 0)'}"
        self._write()

    def _write(self) -> None:
        body = {"restarts_today": self.restarts_today, "last_exit": self.last_exit}
        # A write that fails (a full disk): the page shows what it knew; the show goes on.
        with contextlib.suppress(OSError):
            files.replace(self.folder / SUPERVISOR_FILE, json.dumps(body).encode(), sync=False)
