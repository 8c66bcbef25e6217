"""The sound card's side of listening (extra ``listen``): PortAudio through sounddevice, so ALSA,
PulseAudio/PipeWire, JACK, CoreAudio and WASAPI all work, in the ear's own process
(nebula.listen.hearing), never in the show's: its analysis never takes the frame's thread,
and PortAudio failing (it can abort its process when a JACK server stops) ends only the ear.

``Listener`` starts the ear and feeds what it hears to an ``Ear``. When the ear ends (its
device unplugged, the JACK server stopped), that is logged once and it is started again every
few seconds; the show never waits for it. Nothing is recorded: the ear sends features only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from nebula.config import ConfigError
from nebula.listen.ear import Ear
from nebula.listen.hearing import features

LOG = logging.getLogger("nebula.listen")
RETRY_SECONDS = 2.0
START_SECONDS = 10.0
EAR = [sys.executable, "-m", "nebula.listen.hearing"]


def check_device(device: str) -> None:
    """ConfigError (listing the input devices) when ``device`` is not there, or listening
    cannot start here; asked of a process of its own, as the ear opens it."""
    p = subprocess.run([*EAR, "--check", device], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        said = p.stderr.strip().splitlines()
        raise ConfigError(said[-1] if said else f"--listen {device!r}: the ear did not start")


def describe_devices() -> str:
    """`nebula audio-devices`: one line a device."""
    from nebula.listen.hearing import input_devices, sounddevice

    devices = input_devices(sounddevice())
    if not devices:
        return "no input devices (no microphone, or its system is not running)"
    return "\n".join(
        f"{d['index']}: {d['name']} ({d['api']}, {d['channels']} ch, {d['rate']:g} Hz)"
        for d in devices
    )


class Listener:
    """Listens to ``device`` (as nebula.listen.hearing.find_device takes it) for ``ear``, until
    closed. ConfigError at once when the device is not there."""

    def __init__(
        self,
        device: str,
        ear: Ear,
        *,
        log: logging.Logger = LOG,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.device = device
        self.ear = ear
        self.log = log
        self.clock = clock
        self.lost = False
        self.reopened = 0
        self.name = device
        self._closing = threading.Event()
        self._proc: subprocess.Popen[str] | None = None
        said = self._start()
        if "error" in said:
            raise ConfigError(str(said["error"]))
        if "ready" not in said:
            raise ConfigError(f"--listen {device!r}: the ear did not start ({said})")
        self._thread = threading.Thread(target=self._listening, name="listen", daemon=True)
        self._thread.start()

    def _start(self) -> dict[str, object]:
        """The ear started; its first line (ready, or why not)."""
        proc = subprocess.Popen(
            [*EAR, self.device],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._proc = proc
        assert proc.stdout is not None
        line = proc.stdout.readline()  # (ends at the ear's end too, with "")
        try:
            said = dict(json.loads(line)) if line else {"gone": "it ended at once"}
        except ValueError:
            said = {"gone": f"it said {line.strip()[:80]!r}"}
        if "ready" in said:
            self.name = str(said["ready"])
        return said

    def _listening(self) -> None:
        while not self._closing.is_set():
            self._hear()
            if self._closing.is_set():
                return
            if not self.lost:
                self.lost = True
                self.log.warning("listen: %s is gone; trying again every %g s",
                                 self.name, RETRY_SECONDS)  # fmt: skip
            while not self._closing.wait(RETRY_SECONDS):
                said = self._start()
                if "ready" in said:
                    self.lost = False
                    self.reopened += 1
                    self.log.info("listen: hearing %s again", self.name)
                    break
                self._reap()

    def _hear(self) -> None:
        """Feed the ear's features to the Ear until the ear ends."""
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        for line in proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            rows = msg.get("f") if isinstance(msg, dict) else None
            if rows:
                self.ear.hear([features(r) for r in rows], self.clock())
        self._reap()

    def _reap(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        try:
            proc.wait(timeout=START_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    @property
    def pid(self) -> int | None:
        """The ear's process, while there is one."""
        proc = self._proc
        return proc.pid if proc is not None else None

    def status(self) -> str:
        if self.lost:
            return f"listen: {self.name} is gone; trying again every {RETRY_SECONDS:g} s"
        return self.ear.meter()

    def close(self) -> None:
        self._closing.set()
        proc = self._proc
        if proc is not None and proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # the ear's end
        self._thread.join(timeout=RETRY_SECONDS + START_SECONDS)
        self._reap()
