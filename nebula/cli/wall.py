"""`nebula wall check FILE`: read a wall file, refuse what cannot be drawn (one line, status 2)
and print the layout: each tile, the overlaps, the gaps nobody draws and the coverage."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("wall", help="walls of displays and projectors: check a wall file")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    check = verbs.add_parser("check", help="validate a wall file and print its layout")
    check.add_argument("file", type=Path, metavar="FILE", help="the wall file (TOML)")
    check.set_defaults(func=cmd_check)
    lead = verbs.add_parser("lead", help="lead a wall of machines: its clock, events, barrier")
    lead.add_argument("file", type=Path, metavar="FILE", help="the wall file (with [wall] token)")
    lead.add_argument("--port", type=int, default=7100, help="TCP port (default 7100)")
    lead.add_argument(
        "--host", default="127.0.0.1", metavar="ADDR", help="listen here (default loopback)"
    )
    lead.add_argument("--fps", type=float, default=60.0, help="frame rate ceiling (default 60)")
    lead.add_argument("--start", type=float, default=0.0, metavar="SECONDS", help="piece time at 0")
    lead.add_argument(
        "--step",
        action="store_true",
        help="frame n at start + n / fps exactly, not by the clock (a checkable run)",
    )
    lead.add_argument("--frames", type=int, default=None, help="end the wall after N frames")
    lead.add_argument(
        "--exit-after", type=float, default=None, metavar="SECONDS", help="end the wall then"
    )
    lead.add_argument(
        "--followers", type=int, default=0, metavar="N", help="wait for N followers to start"
    )
    lead.add_argument(
        "--deadline-ms", type=float, default=100.0, help="late after this past the first done"
    )
    lead.add_argument("--osc", type=int, default=None, metavar="PORT", help="events from OSC")
    lead.add_argument(
        "--midi", metavar="NAME", help="events from this MIDI input (see `nebula midi-ports`)"
    )
    lead.add_argument(
        "--midi-map", type=Path, metavar="FILE", help="MIDI mapping (default as `nebula run`'s)"
    )
    lead.add_argument(
        "--journal",
        type=Path,
        metavar="FILE",
        help="write the wall's session as a journal (`nebula record --journal` renders it again)",
    )
    lead.add_argument("--seed", type=int, default=0, help="run seed (default 0)")
    lead.add_argument("--preset", metavar="NAME_OR_PATH", help="preset name or .toml path")
    lead.set_defaults(func=cmd_lead)


def cmd_check(args: argparse.Namespace) -> int:
    from nebula.wall.file import load_wall
    from nebula.wall.layout import describe

    wall = load_wall(args.file)  # a ConfigError is one line and status 2 (nebula.cli.main)
    print(f"{args.file}: ok")
    for line in describe(wall):
        print(line)
    return 0


def cmd_lead(args: argparse.Namespace) -> int:
    import logging
    import secrets
    import signal
    import sys
    import time

    from nebula.cli.args import UsageError, load_preset_arg
    from nebula.clock import frame_time
    from nebula.config import Settings, default_values
    from nebula.control.events import preset_values
    from nebula.wall.file import load_wall

    wall = load_wall(args.file)
    if wall.token is None:
        fresh = secrets.token_urlsafe(24)
        raise UsageError(
            f'{args.file} has no [wall] token: add [wall] with token = "{fresh}" (a fresh '
            "one) to it, and use the same file on every machine of the wall"
        )
    if not (0 < args.fps <= 1000):
        raise UsageError(f"--fps {args.fps:g} must be above 0 and at most 1000")
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: a TCP port is 1 to 65535")
    preset = load_preset_arg(args.preset)
    params = preset_values(preset) if preset else default_values()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    from nebula.cluster.leader import Leader
    from nebula.control.inbox import Inbox
    from nebula.sim.world import World

    started: list[float] = []

    def clock_time(n: int) -> float:
        now = time.monotonic()
        if not started:
            started.append(now)
        return float(args.start) + (now - started[0])

    start, fps = float(args.start), float(args.fps)
    time_of = (lambda n: frame_time(start, n, fps)) if args.step else clock_time
    midi_map = None
    if args.midi is not None:  # before anything opens: an unknown port lists the ports
        from nebula.config import ConfigError
        from nebula.control.midi import find_port, load_midi_map, port_names

        try:
            find_port(args.midi, port_names()[0], "input")
            midi_map = load_midi_map(args.midi_map)
        except ConfigError as e:
            raise UsageError(str(e)) from None
    elif args.midi_map is not None:
        raise UsageError("--midi-map needs --midi NAME")
    inbox = Inbox() if args.osc is not None or args.midi is not None else None
    journal = None
    if args.journal is not None:
        from nebula.config import Params
        from nebula.control.journal import JournalWriter, header

        values = Params()
        values.apply(params, immediate=True)
        # At ``start``, not time_of(0): that would start the live clock before the followers.
        head = header(Settings(seed=args.seed), preset.name if preset else "defaults", values,
                      start, World(Settings(seed=args.seed)).index_at(start),
                      wall.size, wall.size)  # fmt: skip
        try:
            journal = JournalWriter(args.journal, head)
        except FileExistsError:
            raise UsageError(
                f"--journal {args.journal} exists: a journal is never overwritten"
            ) from None
        except OSError as e:
            raise UsageError(
                f"--journal {args.journal}: cannot be written ({e.strerror or e})"
            ) from None
    leader = Leader(
        wall.token,
        Settings(seed=args.seed),
        dict(params),
        f"tcp://{args.host}:{args.port}",
        time_of,
        fps=args.fps,
        deadline=args.deadline_ms / 1000.0,
        inbox=inbox,
        journal=journal,
    )
    osc = midi = None
    if inbox is not None and args.osc is not None:
        from nebula.control.osc import OscProcess

        osc = OscProcess(inbox.post, args.osc).start()
    if inbox is not None and midi_map is not None:
        from nebula.cluster.stage import LeaderStage
        from nebula.control.midi import MidiInput

        stage = LeaderStage(inbox, params, leader.log)
        leader.listeners.append(stage.stamped)
        midi = MidiInput(args.midi, midi_map, stage).start()

    def stop(signum: int, _frame: object) -> None:
        leader.ending = True

    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, stop)
    print(f"nebula wall lead: leading {args.file} on {args.host}:{leader.port}", flush=True)
    try:
        if args.followers and not leader.gather(args.followers):
            print(f"nebula wall lead: fewer than {args.followers} followers came", file=sys.stderr)
        return leader.run(frames=args.frames, seconds=args.exit_after)
    finally:
        if osc is not None:
            osc.close()
        if midi is not None:
            midi.close()
