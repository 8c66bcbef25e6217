"""The live piece's per-frame work, without a window: clock, parameter glide, world, render, HUD.

``Show`` is what the window drives and what a headless soak drives (with an EGL context and no
window): ``frame(now_wall)`` does a whole frame from a wall-clock reading, and ``do(name)`` is
the one door every hotkey action goes through, so installation mode can filter them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import moderngl
import numpy as np

from nebula.app.hotkeys import ACTIONS, Hotkeys, load_hotkeys, parse_param_action
from nebula.app.hud import Hud, Line, Presenter
from nebula.clock import RealtimeClock
from nebula.config import (
    PARAM_SPECS,
    ConfigError,
    Params,
    Preset,
    Settings,
    load_preset,
    save_new_preset,
    shipped_presets_dir,
    user_presets_dir,
)
from nebula.output.png import create_png
from nebula.piece import Piece
from nebula.render.context import TargetSizeError
from nebula.render.shaders import ShaderError
from nebula.resources import shaders_dir

SHADER_POLL_SECONDS = 0.5
HUD_REFRESH_SECONDS = 0.25
MESSAGE_SECONDS = 6.0
MAX_MESSAGES = 5
#: Longest wall-clock gap one frame may glide parameters over (a stall must not snap values).
MAX_FRAME_DT = 0.25

ERROR_COLOR = (255, 150, 140)
NOTE_COLOR = (200, 230, 255)
DIM_COLOR = (170, 160, 190)


@dataclass
class Message:
    text: str
    until: float
    error: bool = False


def key_label(chord_text: str) -> str:
    """How the HUD names a chord: "s" -> "s", "shift+s" -> "S", "ctrl+s" -> "Ctrl+S"."""
    *mods, key = chord_text.split("+") if chord_text != "+" else ["+"]
    if mods == ["shift"] and len(key) == 1 and key.isalpha():
        return key.upper()  # the shifted letter is how it is typed
    label = key if not mods and len(key) == 1 else key.capitalize()
    return "+".join([*(m.capitalize() for m in mods), label])


def render_size(window: tuple[int, int], scale: float) -> tuple[int, int]:
    return max(1, round(window[0] * scale)), max(1, round(window[1] * scale))


def preset_slots(user_dir: Path | None = None) -> list[Path]:
    """The presets keys 1-9 load: the shipped names (sorted), then the user's own (sorted).

    A user preset with a shipped name takes that name's slot, as it does for --preset.
    """
    user_dir = user_dir or user_presets_dir()
    shipped = sorted(p.stem for p in shipped_presets_dir().glob("*.toml"))
    mine = sorted(p.stem for p in user_dir.glob("*.toml")) if user_dir.is_dir() else []

    def path(stem: str) -> Path:
        own = user_dir / f"{stem}.toml"
        return own if own.is_file() else shipped_presets_dir() / f"{stem}.toml"

    return [path(n) for n in shipped] + [user_dir / f"{n}.toml" for n in mine if n not in shipped]


class Show:
    """One running piece on one GL context.

    ``screen`` is where ``frame`` presents (the window's framebuffer); None renders without
    presenting (a soak measuring the piece alone). Time comes only from ``now_wall`` readings.
    """

    def __init__(
        self,
        ctx: moderngl.Context,
        window_size: tuple[int, int],
        settings: Settings | None = None,
        *,
        preset: Preset | None = None,
        clock_offset: float = 0.0,
        render_scale: float = 1.0,
        shader_root: Path | None = None,
        hotkeys: Hotkeys | None = None,
        screenshot_dir: Path | None = None,
        preset_dir: Path | None = None,
        screen: moderngl.Framebuffer | None = None,
        now_wall: float | None = None,
        hud_visible: bool = True,
    ) -> None:
        self.ctx = ctx
        self.settings = settings or Settings()
        self.window_size = window_size
        self.render_scale = render_scale
        self.screen = screen
        self.hotkeys = hotkeys or load_hotkeys()
        self.screenshot_dir = screenshot_dir or Path.cwd()
        self.preset_dir = preset_dir or user_presets_dir()
        self.params = Params()
        self.preset_name = "defaults"
        if preset is not None:
            self._apply_preset(preset, immediate=True)
        self._wall = time.perf_counter() if now_wall is None else now_wall
        self.clock = RealtimeClock(clock_offset, now=lambda: self._wall)
        shader_root = shader_root or shaders_dir()  # one folder for the frame and the HUD
        # The same Piece a still or a recording draws, on the window's context, gliding params.
        self.piece = Piece(
            self.settings,
            self.params,
            render_size(window_size, render_scale),
            ctx=ctx,
            shader_root=shader_root,
        )
        self.world = self.piece.world
        self.renderer = self.piece.renderer
        self.presenter: Presenter | None = None
        self.hud: Hud | None = None
        self._released = False
        try:
            self.presenter = Presenter(ctx, shader_root)
            self.hud = Hud(ctx)
        except BaseException:
            self.release()
            raise
        self.hud_visible = hud_visible
        #: Multiplies the presented frame (1 = as rendered, 0 = black): fades for opening hours.
        self.master = 1.0
        self.running = True
        self.frames = 0
        self.time = self.clock.time
        self.fps = 0.0
        self.frame_ms = 0.0
        self._frame_dts = np.zeros(60, dtype=np.float64)  # the last second or so, for fps
        self._dt_samples = 0
        self.messages: list[Message] = []
        self.shader_errors: list[ShaderError] = []
        self._next_poll = self._wall + SHADER_POLL_SECONDS
        self._next_hud = self._wall
        self._hud_dirty = True
        #: Decides whether an action may run (installation mode turns most keys off).
        self.action_filter: Callable[[str], bool] = lambda name: True
        #: Action name -> handler. The window adds "fullscreen" and may wrap "quit".
        self.handlers: dict[str, Callable[[], None]] = {
            "share": self.share,
            "pause": self.toggle_pause,
            "step": self.step,
            "reset": self.reset,
            "toggle_hud": self.toggle_hud,
            "fullscreen": lambda: self.message("fullscreen needs a window"),
            "screenshot": self._screenshot_action,
            "save_preset": self._save_preset_action,
            "quit": self.quit,
            **{f"preset_{i}": self._slot_action(i) for i in range(1, 10)},
        }

    # ------------------------------------------------------------------ the frame

    def frame(self, now_wall: float) -> moderngl.Framebuffer:
        """One whole frame at wall-clock time ``now_wall`` (seconds, any monotonic origin)."""
        raw_dt = max(0.0, now_wall - self._wall)
        self._wall = max(self._wall, now_wall)
        if self.frames > 0:  # frame-to-frame times start with the second frame
            n = self._dt_samples
            self._frame_dts[n % len(self._frame_dts)] = raw_dt
            self._dt_samples = n + 1
            mean = float(self._frame_dts[: min(n + 1, len(self._frame_dts))].mean())
            self.fps = 1.0 / mean if mean > 0 else 0.0
            self.frame_ms = raw_dt * 1000.0
        self.params.update(min(MAX_FRAME_DT, raw_dt))
        self.clock.set_scale(self.params["time_scale"])
        self.time = self.clock.time
        out = self.piece.draw(self.time)
        if self._wall >= self._next_poll:
            self._next_poll = self._wall + SHADER_POLL_SECONDS
            self.poll_shaders()
        if self._hud_dirty or self._wall >= self._next_hud:
            self._next_hud = self._wall + HUD_REFRESH_SECONDS
            self._hud_dirty = False
            self._refresh_hud()
        if self.screen is not None:
            self.present(self.screen, self.window_size)
        self.frames += 1
        return out

    def present(self, target: moderngl.Framebuffer, size: tuple[int, int]) -> None:
        """The rendered frame scaled to ``size``, then the HUD over it."""
        assert self.presenter is not None and self.hud is not None
        target.use()
        self.ctx.viewport = (0, 0, *size)
        self.ctx.disable(moderngl.DEPTH_TEST | moderngl.CULL_FACE)
        if self.master < 1.0:
            target.clear(0.0, 0.0, 0.0, 1.0)
        self.presenter.draw(
            self.renderer.output_tex, opacity=max(0.0, self.master), blend=self.master < 1.0
        )
        self.hud.draw(self.presenter, size)

    def poll_shaders(self) -> list[ShaderError]:
        assert self.presenter is not None
        errors = self.renderer.poll_shaders()
        self.presenter.program.poll()
        if self.presenter.program.error is not None:
            errors.append(self.presenter.program.error)
        if self.shader_errors and not errors:
            self.message("shaders reloaded: all compile again")
        self.shader_errors = errors
        return errors

    # ------------------------------------------------------------------ sizes

    def resize(self, window_size: tuple[int, int]) -> None:
        self.window_size = window_size
        try:
            self.piece.resize(render_size(window_size, self.render_scale))
        except TargetSizeError as e:  # the show goes on at the size it had
            self.message(str(e), error=True)

    def set_render_scale(self, scale: float) -> None:
        """Internal render resolution as a share of the window (upscaled when presented)."""
        if not (0.0 < scale <= 4.0 and math.isfinite(scale)):
            raise ValueError(f"render scale must be in (0, 4] (got {scale})")
        self.render_scale = scale
        self.resize(self.window_size)

    # ------------------------------------------------------------------ actions

    def do(self, action: str) -> bool:
        """Carry out a named action (a hotkey's); False when it is filtered out or unknown."""
        if not self.action_filter(action):
            return False
        self._hud_dirty = True
        step = parse_param_action(action)
        if step is not None:
            self.params.nudge(*step)
            return True
        handler = self.handlers.get(action)
        if handler is None:
            self.message(f"unknown action {action!r}", error=True)
            return False
        handler()
        return True

    def share(self) -> None:
        self.world.request_share()
        self.message("the dreamer shares")

    def toggle_pause(self) -> None:
        self.clock.set_paused(not self.clock.paused)

    def step(self) -> None:
        if self.clock.paused:
            self.clock.step(self.world.dt)
        else:
            self.message("step ( . ) works while paused ( P )")

    def reset(self) -> None:
        self.params.reset()
        self.preset_name = "defaults"
        self.message("parameters reset to defaults")

    def toggle_hud(self) -> None:
        self.hud_visible = not self.hud_visible

    def quit(self) -> None:
        self.running = False

    def screenshot(self) -> Path:
        """Save the current frame as the next free nebula-NNNN.png; never overwrites, and a
        failure (a full disk) leaves no file behind."""
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        names = (self.screenshot_dir / f"nebula-{i:04d}.png" for i in range(1, 1_000_000))
        try:
            return create_png(names, self.renderer.read())
        except FileExistsError:
            raise OSError(f"no free screenshot name left in {self.screenshot_dir}") from None

    def _screenshot_action(self) -> None:
        try:
            self.message(f"screenshot {self.screenshot()}")
        except OSError as e:
            self.message(f"screenshot failed: {e}", error=True)

    def save_preset(self) -> Path:
        return save_new_preset(self.params.snapshot(), self.preset_dir)

    def _save_preset_action(self) -> None:
        try:
            self.message(f"saved preset {self.save_preset()}")
        except (OSError, ConfigError) as e:
            self.message(f"saving the preset failed: {e}", error=True)

    def _slot_action(self, slot: int) -> Callable[[], None]:
        def load_slot() -> None:
            slots = preset_slots(self.preset_dir)
            if slot > len(slots):
                self.message(f"no preset on key {slot} ({len(slots)} presets)", error=True)
                return
            self.load_preset(str(slots[slot - 1]))

        return load_slot

    def load_preset(self, name_or_path: str) -> bool:
        """Load a preset (gliding to it). A bad one is refused: the piece keeps its look."""
        try:
            preset = load_preset(name_or_path)
        except ConfigError as e:
            self.message(f"preset refused: {e}", error=True)
            return False
        self._apply_preset(preset)
        self.message(f"preset {preset.name}")
        return True

    def _apply_preset(self, preset: Preset, *, immediate: bool = False) -> None:
        # A preset is a whole look: parameters it leaves out return to their defaults.
        values = {s.name: s.default for s in PARAM_SPECS} | preset.params
        self.params.apply(values, immediate=immediate)
        self.preset_name = preset.name

    # ------------------------------------------------------------------ HUD

    def message(self, text: str, *, error: bool = False, seconds: float = MESSAGE_SECONDS) -> None:
        self.messages.append(Message(text, self._wall + seconds, error))
        del self.messages[:-MAX_MESSAGES]
        self._hud_dirty = True

    def hud_lines(self) -> list[Line]:
        self.messages = [m for m in self.messages if m.until > self._wall]
        lines: list[Line] = [Line(f"shader error: {e}", ERROR_COLOR) for e in self.shader_errors]
        lines += [Line(m.text, ERROR_COLOR if m.error else NOTE_COLOR) for m in self.messages]
        if not self.hud_visible:
            return lines
        w, h = self.renderer.size
        head = [
            Line(
                f"nebula  {self.fps:5.1f} fps  {self.frame_ms:5.1f} ms  render {w}x{h}"
                f"  preset {self.preset_name}"
            ),
            Line(
                f"t {self.time:9.1f} s  cycle {self.world.cycle}"
                f"  {self.world.phase.name.lower():<9}"
                f" {self.world.cycle_t:6.1f} / {self.settings.cycle_seconds:g} s"
                f"  threads {self.world.web.count}" + ("  PAUSED" if self.clock.paused else "")
            ),
        ]
        keys = self.hotkeys
        rows = []
        for s in PARAM_SPECS:
            pair = " ".join(
                key_label(k)
                for k in (*keys.keys_for(f"down:{s.name}"), *keys.keys_for(f"up:{s.name}"))
            )
            gliding = " ~" if self.params.values[s.name] != self.params.targets[s.name] else ""
            value = f"{self.params[s.name]:.2f}{gliding}"
            rows.append(Line(f"{pair}\t{s.name.replace('_', ' ')}\t{value}", DIM_COLOR))
        acts = [
            f"{'/'.join(key_label(k) for k in keys.keys_for(a))} {a.replace('_', ' ')}"
            for a in ACTIONS
            if not a.startswith("preset_")
        ]
        acts.append("1-9 presets")
        tail = [Line("   ".join(acts[i : i + 5]), DIM_COLOR) for i in range(0, len(acts), 5)]
        return lines + head + rows + tail

    def _refresh_hud(self) -> None:
        assert self.hud is not None
        self.hud.set_lines(self.hud_lines())

    # ------------------------------------------------------------------ teardown

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        # Unbind our framebuffers first: moderngl rebinds the last-bound one whenever it makes
        # a framebuffer, and a deleted one there is a GL error for whoever draws next.
        (self.screen or self.ctx.detect_framebuffer(0)).use()
        if self.hud is not None:
            self.hud.release()
            self.hud = None
        if self.presenter is not None:
            self.presenter.release()
            self.presenter = None
        self.piece.close()  # the renderer; the window owns the context
