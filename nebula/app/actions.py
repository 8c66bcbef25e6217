"""The live piece's named actions (a hotkey's, an OSC ``/nebula/action``'s): what each does to
a Show.

``do(name)`` turns a name into its event and hands it to ``Show.apply``, the one door; the
actions that act on the session rather than on the picture (pause, step, the HUD, a
screenshot, saving a preset, quit) are the handlers ``apply`` calls once the event is let in.
A failure (a full disk, a bad preset) is a message on the HUD: the show goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from nebula.app.calibrate import unavailable
from nebula.app.hotkeys import parse_param_action
from nebula.app.preview import Preview
from nebula.clock import RealtimeClock
from nebula.config import PARAMS_BY_NAME, ConfigError, Params
from nebula.control.events import Event, preset_event_value
from nebula.output.png import create_png
from nebula.presets import load_named_preset, load_preset, preset_slots, save_new_preset


class ShowActs(Protocol):
    """What the actions use of a Show (nebula.app.show)."""

    action_filter: Callable[[str], bool]
    learn: Callable[[str], bool] | None
    wanted: dict[str, float]
    params: Params
    clock: RealtimeClock
    world: Any
    piece: Any  # nebula.piece.Piece: read() is the frame shown
    preview: Preview
    hud_visible: bool
    running: bool
    frames: int

    def apply(self, event: Event) -> bool: ...
    def message(self, text: str, *, error: bool = ..., seconds: float = ...) -> None: ...


class Actions:
    """The actions of one Show."""

    def __init__(self, show: ShowActs, screenshot_dir: Path, preset_dir: Path) -> None:
        self.show = show
        self.screenshot_dir = screenshot_dir
        self.preset_dir = preset_dir
        #: Screenshots asked for before the first frame: taken once it is drawn, not of the
        #: blank target (keys typed while the shaders compile arrive with the first frame).
        self._shots_waiting = 0

    def handlers(self) -> dict[str, Callable[[], None]]:
        """Action name -> what it does to the session (the window adds "fullscreen")."""
        show = self.show
        return {
            "pause": self.toggle_pause,
            "step": self.step,
            "toggle_hud": self.toggle_hud,
            "fullscreen": lambda: show.message("fullscreen needs a window"),
            "midi_learn": lambda: show.message("MIDI learn needs --midi PORT"),
            "screenshot": self._screenshot_action,
            "save_preset": self._save_preset_action,
            "quit": self.quit,
            **unavailable(show),  # a wall's tile replaces these (nebula.app.calibrate)
        }

    def do(self, action: str, source: str = "key") -> bool:
        """Carry out a named action as an event; False when it is filtered out, unknown or
        refused."""
        show = self.show
        if not show.action_filter(action):
            return False
        step = parse_param_action(action)
        if step is not None:
            name, n = step
            if show.learn is not None and show.learn(name):
                return True  # the key completed a MIDI learn: it names the parameter
            value = PARAMS_BY_NAME[name].stepped(show.wanted[name], n)
            return show.apply(Event(source, f"param:{name}", value))
        if action == "reset":
            return self.reset(source)
        if action == "share":
            return self.share(None, source)
        return show.apply(Event(source, action))

    # ------------------------------------------------------------------ the picture's

    def share(self, speaker: int | None = None, source: str = "key") -> bool:
        """The dreamer (or figure ``speaker``) shares on the next step."""
        if not self.show.apply(Event(source, "share", speaker)):
            return False
        who = "the dreamer" if not speaker else f"figure {speaker}"
        self.show.message(f"{who} shares")
        return True

    def reset(self, source: str = "key") -> bool:
        if not self.show.apply(Event(source, "reset")):
            return False
        self.show.message("parameters reset to defaults")
        return True

    def load_preset(self, name_or_path: str, source: str = "key", *, named: bool = False) -> bool:
        """Load a preset (gliding to it). A bad one is refused: the piece keeps its look.
        ``named``: a name from the preset folders only, never a path (OSC asks so)."""
        try:
            preset = load_named_preset(name_or_path) if named else load_preset(name_or_path)
        except ConfigError as e:
            self.show.message(f"preset refused: {e}", error=True)
            return False
        if not self.show.apply(Event(source, "preset", preset_event_value(preset))):
            return False
        self.show.message(f"preset {preset.name}")
        return True

    def load_slot(self, slot: int, source: str) -> bool:
        """The preset on number key ``slot`` (1-9), in the order of the preset folder."""
        slots = preset_slots(self.preset_dir)
        if slot > len(slots):
            self.show.message(f"no preset on key {slot} ({len(slots)} presets)", error=True)
            return False
        return self.load_preset(str(slots[slot - 1]), source)

    # ------------------------------------------------------------------ the session's

    def toggle_pause(self) -> None:
        clock = self.show.clock
        clock.set_paused(not clock.paused)

    def step(self) -> None:
        show = self.show
        if show.clock.paused:
            show.preview.settle()
            show.clock.step(show.world.dt)
        else:
            show.message("step ( . ) works while paused ( P )")

    def toggle_hud(self) -> None:
        self.show.hud_visible = not self.show.hud_visible

    def quit(self) -> None:
        self.show.running = False

    def screenshot(self) -> Path:
        """Save the current frame as the next free nebula-NNNN.png; never overwrites, and a
        failure (a full disk) leaves no file behind."""
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        names = (self.screenshot_dir / f"nebula-{i:04d}.png" for i in range(1, 1_000_000))
        try:
            return create_png(names, self.show.piece.read())
        except FileExistsError:
            raise OSError(f"no free screenshot name left in {self.screenshot_dir}") from None

    def _screenshot_action(self) -> None:
        if self.show.frames == 0:
            self._shots_waiting += 1
            return
        try:
            self.show.message(f"screenshot {self.screenshot()}")
        except OSError as e:
            self.show.message(f"screenshot failed: {e}", error=True)

    def take_waiting_shots(self) -> None:
        """The screenshots asked for before the first frame, now that one is drawn."""
        while self._shots_waiting:
            self._shots_waiting -= 1
            self._screenshot_action()

    def save_preset(self) -> Path:
        return save_new_preset(self.show.params.snapshot(), self.preset_dir)

    def _save_preset_action(self) -> None:
        try:
            self.show.message(f"saved preset {self.save_preset()}")
        except (OSError, ConfigError) as e:
            self.show.message(f"saving the preset failed: {e}", error=True)
