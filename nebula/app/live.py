"""A live session put together: the Show on a context, the inputs that play it (journal, OSC and
its feedback, MIDI), installation mode, and the loop that runs it until it ends.

`nebula run` calls ``play`` on an open window; the soak and the bench build the same Show with
``open_show`` and the same inputs with ``open_inputs``, so what they measure is what runs. The
command line only parses, opens the window and turns what ends a session into a status.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nebula.app.calibrate import Calibration
from nebula.app.pacing import DEFAULT_MAX_FPS
from nebula.app.show import Show
from nebula.config import ConfigError, Settings
from nebula.gallery.options import GalleryOptions
from nebula.wall.file import Tile

if TYPE_CHECKING:
    import moderngl

    from nebula.app.hotkeys import Hotkeys
    from nebula.app.window import LiveLoop, Window
    from nebula.control.midi import MidiInput
    from nebula.control.osc import OscProcess
    from nebula.listen.device import Listener
    from nebula.output.ndi import NdiOptions
    from nebula.output.ndi_feed import NdiOut
    from nebula.presets import Preset
    from nebula.web.process import WebProcess

#: Signals that end the live piece in order: the loop finishes its frame, releases the window
#: and exits 128 + the signal's number.
STOP_SIGNALS = (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)
#: Installation mode's journal moves on to a new file past this size (keeping JOURNAL_KEEP).
JOURNAL_MAX_BYTES = 64 * 2**20
JOURNAL_KEEP = 3


@dataclass(frozen=True)
class Inputs:
    """What plays the piece besides its hotkeys, and its journal; nothing unless asked."""

    journal: Path | None = None
    #: A UDP port for OSC (0: any free one), on ``osc_host``.
    osc: int | None = None
    osc_host: str = "127.0.0.1"
    #: ``HOST:PORT`` that every parameter change is sent to as OSC.
    osc_feedback: str | None = None
    midi: str | None = None
    midi_map: Path | None = None
    #: An input device to listen to (nebula.listen; "default": the system's), and its mapping.
    listen: str | None = None
    listen_map: Path | None = None
    #: A TCP port for the technician's page, its API and OSCQuery (nebula.web), on ``web_host``.
    web: int | None = None
    web_host: str = "127.0.0.1"
    #: Advertise the page's OSCQuery and the OSC port through zeroconf.
    advertise: bool = False


@dataclass(frozen=True)
class LiveOptions:
    """Everything about a live session but its window."""

    settings: Settings = field(default_factory=Settings)
    preset: Preset | None = None
    clock_offset: float = 0.0
    render_scale: float = 1.0
    shader_root: Path | None = None
    hotkeys: Hotkeys | None = None
    screenshot_dir: Path | None = None
    hud_visible: bool = True
    inputs: Inputs = Inputs()
    gallery: GalleryOptions = field(default_factory=GalleryOptions)
    exit_after: float | None = None
    max_fps: float = DEFAULT_MAX_FPS
    #: One tile of a wall's canvas to show (nebula.wall), or None for the whole frame; the wall
    #: file it came from (where a calibrated corner pin is written); the pattern at the start.
    tile: Tile | None = None
    wall: Path | None = None
    pattern: bool = False
    #: The picture published as an NDI source (nebula.output.ndi), or None.
    ndi: NdiOptions | None = None


class InputError(Exception):
    """An input that could not start (a port taken, a journal that exists, no MIDI port): the
    one line that says why. Nothing was left open."""


@dataclass
class Opened:
    """The inputs a session opened (None: not asked for)."""

    osc: OscProcess | None = None
    midi: MidiInput | None = None
    web: WebProcess | None = None
    listen: Listener | None = None


@dataclass(frozen=True)
class Ended:
    """How a session ended: its exit status, and what the command line says of it."""

    status: int
    #: Frames, seconds and rates (None when it crashed).
    summary: str | None
    #: The signal's name when one stopped it ("SIGTERM"), else None.
    stopped_by: str | None = None
    #: ``Type: message`` of the error that crashed the loop outside a frame.
    crash: str | None = None


def open_show(
    ctx: moderngl.Context,
    size: tuple[int, int],
    options: LiveOptions,
    *,
    screen: moderngl.Framebuffer | None = None,
    now_wall: float | None = None,
) -> Show:
    """The Show a session runs, on ``ctx`` (ShaderError, TargetSizeError)."""
    show = Show(
        ctx,
        size,
        options.settings,
        preset=options.preset,
        clock_offset=options.clock_offset,
        render_scale=options.render_scale,
        shader_root=options.shader_root,
        hotkeys=options.hotkeys,
        screenshot_dir=options.screenshot_dir,
        screen=screen,
        now_wall=now_wall,
        hud_visible=options.hud_visible,
        tile=options.tile,
    )
    if options.tile is not None and options.wall is not None:
        calibration = Calibration(show, options.wall, options.tile)
        show.handlers.update(calibration.handlers())
        if options.pattern:
            calibration.toggle()
    return show


@contextmanager
def open_inputs(
    show: Show, inputs: Inputs, *, installation: bool = False, hours: str | None = None
) -> Iterator[Opened]:
    """The session's journal, OSC server and feedback, and MIDI input, as asked, each hooked to
    ``show``; all closed after. InputError (with everything closed) when one cannot start.
    ``installation``: the journal moves on to a new file past JOURNAL_MAX_BYTES."""
    closers: list[Callable[[], None]] = []
    opened = Opened()
    try:
        try:
            if inputs.journal is not None:
                from nebula.app.session import SessionJournal

                rotate = JOURNAL_MAX_BYTES if installation else None
                journal = SessionJournal(show, inputs.journal, max_bytes=rotate, keep=JOURNAL_KEEP)
                closers.append(journal.close)
            if inputs.osc is not None:
                from nebula.control.osc import Feedback, OscProcess, parse_target

                if inputs.osc_feedback:
                    show.listeners.append(Feedback(*parse_target(inputs.osc_feedback)))
                opened.osc = OscProcess(
                    show.post, inputs.osc, host=inputs.osc_host, figures=show.settings.figures
                ).start()
                closers.append(opened.osc.close)
                show.status.append(opened.osc.summary)
                show.counts.append(opened.osc.counts)
            if inputs.web is not None:
                opened.web = _open_web(show, inputs, opened, closers, hours)
            if inputs.midi is not None:
                from nebula.control.midi import MidiInput, load_midi_map

                opened.midi = MidiInput(inputs.midi, load_midi_map(inputs.midi_map), show).start()
                closers.append(opened.midi.close)
                show.status.append(opened.midi.summary)
                show.counts.append(opened.midi.counts)
            if inputs.listen is not None:
                opened.listen = _open_listening(show, inputs.listen, inputs.listen_map)
                closers.append(opened.listen.close)
        except (ConfigError, FileExistsError) as e:
            raise InputError(str(e)) from None
        except OSError as e:  # the journal's folder unwritable or full: before the show starts
            raise InputError(
                f"--journal {inputs.journal}: cannot be written ({e.strerror or e})"
            ) from None
        yield opened
    finally:
        for close in reversed(closers):
            close()


def _open_listening(show: Show, device: str, mapping: Path | None) -> Listener:
    """The room heard from ``device``: its phrases and bands posted as events to ``show``,
    which tells it in turn of every event that moved a parameter (ConfigError)."""
    import time

    from nebula.listen.device import Listener
    from nebula.listen.ear import Ear
    from nebula.listen.mapping import load_listen_map

    ear = Ear(load_listen_map(mapping), show.post, lambda: show.wanted)
    show.listeners.append(lambda ev: ear.heard_event(ev, show.wanted, time.monotonic()))
    listener = Listener(device, ear)
    show.status.append(listener.status)
    return listener


#: Set by a supervisor (scripts/watchdog.py --web) that hosts the page itself: then the piece
#: only writes the page's feed, and the page stays up while the piece restarts.
HOSTED_ENV = "NEBULA_WEB_HOSTED"


def _open_web(
    show: Show,
    inputs: Inputs,
    opened: Opened,
    closers: list[Callable[[], None]],
    hours: str | None = None,
) -> WebProcess | None:
    """The page's server, its controls sent as OSC to the show's own OSC server (a private one
    on loopback when the session has none), and the feed it serves, written each frame."""
    from nebula.app.webfeed import ShowFeed
    from nebula.control.osc import OscProcess
    from nebula.gallery.options import state_dir
    from nebula.web.feed import Feed
    from nebula.web.process import WebProcess

    assert inputs.web is not None
    osc = opened.osc
    if osc is None:
        osc = OscProcess(show.post, 0, host="127.0.0.1", figures=show.settings.figures).start()
        closers.append(osc.close)
    folder = state_dir() / f"web-{inputs.web}"
    port = osc.address[1]
    feed = ShowFeed(show, Feed(folder), hours=hours, extra=lambda: {"osc_port": port})
    show.frame_listeners.append(feed)
    show.idle_listeners.append(feed.idle)  # closed for the night: no frames, still a status
    if os.environ.get(HOSTED_ENV):  # a supervisor serves the page, across the piece's restarts
        return None
    web = WebProcess(
        inputs.web,
        folder,
        state_dir(),
        port,
        host=inputs.web_host,
        figures=show.settings.figures,
        advertise=inputs.advertise,
    )
    closers.append(web.close)
    print(f"nebula run: page: {web.link}", flush=True)
    return web


def play(window: Window, options: LiveOptions) -> Ended:
    """The piece in an open window until it ends. Raises ShaderError or TargetSizeError when the
    show cannot open, InputError when an input cannot start, and ShowExit (nebula.gallery.faults)
    when faults end it; the window stays the caller's to close."""
    from nebula.app.hotkeys import load_hotkeys
    from nebula.app.window import LiveLoop
    from nebula.gallery.installation import start_installation

    show = open_show(window.ctx, window.size, options, screen=window.screen)
    ndi: NdiOut | None = None
    try:
        if options.ndi is not None:
            ndi = open_ndi(show, options.ndi, window.size, ndi_rate(options))
        gallery = options.gallery
        hours = str(gallery.hours) if gallery.hours else None
        with open_inputs(show, options.inputs, installation=gallery.installation, hours=hours):
            installation = start_installation(show, gallery)
            loop = LiveLoop(
                window,
                show,
                options.hotkeys or load_hotkeys(),
                options.exit_after,
                installation,
                max_fps=options.max_fps,
            )
            return run_loop(loop)
    finally:
        if ndi is not None:
            ndi.close()
        show.release()


def ndi_rate(options: LiveOptions) -> float:
    """The frame rate an NDI source says it has: the installation's target, else a display's
    60 (the window's swap paces it), or the frame ceiling where that is lower."""
    rate = options.gallery.target_fps or 60.0
    return min(rate, options.max_fps) if options.max_fps else rate


def open_ndi(show: Show, opts: NdiOptions, window: tuple[int, int], fps: float) -> NdiOut:
    """The show's clean picture (no HUD) as an NDI source: at ``opts.size``, or the size the
    show starts at (the window's, or its tile's), which it keeps if the window is resized."""
    from nebula.output.ndi import ndi_size
    from nebula.output.ndi_feed import NdiOut

    picture = show.piece.size if show.tile is not None else window
    ndi = NdiOut(
        show.ctx,
        opts.name,
        opts.size or ndi_size(picture),
        fps,
        alpha=opts.alpha,
        shader_root=show.shader_root,
    )
    show.taps.append(ndi)
    show.status.append(ndi.status.line)
    return ndi


def run_loop(loop: LiveLoop) -> Ended:
    """Run the loop with the piece's own signal handlers and log why it ended. The status: 0
    for a deliberate end, 128 + N for signal N (143 for SIGTERM), 70 for a crash. Under the
    watchdog every one but 0 is restarted (see scripts/watchdog.py)."""
    from nebula.gallery.faults import EXIT_FAULT, ShowExit

    inst = loop.installation
    log = inst.log if inst is not None else None

    def on_signal(signum: int, _frame: object) -> None:
        loop.stop_for_signal(signum)

    previous = {s: signal.signal(s, on_signal) for s in STOP_SIGNALS}
    try:
        code = loop.run()
    except ShowExit as e:  # repeated faults or a lost context: already logged with the cause
        if log is not None:
            log.info("exiting: status %s", e.code)
        raise
    except Exception as e:
        if log is not None:
            log.critical("crashed outside a frame: status %d", EXIT_FAULT, exc_info=e)
        return Ended(EXIT_FAULT, None, crash=f"{type(e).__name__}: {e}")
    finally:
        if loop.signal is None:  # after a stop signal, later ones only set the flag again
            for s, h in previous.items():
                signal.signal(s, h)
    if log is not None:
        log.info("exiting: %s (status %d)", loop.stop_reason, code)
    stopped = loop.stop_reason if loop.signal is not None else None
    return Ended(code, loop.summary(), stopped_by=stopped)
