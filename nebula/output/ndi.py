"""NDI out: the piece's frames published as a video source on the network (extra ``ndi``).

``NdiSender`` owns one cyndilib ``Sender`` and a thread that sends: the frame thread hands it
the newest frame (``offer``) and never waits. A frame offered while the last is still going
out replaces the one waiting, and is counted as dropped, so a receiver that stalls slows no
frame. With no receiver connected it sends one frame a second (the source stays listed and a
new receiver sees a picture at once) and says so in the log. A send that fails is logged
once, and the sender is made again every few seconds: the show never stops for NDI.

nebula.output.ndi_feed feeds it a piece's frames.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import numpy as np
from numpy.typing import NDArray

LOG = logging.getLogger("nebula.ndi")

#: Characters NDI will not keep in a source name: it replaces each with a space, so the
#: source would not be called what was asked for.
REFUSED_CHARACTERS = '\\/:*?"<>|'
#: The longest name taken, in UTF-8 bytes: libndi fails to make a sender (or crashes) with a
#: name of about 250 bytes; sources are listed as ``MACHINE (name)``.
MAX_NAME_BYTES = 128
#: With no receiver connected: one frame this often, not every frame.
IDLE_SECONDS = 1.0
#: How often the thread asks libndi how many receivers are connected.
POLL_SECONDS = 0.5
#: After a failed send, the sender is made again this long after.
RETRY_SECONDS = 3.0


#: The send thread's niceness (and libndi's threads', which it makes): on a machine whose
#: cores the frame fills (llvmpipe), NDI takes the time the window leaves, not the window's.
SEND_NICE = 10


def lower_priority() -> None:
    """This thread at SEND_NICE (Linux sets niceness per thread; elsewhere nothing)."""
    import os

    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        try:
            current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(current, SEND_NICE))
        except OSError:  # not allowed here: the thread keeps the show's priority
            pass


class NdiError(Exception):
    """NDI cannot start (not installed, the library not loading, a name NDI refuses, a size
    it cannot carry): the one line that says why and what to do."""


def check_name(name: str) -> str:
    """``name`` as an NDI source name, or NdiError saying what is wrong with it."""
    if not name.strip():
        raise NdiError("--ndi: the source name is empty; give one, such as --ndi Nebula")
    bad = sorted({c for c in name if c in REFUSED_CHARACTERS or not c.isprintable()})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise NdiError(
            f"--ndi {name!r}: NDI does not allow {shown} in a source name "
            f"(nor any of {REFUSED_CHARACTERS} or control characters); choose another name"
        )
    if len(name.encode()) > MAX_NAME_BYTES:
        raise NdiError(
            f"--ndi: the source name is {len(name.encode())} bytes long; "
            f"NDI takes at most {MAX_NAME_BYTES}"
        )
    return name


def check_size(size: tuple[int, int], what: str = "--ndi-size") -> tuple[int, int]:
    """A frame size NDI carries: NDI's video is 4:2:2, so the width must be even."""
    w, h = size
    if w < 2 or h < 1:
        raise NdiError(f"{what} {w}x{h}: too small for a video frame")
    if w % 2:
        raise NdiError(f"{what} {w}x{h}: NDI needs an even width (4:2:2 video); try {w + 1}x{h}")
    return size


def ndi_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size NDI sends for a picture of ``size``: the same, an odd width made even by
    leaving out the last column (a window may be any size)."""
    return max(2, size[0] - size[0] % 2), max(1, size[1])


def load() -> Any:
    """cyndilib's sender module (with ``video_frame``, which makes the frame a sender sends),
    or NdiError naming the extra or the library that failed."""
    import importlib.util

    if importlib.util.find_spec("cyndilib") is None:
        raise NdiError(
            "--ndi needs cyndilib, which carries the NDI runtime: pip install 'nebula[ndi]'"
        )
    try:  # (importing cyndilib loads libndi)
        from cyndilib import sender
        from cyndilib.video_frame import VideoSendFrame
        from cyndilib.wrapper.ndi_structs import FourCC
    except (ImportError, OSError) as e:
        raise NdiError(
            f"the NDI library failed to load ({e}); reinstall it: "
            "pip install --force-reinstall 'nebula[ndi]'"
        ) from None

    def video_frame(size: tuple[int, int], fps: float, alpha: bool) -> Any:
        frame = VideoSendFrame()
        frame.set_resolution(*size)
        frame.set_frame_rate(Fraction(fps).limit_denominator(1001))
        frame.set_fourcc(FourCC.RGBA if alpha else FourCC.RGBX)
        return frame

    return SimpleNamespace(Sender=sender.Sender, video_frame=video_frame)


@dataclass(frozen=True)
class NdiOptions:
    """An NDI source as the command line asks for it: its name, its size (None: the
    picture's), and whether it carries alpha."""

    name: str
    size: tuple[int, int] | None = None
    alpha: bool = False


@dataclass
class NdiStatus:
    """What the HUD and the log say of the source."""

    name: str
    size: tuple[int, int]
    receivers: int = 0
    sent: int = 0
    dropped: int = 0  # offered while the last was still going out
    failed: bool = False

    def line(self) -> str:
        state = "failing, retrying" if self.failed else f"{self.receivers} receiving"
        return f"NDI {self.name!r} {self.size[0]}x{self.size[1]}: {state}"


class NdiSender:
    """One NDI source called ``name`` at ``size`` and ``fps``; ``alpha`` sends RGBA (4:2:2:4
    over the wire), else RGBX (4:2:2, cheaper for NDI and for the network)."""

    def __init__(
        self,
        name: str,
        size: tuple[int, int],
        fps: float,
        *,
        alpha: bool = False,
        log: logging.Logger = LOG,
        clock: Callable[[], float] = time.monotonic,
        module: Any = None,
    ) -> None:
        """``module``: what stands for cyndilib's sender module (its ``Sender``), for tests
        of a network that stalls or fails."""
        self.name = check_name(name)
        self.size = check_size(size)
        self.fps = fps
        self.alpha = alpha
        self.log = log
        self.clock = clock
        self._mod = module or load()
        self.status = NdiStatus(name, size)
        self._sender: Any = None
        self._cond = threading.Condition()
        self._waiting: NDArray[np.uint8] | None = None
        w, h = self.size
        # Two frames: one going out, one being filled (or waiting).
        self._pool = [np.zeros((h, w, 4), np.uint8) for _ in range(2)]
        self._sending: NDArray[np.uint8] | None = None
        self._waiting_flipped = False
        self._upright: NDArray[np.uint8] | None = None  # a flipped frame turned over
        self._closing = False
        self._last_offered = -1e9
        self._opened = threading.Event()
        self._open_error: NdiError | None = None
        self._thread = threading.Thread(target=self._run, name="ndi-send", daemon=True)
        self._thread.start()
        # The sender is made in its thread (libndi's own threads then share its priority),
        # and a source NDI cannot make fails the start.
        if not self._opened.wait(10.0):
            self.close()
            raise NdiError(f"--ndi {name!r}: NDI did not make the source in 10 s")
        if self._open_error is not None:
            self._thread.join(timeout=5.0)
            raise self._open_error
        self.log.info("NDI: publishing %r at %dx%d, %g fps", name, *size, fps)

    def _open(self) -> None:
        try:
            # clock_video=False: libndi would otherwise block each send to the frame rate,
            # and the show's loop keeps its own time.
            sender = self._mod.Sender(self.name, clock_video=False)
            sender.set_video_frame(self._mod.video_frame(self.size, self.fps, self.alpha))
            sender.open()
        except Exception as e:
            raise NdiError(f"--ndi {self.name!r}: NDI could not make the source ({e})") from None
        self._sender = sender

    # ------------------------------------------------------------------ the frame thread

    def wants(self) -> bool:
        """Whether a frame offered now would be sent: every frame while someone receives;
        one a second while no one does, or while NDI fails (the frame that tries it again),
        so the frame thread reads nothing back for nothing."""
        if self.status.receivers > 0 and not self.status.failed:
            return True
        return self.clock() - self._last_offered >= IDLE_SECONDS

    def buffer(self) -> NDArray[np.uint8]:
        """A (height, width, 4) uint8 array to fill with the next frame: one the thread is not
        sending. A frame still waiting is given back to be filled again (the newer frame
        replaces it, counted as dropped): the frame thread never waits for the network."""
        with self._cond:
            if self._waiting is not None:
                buf, self._waiting = self._waiting, None
                self.status.dropped += 1
                return buf
            return self._pool[0] if self._pool[0] is not self._sending else self._pool[1]

    def offer(self, rgba: NDArray[np.uint8], flipped: bool = False) -> None:
        """Send ``rgba`` (from ``buffer``, filled; ``flipped``: its rows bottom first) from
        the thread."""
        with self._cond:
            self._waiting = rgba
            self._waiting_flipped = flipped
            self._last_offered = self.clock()
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join(timeout=5.0)
        self._drop_sender()

    # ------------------------------------------------------------------ the send thread

    def _run(self) -> None:
        lower_priority()
        try:
            self._open()
        except NdiError as e:
            self._open_error = e
            return
        finally:
            self._opened.set()
        next_poll = 0.0
        retry_at: float | None = None
        try:
            self._count_receivers()  # at once: a receiver already waiting gets every frame
            next_poll = self.clock() + POLL_SECONDS
        except Exception as e:
            self.log.debug("NDI: counting receivers: %s", e)
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closing or self._waiting is not None, 0.25)
                if self._closing and self._waiting is None:
                    return  # (a frame still waiting goes out first: a recording's last)
                frame, self._waiting = self._waiting, None
                flipped = self._waiting_flipped
                self._sending = frame
            now = self.clock()
            if retry_at is not None:
                if now < retry_at:
                    continue
                retry_at = None
                try:
                    self._open()
                except NdiError:
                    retry_at = now + RETRY_SECONDS
                    continue
            try:
                if now >= next_poll:
                    next_poll = now + POLL_SECONDS
                    self._count_receivers()
                if frame is not None:
                    if flipped:  # rows bottom first, as GL reads them: turned over here
                        if self._upright is None:
                            self._upright = np.empty_like(frame)
                        np.copyto(self._upright, frame[::-1])
                        frame = self._upright
                    self._sender.write_video(frame.reshape(-1))  # libndi copies it
                    self.status.sent += 1
                    if self.status.failed:
                        self.status.failed = False
                        self.log.info("NDI: %r publishing again", self.name)
            except Exception as e:  # NDI failing mid-show: said once, tried again later
                if not self.status.failed:
                    self.log.error("NDI: sending failed (%s); trying again every %g s",
                                   e, RETRY_SECONDS)  # fmt: skip
                self.status.failed = True
                self._drop_sender()
                retry_at = now + RETRY_SECONDS
            finally:
                with self._cond:
                    self._sending = None

    def _count_receivers(self) -> None:
        n = int(self._sender.get_num_connections(0.0))
        if n != self.status.receivers:
            if n == 0:
                self.log.info("NDI: no one receives %r: one frame a second until someone does",
                              self.name)  # fmt: skip
            else:
                self.log.info("NDI: %d receiving %r", n, self.name)
            self.status.receivers = n

    def _drop_sender(self) -> None:
        sender, self._sender = self._sender, None
        if sender is not None:
            try:
                sender.close()
            except Exception as e:  # already broken: nothing more to free
                self.log.debug("NDI: closing the sender: %s", e)
