"""The live piece's per-frame work, without a window: clock, parameter glide, world, render, HUD.

``Show`` is what the window drives and what a headless soak drives (with an EGL context and no
window): ``frame(now_wall)`` does a whole frame from a wall-clock reading, and ``apply(event)``
is the one door every input goes through: a hotkey (``do(name)`` makes its event, see
nebula.app.actions), an OSC message or a MIDI control (``post(event)`` from their threads, into
an inbox the next frame empties). Changes to the picture take effect on the next simulation
step (nebula.control.timeline), so a journal of them replays exactly; while the clock stands,
nebula.app.preview shows them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import moderngl

from nebula.app.actions import Actions
from nebula.app.hotkeys import Hotkeys, load_hotkeys
from nebula.app.hud import Hud, Line, Presenter
from nebula.app.preview import Preview
from nebula.app.status import (
    ERROR_COLOR,
    MESSAGE_SECONDS,
    FrameMeter,
    Message,
    Messages,
    action_lines,
    param_lines,
)
from nebula.clock import RealtimeClock
from nebula.config import Params, Settings
from nebula.control import events
from nebula.control.events import CLOCK_PARAMS, Event, EventError, check, preset_values
from nebula.control.inbox import Inbox
from nebula.piece import Piece, Tap
from nebula.presets import Preset, user_presets_dir
from nebula.render.context import TargetSizeError
from nebula.render.shaders import ShaderError
from nebula.render.tile import render_size
from nebula.resources import shaders_dir
from nebula.wall.file import Tile

SHADER_POLL_SECONDS = 0.5
HUD_REFRESH_SECONDS = 0.25
#: Longest wall-clock gap one frame of the standing clock's preview glides over.
MAX_PREVIEW_DT = 0.25
#: Events from other threads (OSC, MIDI) one frame applies at most; the rest wait a frame.
EVENTS_PER_FRAME = 256


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
        tile: Tile | None = None,
    ) -> None:
        self.ctx = ctx
        self.tile = tile
        self.settings = settings or Settings()
        self.window_size = window_size
        self.render_scale = render_scale
        self.screen = screen
        self.hotkeys = hotkeys or load_hotkeys()
        self.params = Params()
        self.preset_name = "defaults"
        if preset is not None:  # the start: not an event (the journal's header holds it)
            self.params.apply(preset_values(preset), immediate=True)
            self.preset_name = preset.name
        #: The parameters' targets once every event sent is applied (nudges step from here).
        self.wanted = dict(self.params.targets)
        self._wall = time.perf_counter() if now_wall is None else now_wall
        self.clock = RealtimeClock(clock_offset, now=lambda: self._wall)
        shader_root = shader_root or shaders_dir()  # one folder for the frame and the HUD
        self.shader_root = shader_root
        # The same Piece a still or a recording draws, on the window's context, gliding params.
        self.piece = Piece(
            self.settings,
            self.params,
            render_size(window_size, render_scale, tile),
            ctx=ctx,
            shader_root=shader_root,
            tile=tile,
        )
        self.world = self.piece.world
        self.renderer = self.piece.renderer
        self.timeline = self.piece.timeline
        # Stand on the start's step before any event is stamped after it.
        self.timeline.advance_to(self.clock.time)
        self._released = False
        self._open_hud(shader_root)
        self.hud_visible = hud_visible
        #: Multiplies the presented frame (1 = as rendered, 0 = black): fades for opening hours.
        self.master = 1.0
        self.running = True
        self.frames = 0
        self.time = self.clock.time
        self.meter = FrameMeter()
        self._messages = Messages()
        self.shader_errors: list[ShaderError] = []
        self._next_poll = self._wall + SHADER_POLL_SECONDS
        self._next_hud = self._wall
        self._hud_dirty = True
        self._sample_readouts()
        #: Decides whether an action may run (installation mode turns most keys off).
        self.action_filter: Callable[[str], bool] = lambda name: True
        self.actions = Actions(self, screenshot_dir or Path.cwd(), preset_dir or user_presets_dir())
        #: Action name -> handler. The window adds "fullscreen" and may wrap "quit".
        self.handlers = self.actions.handlers()
        #: Called with every event applied, stamped: the journal, OSC and MIDI feedback.
        self.listeners: list[Callable[[Event], None]] = []
        #: MIDI learn's hook: a parameter key pressed; True when it completed a learn.
        self.learn: Callable[[str], bool] | None = None
        #: One line each for the HUD: the inputs playing the piece (OSC, MIDI) and their counts.
        self.status: list[Callable[[], str]] = []
        #: The same counts by name, for installation mode's minute report.
        self.counts: list[Callable[[], dict[str, int]]] = []
        #: Called once a frame after drawing, with the frame's piece time (the journal).
        self.frame_listeners: list[Callable[[float], None]] = []
        #: What takes each frame's clean picture elsewhere (NDI), before the HUD goes over it.
        self.taps: list[Tap] = []
        #: Called with the wall clock while an installation is closed and draws no frames.
        self.idle_listeners: list[Callable[[float], None]] = []
        #: Events posted from other threads, applied at the start of the next frame.
        self.inbox = Inbox()
        #: While the clock stands: the parameters the frames show.
        self.preview = Preview(self)
        self.drew_preview = False

    def _open_hud(self, shader_root: Path) -> None:
        self.presenter: Presenter | None = None  # release() frees whichever was made
        self.hud: Hud | None = None
        try:
            self.presenter = Presenter(self.ctx, shader_root)
            self.hud = Hud(self.ctx)
        except BaseException:
            self.release()
            raise

    @property
    def fps(self) -> float:
        return self.meter.fps

    @property
    def frame_ms(self) -> float:
        return self.meter.frame_ms

    @property
    def messages(self) -> list[Message]:
        return self._messages.items

    # ------------------------------------------------------------------ the frame

    def frame(self, now_wall: float) -> moderngl.Framebuffer:
        """One whole frame at wall-clock time ``now_wall`` (seconds, any monotonic origin)."""
        raw_dt = max(0.0, now_wall - self._wall)
        self._wall = max(self._wall, now_wall)
        if self.frames > 0:  # frame-to-frame times start with the second frame
            self.meter.add(raw_dt)
        self._apply_posted()
        self.clock.set_scale(self.params["time_scale"])
        self.time = self.clock.time
        preview = self.preview.values(min(raw_dt, MAX_PREVIEW_DT))
        # Straight into the window when it shows the frame as it is: no copy every frame.
        direct = self.screen is not None and self._shows_as_is(self.window_size)
        out = self.piece.draw(self.time, output=self.screen if direct else None, params=preview)
        #: This frame showed the standing clock's preview (no replay draws it).
        self.drew_preview = preview is not None
        self.preview.drawn()
        for tap in self.taps:
            tap(self.piece, out)
        if self._wall >= self._next_poll:
            self._next_poll = self._wall + SHADER_POLL_SECONDS
            self.poll_shaders()
        if self._wall >= self._next_hud:
            self._next_hud = self._wall + HUD_REFRESH_SECONDS
            self._sample_readouts()
            self._hud_dirty = True
        if self._hud_dirty:
            self._hud_dirty = False
            self._refresh_hud()
        if self.screen is not None:
            self.present(self.screen, self.window_size, drawn=direct)
        self.frames += 1
        self.actions.take_waiting_shots()
        for listener in self.frame_listeners:
            listener(self.time)
        return out

    def present(
        self, target: moderngl.Framebuffer, size: tuple[int, int], drawn: bool = False
    ) -> None:
        """The rendered frame scaled to ``size`` (unless it was ``drawn`` straight into
        ``target``), then the HUD over it."""
        assert self.presenter is not None and self.hud is not None
        target.use()
        self.ctx.viewport = (0, 0, *size)
        self.ctx.disable(moderngl.DEPTH_TEST | moderngl.CULL_FACE)
        if not drawn:
            if self.master < 1.0:
                target.clear(0.0, 0.0, 0.0, 1.0)
            self.presenter.draw(
                self.piece.output_tex, opacity=max(0.0, self.master), blend=self.master < 1.0
            )
        self.hud.draw(self.presenter, size)

    def _shows_as_is(self, size: tuple[int, int]) -> bool:
        """The frame fills a window of ``size`` unscaled and at full brightness, and no tap
        reads it from the piece's own texture."""
        as_is = self.master >= 1.0 and self.piece.draw_size == tuple(size)
        return as_is and not any(tap.needs_texture(self.piece, size) for tap in self.taps)

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
            self.piece.resize(render_size(window_size, self.render_scale, self.tile))
        except TargetSizeError as e:  # the show goes on at the size it had
            self.message(str(e), error=True)

    def set_render_scale(self, scale: float) -> None:
        """Internal render resolution as a share of the window (upscaled when presented)."""
        if not (0.0 < scale <= 4.0 and math.isfinite(scale)):
            raise ValueError(f"render scale must be in (0, 4] (got {scale})")
        self.render_scale = scale
        self.resize(self.window_size)

    # ------------------------------------------------------------------ actions

    def do(self, action: str, source: str = "key") -> bool:
        """Carry out a named action (a hotkey's) as an event (nebula.app.actions); False when
        it is filtered out, unknown or refused."""
        return self.actions.do(action, source)

    def post(self, event: Event) -> bool:
        """Hand an event over from another thread (OSC, MIDI): the next frame applies it. A
        parameter's newer value from the same source replaces one still waiting (a fader sends
        far more often than frames come). False when the inbox is full (a flood): the event is
        dropped and counted."""
        return self.inbox.post(event)

    def _apply_posted(self) -> None:
        for ev in self.inbox.take(EVENTS_PER_FRAME):
            self.apply(ev)

    def apply(self, event: Event) -> bool:
        """The one door: every key, OSC message and MIDI control is applied here, and nothing
        reaches the parameters another way. A change to the picture takes effect on the next
        simulation step; an action on the session (pause, screenshot, ...) at once. Every
        applied event reaches the listeners stamped. False when it is refused (with a
        message)."""
        try:
            check(event, self.settings.figures)
        except EventError as e:
            self.message(f"{event.source}: {e}", error=True)
            return False
        self._hud_dirty = True
        slot = event.target.removeprefix("preset_")
        if slot != event.target and slot.isdigit():  # a key's slot (1-9): the preset it names
            return self.actions.load_slot(int(slot), event.source)
        if event.changes_state:
            stamped = self.timeline.submit(event, self.time)
            self._want(stamped)
        else:
            handler = self.handlers.get(event.target)
            name = event.param
            if name is None and handler is None:
                self.message(f"unknown action {event.target!r}", error=True)
                return False
            stamped = event.stamped(self.world.index + 1, self.time)
            if name is not None:  # a clock parameter: the clock follows it at once
                assert isinstance(stamped.value, float) and name in CLOCK_PARAMS
                self.params.set(name, stamped.value)
                self.wanted[name] = stamped.value
            else:
                assert handler is not None
                handler()
        for listener in self.listeners:
            listener(stamped)
        return True

    def _want(self, ev: Event) -> None:
        """The targets once ``ev`` is applied. Clock parameters change at once: a frozen clock
        would never reach the step a preset's time_scale waits for."""
        after = events.targets_after(ev, self.wanted)
        if after is None:
            return
        self.wanted, preset = after
        if preset is not None:  # a preset or a reset
            self.preset_name = preset
            for clock in CLOCK_PARAMS:
                self.params.set(clock, self.wanted[clock])

    # ------------------------------------------------------------------ the clock

    @property
    def shown(self) -> dict[str, float]:
        """The parameter values the frames show now (the preview's while the clock stands)."""
        return self.preview.shown

    @property
    def frozen(self) -> bool:
        """The piece's clock stands (paused, or time_scale 0): no step comes to apply a change."""
        return self.clock.paused or self.params["time_scale"] <= 0.0

    # ------------------------------------------------------------------ HUD

    def message(self, text: str, *, error: bool = False, seconds: float = MESSAGE_SECONDS) -> None:
        self._messages.add(text, self._wall, error=error, seconds=seconds)
        self._hud_dirty = True

    def hud_lines(self) -> list[Line]:
        lines = [Line(f"shader error: {e}", ERROR_COLOR) for e in self.shader_errors]
        lines += self._messages.lines(self._wall)
        if not self.hud_visible:
            return lines
        w, h = self.renderer.size
        rate, clock = self._readouts
        head = [
            Line(f"nebula  {rate}  render {w}x{h}  preset {self.preset_name}"),
            Line(clock + ("  PAUSED" if self.clock.paused else "")),
        ]
        return (
            lines
            + head
            + [Line(line()) for line in self.status]
            + param_lines(self.shown, self.wanted, self.hotkeys)
            + action_lines(self.hotkeys)
        )

    def _sample_readouts(self) -> None:
        """The HUD's running figures (the rate, the piece's time), read every
        HUD_REFRESH_SECONDS: an event's refresh between two reads redraws the rows the event
        changed, not these two as well (a fader moving every frame would have them drawn anew
        every frame, most of the HUD's cost)."""
        world = self.world
        self._readouts = (
            f"{self.fps:5.1f} fps  {self.frame_ms:5.1f} ms",
            f"t {self.time:9.1f} s  cycle {world.cycle}  {world.phase.name.lower():<9}"
            f" {world.cycle_t:6.1f} / {self.settings.cycle_seconds:g} s"
            f"  threads {world.web.count}",
        )

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
