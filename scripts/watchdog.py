#!/usr/bin/env python3
"""Keep the piece running: start it, watch its heartbeat, restart it when it dies or stalls.

    scripts/watchdog.py --heartbeat ~/.local/state/nebula/heartbeat.json -- \
        nebula run --installation --heartbeat ~/.local/state/nebula/heartbeat.json

Restarts the command after ``--`` when it exits with a non-zero status or a signal, when its
heartbeat (from that very process: its pid) is older than --stale seconds, or when its picture
stays frozen or black (from the signature the piece writes into the heartbeat). A clean exit
(status 0: the held Esc or Ctrl+Alt+Q) ends the watchdog with status 0 too, so the show stays
off when someone stops it on purpose. SIGTERM, SIGINT or SIGHUP to the watchdog (systemctl stop)
stops the piece and the watchdog; the piece also gets SIGTERM if the watchdog is killed.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nebula.gallery.health import read_heartbeat
from nebula.gallery.watchdog import Judge, Process, Supervisor

log = logging.getLogger("nebula.watchdog")
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the watchdog dies, even by SIGKILL (Linux), so
    a killed watchdog never leaves an orphan piece that the next watchdog would double."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() == 1:  # the watchdog died between fork and prctl
        os.kill(os.getpid(), signal.SIGTERM)


def stop(proc: Process, wait: float = 5.0) -> None:
    """SIGTERM to the piece's process group, then SIGKILL if it does not go within ``wait``."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        os.killpg(proc.pid, signal.SIGCONT)  # a stopped (frozen) piece must run to see TERM
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        proc.wait()


def seconds(lo: float, hi: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not (math.isfinite(v) and lo <= v <= hi):
            raise argparse.ArgumentTypeError(f"{text!r}: must be between {lo:g} and {hi:g} s")
        return v

    return parse


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="watchdog",
        usage="%(prog)s [options] -- COMMAND [ARG ...]",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("--heartbeat", type=Path, required=True, help="the piece's heartbeat file")
    day = 86400.0
    p.add_argument("--stale", type=seconds(1, day), default=6.0, help="heartbeat age limit, s")
    p.add_argument("--frozen", type=seconds(1, day), default=8.0, help="frozen-picture limit, s")
    p.add_argument("--black", type=seconds(1, day), default=120.0, help="black-picture limit, s")
    p.add_argument(
        "--grace", type=seconds(1, day), default=90.0, help="time to the first heartbeat, s"
    )
    p.add_argument(
        "--poll", type=seconds(0.05, 10), default=0.25, help="seconds between checks (0.05-10)"
    )
    p.add_argument(
        "--max-backoff",
        type=seconds(0, 600),
        default=4.0,
        help="longest wait before a restart after repeated quick failures, s",
    )
    p.add_argument("--max-restarts", type=int, default=0, help="give up after this many (0: never)")
    p.add_argument(
        "--web",
        type=int,
        metavar="PORT",
        help="host the technician's page on this port across the piece's restarts (give the "
        "piece --web PORT too: it then only writes the page's feed)",
    )
    p.add_argument("--web-host", default="127.0.0.1", metavar="ADDR", help="serve it here")
    p.add_argument(
        "--advertise", action="store_true", help="announce the page's OSCQuery through zeroconf"
    )
    p.add_argument(
        "--log", type=Path, default=None, help="the piece's log, for the page (its default)"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cut = argv.index("--") if "--" in argv else len(argv)
    p = parser()
    args = p.parse_args(argv[:cut])  # --help exits 0 here
    cmd = argv[cut + 1 :]
    if not cmd:
        p.error("give the command to run after --")
    if args.max_restarts < 0:
        p.error("--max-restarts must be 0 (never give up) or more")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s watchdog %(message)s")

    env = dict(os.environ)
    web = hosted = None
    if args.web is not None:
        from nebula.app.live import HOSTED_ENV
        from nebula.config import ConfigError
        from nebula.gallery.host import SupervisorFeed
        from nebula.gallery.options import state_dir
        from nebula.web.process import WebProcess

        folder = state_dir() / f"web-{args.web}"
        piece_log = args.log or state_dir() / "nebula.log"
        try:
            web = WebProcess(
                args.web,
                folder,
                state_dir(),
                0,
                host=args.web_host,
                log=piece_log,
                advertise=args.advertise,
            )
        except ConfigError as e:
            log.error("%s", e)
            return 1
        log.info("page: %s", web.link)
        hosted = SupervisorFeed(folder)
        env[HOSTED_ENV] = "1"

    def spawn() -> subprocess.Popen[bytes]:
        log.info("starting: %s", " ".join(cmd))
        return subprocess.Popen(cmd, start_new_session=True, preexec_fn=_die_with_parent, env=env)

    sup = Supervisor(
        Judge(args.stale, args.frozen, args.black, args.grace),
        spawn=spawn,
        stop=stop,
        read_beat=lambda: read_heartbeat(args.heartbeat),
        monotonic=time.monotonic,
        wall=time.time,
        sleep=time.sleep,
        log=log,
        poll=args.poll,
        max_backoff=args.max_backoff,
        max_restarts=args.max_restarts,
    )
    if hosted is not None:
        sup.ended = hosted.ended

    # The unit stopping (systemctl stop) sends SIGTERM to the watchdog and the piece alike:
    # then nothing restarts. A SIGTERM to the piece alone (it exits 143) is restarted.
    def on_signal(signum: int, _frame: object) -> None:
        sup.stopping = True

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        return sup.run()
    except OSError as e:
        log.error("cannot start %s: %s", cmd[0], e)
        return 1
    finally:
        if web is not None:
            web.close()


if __name__ == "__main__":
    sys.exit(main())
