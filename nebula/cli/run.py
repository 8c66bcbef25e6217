"""`nebula run` (the default command): the live piece in a window."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nebula.app.pacing import DEFAULT_MAX_FPS
from nebula.cli.args import (
    UsageError,
    add_common,
    add_ndi,
    add_wall,
    fail,
    load_preset_arg,
    log_to_stderr,
    ndi_from_args,
    non_negative_seconds,
    parse_size,
    settings_from_args,
    size_source,
    tile_from_args,
)
from nebula.resources import SHADERS_ENV

if TYPE_CHECKING:
    from nebula.app.live import Inputs
    from nebula.gallery.options import GalleryOptions
    from nebula.presets import Preset


def add_parser(sub: Any) -> None:
    p = sub.add_parser("run", help="open the piece in a window (the default command)")
    p.add_argument(
        "--size", default=None, metavar="WxH", help="window size (default 1280x720; a tile's own)"
    )
    p.add_argument("--fullscreen", action="store_true", help="start fullscreen (F11 toggles)")
    p.add_argument(
        "--display", type=int, default=0, metavar="N", help="which display (see `nebula displays`)"
    )
    p.add_argument(
        "--span",
        metavar="N,M,...",
        help="one borderless window over these displays; --wall's canvas (or a --tile) covers it",
    )
    p.add_argument(
        "--exit-after",
        type=non_negative_seconds,
        default=None,
        metavar="SECONDS",
        help="quit (status 0) after this long: timed shows and tests",
    )
    p.add_argument(
        "--render-scale",
        type=float,
        default=1.0,
        metavar="F",
        help="render at this share of the window size, upscaled (default 1)",
    )
    p.add_argument("--no-vsync", action="store_true", help="do not sync frames to the display")
    p.add_argument(
        "--max-fps",
        type=float,
        default=DEFAULT_MAX_FPS,
        metavar="F",
        help=f"frame-rate ceiling for when vsync does not hold (default {DEFAULT_MAX_FPS:g}; "
        "0: none)",
    )
    p.add_argument(
        "--no-hud", action="store_true", help="start with the HUD hidden (H or Tab shows it)"
    )
    p.add_argument(
        "--screenshot-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where F12 writes nebula-NNNN.png (default: the current folder)",
    )
    p.add_argument(
        "--shaders",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"shader folder to load and watch (default ${SHADERS_ENV} or shaders/)",
    )
    play = p.add_argument_group("playing it (OSC, MIDI) and its journal")
    play.add_argument(
        "--osc",
        type=int,
        default=None,
        metavar="PORT",
        help="take OSC messages on this UDP port, on 127.0.0.1 only (see --osc-host)",
    )
    play.add_argument(
        "--web",
        type=int,
        metavar="PORT",
        help="the technician's page, its JSON API and OSCQuery on this TCP port (loopback)",
    )
    play.add_argument(
        "--web-host",
        default="127.0.0.1",
        metavar="ADDR",
        help="serve the page on this address instead (then every request needs the token)",
    )
    play.add_argument(
        "--advertise",
        action="store_true",
        help="with --web: announce its OSCQuery and the OSC port through zeroconf",
    )
    play.add_argument(
        "--osc-host",
        default="127.0.0.1",
        metavar="ADDR",
        help="listen for OSC on this address instead: 0.0.0.0 lets any machine that reaches "
        "this one play the piece",
    )
    play.add_argument(
        "--osc-feedback",
        default=None,
        metavar="HOST:PORT",
        help="send every parameter change there as OSC, whatever its source",
    )
    play.add_argument(
        "--midi",
        default=None,
        metavar="NAME",
        help="play from this MIDI input (see `nebula midi-ports`); a part of the name will do",
    )
    play.add_argument(
        "--midi-map",
        type=Path,
        default=None,
        metavar="FILE",
        help="MIDI mapping (default: your config folder's midi.toml, else the shipped one)",
    )
    play.add_argument(
        "--listen",
        nargs="?",
        const="default",
        metavar="DEVICE",
        help="listen to the room (see `nebula audio-devices`; default: the system's input)",
    )
    play.add_argument(
        "--listen-map",
        type=Path,
        metavar="FILE",
        help="listening mapping (default: your config folder's listen.toml, else the shipped one)",
    )
    play.add_argument(
        "--journal",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the session (every event, and frame signatures) to this new file, to "
        "re-render it with `nebula record --journal FILE`",
    )
    add_common(p)
    add_wall(p)
    add_ndi(p)
    p.add_argument(
        "--follow",
        metavar="HOST:PORT",
        help="show --tile of a wall led by `nebula wall lead` there, frame-locked",
    )
    p.add_argument(
        "--pattern",
        action="store_true",
        help="start with the wall's calibration pattern instead of the piece (Ctrl+P toggles)",
    )
    from nebula.gallery.options import add_options

    add_options(p)  # --installation, --hours, --target-fps, ... (nebula.gallery)
    p.set_defaults(func=cmd_run)


def shader_root(arg: Path | None) -> Path:
    from nebula.resources import shaders_dir

    return arg.expanduser() if arg else shaders_dir()


def _check_options(args: argparse.Namespace) -> None:
    """Refuse impossible window options before anything opens."""
    if not (0.05 <= args.render_scale <= 4.0):
        raise UsageError(f"--render-scale {args.render_scale:g} must be between 0.05 and 4")
    if not (args.max_fps == 0 or 1 <= args.max_fps <= 10_000):
        raise UsageError(f"--max-fps {args.max_fps:g} must be 0 (no ceiling) or 1 to 10000")
    if args.display < 0:
        raise UsageError(f"--display {args.display} must be 0 or more (see `nebula displays`)")
    if args.screenshot_dir is not None:
        shots = args.screenshot_dir.expanduser()
        if shots.exists() and not shots.is_dir():
            raise UsageError(f"--screenshot-dir {str(shots)!r} is a file, not a folder")
    if args.web is not None and not 1 <= args.web <= 65535:
        raise UsageError(f"--web {args.web}: a TCP port is 1 to 65535")
    if args.web is None and (args.web_host != "127.0.0.1" or args.advertise):
        raise UsageError("--web-host and --advertise need --web PORT")
    if args.osc is not None and not 1 <= args.osc <= 65535:
        raise UsageError(f"--osc {args.osc}: a UDP port is 1 to 65535")
    if args.osc is None and (args.osc_feedback or args.osc_host != "127.0.0.1"):
        raise UsageError("--osc-host and --osc-feedback need --osc PORT")
    if args.listen is not None:  # before the window opens: an unknown device lists them
        from nebula.config import ConfigError
        from nebula.listen.device import check_device
        from nebula.listen.mapping import load_listen_map

        try:
            load_listen_map(args.listen_map)
            check_device(args.listen)
        except ConfigError as e:
            raise UsageError(str(e)) from None
    elif args.listen_map is not None:
        raise UsageError("--listen-map needs --listen")
    if args.midi is not None:  # before the window opens: an unknown port lists the ports
        from nebula.config import ConfigError
        from nebula.control.midi import find_port, port_names

        try:
            find_port(args.midi, port_names()[0], "input")
        except ConfigError as e:
            raise UsageError(str(e)) from None
    if args.journal is not None and args.journal.exists():
        raise UsageError(
            f"--journal {str(args.journal)!r} exists; choose a new file (a journal is never "
            "overwritten)"
        )


def _checked_shader_root(arg: Path | None) -> Path:
    root = shader_root(arg)
    if root.exists() and not root.is_dir():
        raise UsageError(f"shader folder {str(root)!r} is a file, not a folder")
    if not root.is_dir():
        raise UsageError(f"shader folder {str(root)!r} does not exist")
    return root


def _gallery_options(args: argparse.Namespace, preset: Preset | None) -> GalleryOptions:
    from nebula.gallery.options import from_args

    try:
        gallery = from_args(args, preset.options if preset else None)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if gallery.target_fps and args.max_fps and gallery.target_fps > args.max_fps:
        # Held under the ceiling, frames would always look late and the render scale would sink.
        raise UsageError(
            f"--target-fps {gallery.target_fps:g} is above the --max-fps {args.max_fps:g} "
            "ceiling: raise --max-fps (or 0 for none)"
        )
    return gallery


def cmd_run(args: argparse.Namespace) -> int:
    if args.follow is not None:
        ndi_from_args(args, None)  # (refused with --follow)
        return _follow(args)
    span = _span(args.span)
    tile = tile_from_args(args, whole=span is not None)
    if args.pattern and tile is None:
        raise UsageError("--pattern is a wall's calibration pattern: give --wall FILE --tile NAME")
    if args.size is None:
        args.size = "x".join(map(str, tile.size)) if tile else "1280x720"
    size = parse_size(args.size)
    _check_options(args)
    ndi = ndi_from_args(args, tile)
    root = _checked_shader_root(args.shaders)
    preset = load_preset_arg(args.preset)
    settings = settings_from_args(args)
    gallery = _gallery_options(args, preset)

    from nebula.app.hotkeys import load_hotkeys
    from nebula.app.live import InputError, LiveOptions, play
    from nebula.app.window import DisplayError, Window, check_key_names
    from nebula.output.ndi import NdiError
    from nebula.render.context import TargetSizeError
    from nebula.render.shaders import ShaderError

    hotkeys = load_hotkeys()
    check_key_names(hotkeys)
    options = LiveOptions(
        settings=settings,
        preset=preset,
        clock_offset=args.clock_offset,
        render_scale=args.render_scale,
        shader_root=root,
        hotkeys=hotkeys,
        screenshot_dir=args.screenshot_dir,
        hud_visible=not (args.no_hud or gallery.installation),
        inputs=inputs_from_args(args),
        gallery=gallery,
        exit_after=args.exit_after,
        max_fps=args.max_fps,
        tile=tile,
        wall=args.wall,
        pattern=args.pattern,
        ndi=ndi,
    )
    if ndi is not None and not gallery.installation:
        log_to_stderr("nebula.ndi")  # (an installation's log has it already)
    try:
        window = Window(
            size,
            fullscreen=args.fullscreen or gallery.installation,
            display=args.display,
            vsync=not args.no_vsync,
            span=span,
        )
    except DisplayError as e:
        return fail("run", str(e))
    try:
        ended = play(window, options)
    except ShaderError as e:
        return fail("run", f"shader does not compile: {e}")
    except TargetSizeError as e:
        print(f"nebula run: error: {size_source(args, tile)}: {e}", file=sys.stderr)
        return 2
    except (InputError, NdiError) as e:
        print(f"nebula run: error: {e}", file=sys.stderr)
        return 2
    finally:
        window.close()
    if ended.crash is not None:
        print(f"nebula run: error: crashed: {ended.crash}", file=sys.stderr)
        return ended.status
    print(f"nebula run: {ended.summary}")
    if ended.stopped_by is not None:
        print(f"nebula run: stopped by {ended.stopped_by} (status {ended.status})", file=sys.stderr)
    return ended.status


def _span(text: str | None) -> list[int] | None:
    from nebula.app.displays import parse_span

    if text is None:
        return None
    try:
        return parse_span(text)
    except ValueError as e:
        raise UsageError(str(e)) from None


def inputs_from_args(args: argparse.Namespace) -> Inputs:
    """The session's inputs as the options ask for them (checked by _check_options)."""
    from nebula.app.live import Inputs

    return Inputs(
        journal=args.journal,
        osc=args.osc,
        osc_host=args.osc_host,
        osc_feedback=args.osc_feedback,
        midi=args.midi,
        midi_map=args.midi_map,
        listen=args.listen,
        listen_map=args.listen_map,
        web=args.web,
        web_host=args.web_host,
        advertise=args.advertise,
    )


def _follow(args: argparse.Namespace) -> int:
    """A wall's follower in a window of its tile's size, fullscreen, or over several displays
    (``--span``: a tile of the span's shape, drawn at its size)."""
    import logging

    from nebula.app.follow import follow_in_window
    from nebula.app.window import DisplayError, Window
    from nebula.cli.follow import follower_args

    tile, token, where = follower_args(args)
    size = parse_size(args.size) if args.size else tile.size
    span = _span(args.span)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        window = Window(
            size, fullscreen=args.fullscreen, display=args.display, vsync=False, span=span
        )
    except DisplayError as e:
        return fail("run", str(e))
    try:
        (w, h), (tw, th) = window.size, tile.size
        if span is not None and abs(w * th - h * tw) > 0.01 * w * th:
            # The tile is drawn at the window's size: another shape would stretch it.
            raise UsageError(
                f"--span {args.span} is {w}x{h}, tile {tile.name} is {tw}x{th}: give the "
                "tile a rect of the span's shape, or span other displays"
            )
        return follow_in_window(window, token, where, tile)
    finally:
        window.close()
