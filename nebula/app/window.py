"""The pygame side of the live piece: the OpenGL window, its events and the loop that drives Show.

Everything that does not need a window (clock, world, render, HUD, actions) lives in Show; this
module only opens the window, turns key events into action names and flips buffers.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import warnings
from typing import TYPE_CHECKING

import moderngl

from nebula.app.displays import Bounds, describe_displays, display_bounds, span_bounds
from nebula.app.hotkeys import Hotkeys, chord, parse_param_action
from nebula.app.pacing import DEFAULT_MAX_FPS, FramePacer
from nebula.app.show import Show
from nebula.render.context import GL_VERSION, track_objects

if TYPE_CHECKING:
    from nebula.gallery.installation import Installation

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame

#: While closed by --hours the loop wakes this often: enough for a held Esc and the heartbeat.
IDLE_SECONDS = 0.25
#: Frames the steady frame rate leaves out (shader compiles, the world brought to its start).
WARM_FRAMES = 10
STILL_HINT = "render without a window with `nebula still` (one frame) or `nebula record` (a video)"
#: SDL video drivers that draw nowhere visible; used only when asked for by SDL_VIDEODRIVER.
_INVISIBLE_DRIVERS = {"offscreen", "dummy"}


class DisplayError(RuntimeError):
    """No display to open a window on, or not the one asked for; the message is one line."""


def check_display_available() -> None:
    """Fail early, before SDL prints its own noise, when there is clearly no display."""
    if os.environ.get("SDL_VIDEODRIVER"):
        return  # an explicit choice (for example a kiosk on kmsdrm): let SDL try it
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        raise DisplayError(
            f"no display available (neither DISPLAY nor WAYLAND_DISPLAY is set); {STILL_HINT}"
        )


def init_display() -> None:
    check_display_available()
    # SDL would turn SIGTERM and SIGINT into a window-close event, indistinguishable from a
    # visitor's Alt+F4. With its handlers off, the piece's own (cmd_run) tell them apart.
    os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
    try:
        pygame.display.init()
    except pygame.error as e:
        raise DisplayError(f"no display available ({e}); {STILL_HINT}") from None
    driver = pygame.display.get_driver()
    if driver in _INVISIBLE_DRIVERS and not os.environ.get("SDL_VIDEODRIVER"):
        pygame.display.quit()
        raise DisplayError(f"no display available (SDL fell back to {driver!r}); {STILL_HINT}")


def check_key_names(hotkeys: Hotkeys, where: str = "hotkeys") -> None:
    """Refuse a binding to a key pygame does not know ("escpae", "f13x"): it could never fire.
    Raises ConfigError naming the binding; names are pygame's own (``pygame.key.name``)."""
    from nebula.config import ConfigError

    for c, action in hotkeys.bindings.items():
        key = c.split("+")[-1] if not c.endswith("++") else "+"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "pygame.init() has not been called": names are
            try:  # a fixed table, the answer is the same
                pygame.key.key_code(key)
            except ValueError:
                raise ConfigError(
                    f"{where}: {action}: {key!r} is not a key name pygame knows (for example "
                    '"escape", "f11", "space", "a", ".")'
                ) from None


def display_sizes() -> list[tuple[int, int]]:
    return [(w, h) for _, _, w, h in display_bounds()]


class Window:
    """A pygame OpenGL 3.3 core window wrapped in a tracked ModernGL context."""

    FLAGS = pygame.OPENGL | pygame.DOUBLEBUF | pygame.RESIZABLE

    def __init__(
        self,
        size: tuple[int, int],
        *,
        fullscreen: bool = False,
        display: int = 0,
        vsync: bool = True,
        title: str = "Nebula",
        span: list[int] | None = None,
    ) -> None:
        init_display()
        n = pygame.display.get_num_displays()
        if not 0 <= display < n:
            listing = describe_displays()
            pygame.display.quit()
            raise DisplayError(f"there is no display {display}; the displays are {listing}")
        #: With ``span``: one borderless window over those displays' rectangle, not movable
        #: into fullscreen (it covers them already).
        self.span: Bounds | None = None
        if span is not None:
            try:
                self.span = span_bounds(span, display_bounds())
            except ValueError as e:
                pygame.display.quit()
                raise DisplayError(str(e)) from None
            x, y, w, h = self.span
            os.environ["SDL_VIDEO_WINDOW_POS"] = f"{x},{y}"
            size, fullscreen, display = (w, h), False, span[0]
        self.display = display
        self.windowed_size = size
        # GL attributes must be set before set_mode creates the context.
        gl = pygame.display.gl_set_attribute
        gl(pygame.GL_CONTEXT_MAJOR_VERSION, GL_VERSION // 100)
        gl(pygame.GL_CONTEXT_MINOR_VERSION, (GL_VERSION // 10) % 10)
        gl(pygame.GL_CONTEXT_PROFILE_MASK, pygame.GL_CONTEXT_PROFILE_CORE)
        gl(pygame.GL_DOUBLEBUFFER, 1)
        if sys.platform == "darwin":
            gl(pygame.GL_CONTEXT_FORWARD_COMPATIBLE_FLAG, 1)
        pygame.display.set_caption(title)
        flags = self.FLAGS | (pygame.FULLSCREEN if fullscreen else 0)
        if self.span is not None:
            flags = pygame.OPENGL | pygame.DOUBLEBUF | pygame.NOFRAME
        self.vsync = vsync
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                pygame.display.set_mode(
                    (0, 0) if fullscreen else size, flags, display=display, vsync=int(vsync)
                )
            # pygame warns (and goes on without) where the driver cannot sync to the display.
            if any("vsync" in str(w.message).lower() for w in caught):
                self.vsync = False
        except pygame.error as e:
            pygame.display.quit()
            raise DisplayError(f"cannot open an OpenGL 3.3 window ({e}); {STILL_HINT}") from None
        self.fullscreen = fullscreen
        try:
            self.ctx = moderngl.create_context(require=GL_VERSION)
        except Exception as e:  # the loader's plain Exception
            pygame.display.quit()
            raise DisplayError(
                f"the window has no OpenGL 3.3 core context ({e}); {STILL_HINT}"
            ) from None
        track_objects(self.ctx)
        self.screen = self.ctx.screen  # made once here; reused (and resized) for every frame
        pygame.key.set_repeat(350, 45)

    @property
    def size(self) -> tuple[int, int]:
        w, h = pygame.display.get_window_size()
        return max(1, w), max(1, h)

    def toggle_fullscreen(self) -> tuple[int, int]:
        if self.span is not None:
            return self.size  # a span covers its displays already
        if not self.fullscreen:
            self.windowed_size = self.size
        try:
            # Its return value is not a reliable success flag across pygame versions: only an
            # error means it could not toggle, and then setting the mode again does it.
            pygame.display.toggle_fullscreen()
        except pygame.error:
            flags = self.FLAGS | (0 if self.fullscreen else pygame.FULLSCREEN)
            size = self.windowed_size if self.fullscreen else (0, 0)
            pygame.display.set_mode(size, flags, display=self.display, vsync=int(self.vsync))
        self.fullscreen = not self.fullscreen
        return self.size

    def flip(self) -> None:
        pygame.display.flip()

    def close(self) -> None:
        self.ctx.release()
        pygame.display.quit()


def key_name(ev: pygame.event.Event) -> str:
    name = pygame.key.name(ev.key)
    if len(name) == 3 and name.startswith("[") and name.endswith("]"):
        name = name[1]  # keypad digits and "." act like the main keys
    return name


def event_chord(ev: pygame.event.Event) -> str:
    name = key_name(ev)
    mod = ev.mod
    return chord(
        name,
        ctrl=bool(mod & pygame.KMOD_CTRL),
        alt=bool(mod & pygame.KMOD_ALT),
        shift=bool(mod & pygame.KMOD_SHIFT),
    )


class LiveLoop:
    """Events -> actions, then one Show.frame and a buffer flip, until quit or ``exit_after``."""

    def __init__(
        self,
        window: Window,
        show: Show,
        hotkeys: Hotkeys,
        exit_after: float | None = None,
        installation: Installation | None = None,
        max_fps: float = DEFAULT_MAX_FPS,
    ) -> None:
        self.window = window
        self.show = show
        self.hotkeys = hotkeys
        self.exit_after = exit_after
        #: Gallery mode (nebula.gallery): key lock, opening hours, render scale, heartbeat.
        self.installation = installation
        self.pacer = FramePacer(max_fps)
        self._now = time.perf_counter()
        self.seconds = 0.0  # how long run() ran
        #: (clock, frames) once WARM_FRAMES have run: the steady rate leaves out the first
        #: frames, which compile shaders and bring the world to its start.
        self._warm: tuple[float, int] | None = None
        self._ended: float | None = None
        self._held: set[int] = set()
        #: Why the loop ended, for the log and the summary line.
        self.stop_reason = "quit"
        #: The signal that stopped the show, if one did: the exit status is then 128 + it.
        self.signal: int | None = None
        self._dark_shown = False
        show.handlers["fullscreen"] = self.toggle_fullscreen
        if not window.vsync:
            show.message("vsync is not available here; frames are not synced to the display")

    def toggle_fullscreen(self) -> None:
        self.show.resize(self.window.toggle_fullscreen())

    def handle(self, ev: pygame.event.Event) -> None:
        inst = self.installation
        if ev.type == pygame.QUIT:
            # A close request (the window's close button, Alt+F4). SDL's own signal handlers
            # are off (init_display), so signals never arrive as this event: see stop_signal.
            if inst is not None and inst.options.installation:
                inst.log.warning("window close request ignored (installation mode)")
            else:
                self.stop_reason = "window closed"
                self.show.running = False
        elif ev.type == pygame.KEYDOWN:
            repeat = ev.key in self._held
            self._held.add(ev.key)
            if inst is not None and not inst.key_down(
                key_name(ev),
                ctrl=bool(ev.mod & pygame.KMOD_CTRL),
                alt=bool(ev.mod & pygame.KMOD_ALT),
                now=self._now,
            ):
                return
            action = self.hotkeys.action_for(event_chord(ev))
            # Held keys repeat parameter steps only: a held F12 must not fill the disk.
            if action is not None and (not repeat or parse_param_action(action) is not None):
                self.show.do(action)
        elif ev.type == pygame.KEYUP:
            self._held.discard(ev.key)
            if inst is not None:
                inst.key_up(key_name(ev), now=self._now)
        elif ev.type == pygame.WINDOWFOCUSLOST:
            self._held.clear()
            if inst is not None:
                inst.focus_lost()

    def stop_for_signal(self, signum: int) -> None:
        """Called from a signal handler: end the loop after this frame, exit 128 + signum."""
        self.signal = signum
        self.stop_reason = f"signal {signal.Signals(signum).name}"
        self.show.running = False

    def tick(self, now: float) -> None:
        """One pass of the loop: events, a resize if the window changed, a frame, a flip."""
        self._now = now
        for ev in pygame.event.get():
            self.handle(ev)
        if not self.show.running:
            return
        size = self.window.size
        if size != self.show.window_size:
            self.show.resize(size)
        inst = self.installation
        if inst is not None:
            drawn = inst.frame(now, lambda: self.show.frame(now))
            if inst.closed and self.show.running:
                if not self._dark_shown:  # both buffers black once; then nothing to draw
                    for _ in range(2):
                        self.window.ctx.screen.use()
                        self.window.ctx.clear(0.0, 0.0, 0.0, 1.0)
                        self.window.flip()
                    self._dark_shown = True
                return
            self._dark_shown = False
            if not drawn:
                return
        else:
            self.show.frame(now)
        self.window.flip()

    def run(self) -> int:
        """Loop until the show stops; the exit status: 0, or 128 + the signal that stopped it."""
        start = time.perf_counter()
        while self.show.running:
            if self.installation is not None and self.installation.closed:
                time.sleep(IDLE_SECONDS)  # closed hours: keys, heartbeat and log only
            else:
                pause = self.pacer.wait(time.perf_counter())
                if pause > 0.0:
                    time.sleep(pause)
            now = time.perf_counter()
            self.tick(now)
            if self._warm is None and self.show.frames >= WARM_FRAMES:
                self._warm = (time.perf_counter(), self.show.frames)
            if self.exit_after is not None and now - start >= self.exit_after:
                self.stop_reason = f"--exit-after {self.exit_after:g} s"
                break
        self._ended = time.perf_counter()
        self.seconds = self._ended - start
        return 128 + self.signal if self.signal is not None else 0

    def steady_fps(self, end: float | None = None) -> float | None:
        """Frames per second after the first WARM_FRAMES (None before there are more)."""
        if self._warm is None:
            return None
        t0, f0 = self._warm
        span = (time.perf_counter() if end is None else end) - t0
        return (self.show.frames - f0) / span if span > 0 and self.show.frames > f0 else None

    def summary(self) -> str:
        s = self.seconds
        fps = self.show.frames / s if s > 0 else 0.0
        w, h = self.show.renderer.size
        steady = self.steady_fps(self._ended)
        tail = f", steady {steady:.2f} fps" if steady is not None else ""
        return f"{self.show.frames} frames in {s:.1f} s ({fps:.1f} fps{tail}, rendered at {w}x{h})"
