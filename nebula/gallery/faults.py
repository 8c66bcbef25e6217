"""Faults: what the piece does when a frame goes wrong, so a supervisor can put it right.

An exception inside a frame is logged with its traceback and the next frame tries again. More
than ``max_faults`` in ``window`` seconds means the fault is not passing: the piece exits with
``EXIT_FAULT`` and systemd (Restart=always) or the watchdog starts it afresh. A lost GL context
cannot be retried: the piece exits at once, cleanly, with ``EXIT_CONTEXT_LOST``.

The exits are ``SystemExit`` subclasses, so they pass through ``except Exception`` handlers and
the interpreter's own exit carries the code; ``finally`` blocks still release the window.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EXIT_FAULT = 70  # EX_SOFTWARE: repeated faults in frames
EXIT_CONTEXT_LOST = 75  # EX_TEMPFAIL: the GL context is gone; a restart gets a new one

_LOST_WORDS = ("context lost", "lost context", "gl_context_lost", "context is lost")


class ShowExit(SystemExit):
    """The show ends on purpose with a code for the supervisor."""


def looks_like_context_loss(exc: BaseException) -> bool:
    """True when an exception says the GL context is gone (moderngl.Error and driver text)."""
    text = f"{type(exc).__name__}: {exc}".lower()
    return any(w in text for w in _LOST_WORDS)


def context_alive(ctx: Any) -> bool:
    """Probe a moderngl context: False when asking it anything fails or it reports loss."""
    try:
        err = ctx.error
    except Exception:
        return False
    return bool(err != "GL_CONTEXT_LOST")


@dataclass
class FrameGuard:
    log: logging.Logger
    max_faults: int = 3
    window: float = 60.0
    #: Asked after a fault: is the GL context still there? (``lambda: context_alive(ctx)``)
    probe: Callable[[], bool] = lambda: True
    faults: deque[float] = field(default_factory=deque)
    total: int = 0

    def run(self, frame: Callable[[], object], now: float) -> bool:
        """Run one frame. True when it completed; False when it failed and will be retried.

        Raises ``ShowExit`` when the context is lost or faults keep coming.
        """
        try:
            frame()
            return True
        except Exception as exc:
            self.fault(exc, now)
            return False

    def fault(self, exc: BaseException, now: float) -> None:
        self.total += 1
        if looks_like_context_loss(exc) or not self.probe():
            self.log.error("GL context lost (%s); exiting for a restart", exc)
            raise ShowExit(EXIT_CONTEXT_LOST) from exc
        self.faults.append(now)
        while self.faults and now - self.faults[0] > self.window:
            self.faults.popleft()
        n = len(self.faults)
        if n > self.max_faults:
            self.log.critical(
                "frame failed, %d faults in %g s: exiting with status %d for a restart",
                n,
                self.window,
                EXIT_FAULT,
                exc_info=exc,
            )
            raise ShowExit(EXIT_FAULT) from exc
        self.log.error(
            "frame failed (fault %d of %d allowed in %g s); retrying",
            n,
            self.max_faults,
            self.window,
            exc_info=exc,
        )
