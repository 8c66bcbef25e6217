"""The installation key lock: in a gallery only a deliberate exit ends the show.

Holding Esc for ``hold_seconds`` or pressing Ctrl+Alt+Q quits; a tap on Esc does nothing, and
every other hotkey is off unless ``allow_hotkeys``. Outside installation mode the lock lets every
key through, so the window's own bindings (Esc quits at once) behave as usual.

Keys are pygame's key names (``pygame.key.name``: "escape", "q", "space"...), so this module
needs no pygame and tests feed it plain strings and made-up times.
"""

from __future__ import annotations

from dataclasses import dataclass

ESCAPE = "escape"
QUIT_KEY = "q"
HOLD_SECONDS = 3.0


@dataclass
class KeyLock:
    installation: bool = False
    allow_hotkeys: bool = False
    hold_seconds: float = HOLD_SECONDS
    #: When Esc went down (piece of mind: None while it is up).
    esc_down_at: float | None = None
    quit_requested: bool = False

    @property
    def locked(self) -> bool:
        return self.installation

    def key_down(self, key: str, *, ctrl: bool = False, alt: bool = False, now: float) -> bool:
        """A key went down. Returns True when the window may dispatch its own binding for it."""
        key = key.lower()
        if not self.installation:
            return True
        if key == QUIT_KEY and ctrl and alt:
            self.quit_requested = True
            return False
        if key == ESCAPE:
            # Key repeat sends more downs while held: keep the first press time.
            if self.esc_down_at is None:
                self.esc_down_at = now
            return False  # Esc's usual binding (quit at once) never fires in a gallery
        return self.allow_hotkeys

    def key_up(self, key: str, *, now: float) -> None:
        if key.lower() == ESCAPE:
            self.update(now)  # a hold that reached the limit counts even if update lagged
            self.esc_down_at = None

    def focus_lost(self) -> None:
        """The window lost keyboard focus: a key-up may never come, so forget held keys."""
        self.esc_down_at = None

    def update(self, now: float) -> bool:
        """Call once a frame; True once the show should end."""
        if (
            self.installation
            and self.esc_down_at is not None
            and now - self.esc_down_at >= self.hold_seconds
        ):
            self.quit_requested = True
        return self.quit_requested

    def hold_progress(self, now: float) -> float:
        """0..1 while Esc is held (for an on-screen hint); 0 otherwise."""
        if self.esc_down_at is None or not self.installation:
            return 0.0
        return min(1.0, max(0.0, (now - self.esc_down_at) / self.hold_seconds))
