"""Keeping the picture on the wall: cursor hidden, screensaver and display blanking off.

SDL can block its own screensaver inhibition; X11's DPMS and blanking are server settings that
``xset`` changes for the session. Elsewhere (Wayland compositors, a console) the installer sets
power saving off in the desktop's settings: docs/installation.md.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable, Mapping

XSET_ARGS = ("s", "off", "-dpms", "s", "noblank")


def blanking_command(
    env: Mapping[str, str], which: Callable[[str], str | None] = shutil.which
) -> list[str] | None:
    """The command that turns X11 blanking and DPMS off here, or None where it cannot apply."""
    if not env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None  # no X server, or a Wayland session where xset only reaches Xwayland
    xset = which("xset")
    if xset is None:
        return None
    return [xset, *XSET_ARGS]


def disable_blanking(env: Mapping[str, str], log: logging.Logger) -> bool:
    cmd = blanking_command(env)
    if cmd is None:
        why = (
            "not an X11 session"
            if not env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
            else "xset is not installed (apt-get install x11-xserver-utils)"
        )
        log.warning(
            "cannot turn display blanking off here (%s); "
            "turn screen blanking and power saving off in the system settings",
            why,
        )
        return False
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as e:
        log.warning("xset failed (%s); turn screen blanking off in the system settings", e)
        return False
    if r.returncode != 0:
        log.warning("xset failed: %s", (r.stderr or r.stdout).strip())
        return False
    log.info("display blanking and DPMS off (%s)", " ".join(cmd))
    return True


def keep_awake(log: logging.Logger, env: Mapping[str, str] | None = None) -> None:
    """After the window opens: hide the cursor, block the screensaver, stop X11 blanking."""
    import os

    import pygame

    pygame.mouse.set_visible(False)
    pygame.display.set_allow_screensaver(False)
    disable_blanking(os.environ if env is None else env, log)
