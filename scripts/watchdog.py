#!/usr/bin/env python3
"""Keep the piece running: start it, watch its heartbeat, restart it when it dies or stalls.

    scripts/watchdog.py --heartbeat ~/.local/state/nebula/heartbeat.json -- \
        nebula run --installation --heartbeat ~/.local/state/nebula/heartbeat.json

Restarts the command after ``--`` when it exits with a non-zero status or a signal, when its
heartbeat is older than --stale seconds, or when its picture stays frozen or black (from the
signature the piece writes into the heartbeat). A clean exit (status 0: the held Esc or
Ctrl+Alt+Q) ends the watchdog with status 0 too, so the show stays off when someone stops it on
purpose. SIGTERM (systemctl stop) stops the piece and the watchdog.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nebula.gallery.health import read_heartbeat
from nebula.gallery.watchdog import Judge

log = logging.getLogger("nebula.watchdog")


def stop(proc: subprocess.Popen[bytes], wait: float = 5.0) -> None:
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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--" not in argv:
        print("watchdog: error: give the command to run after --", file=sys.stderr)
        return 2
    cut = argv.index("--")
    cmd = argv[cut + 1 :]
    p = argparse.ArgumentParser(prog="watchdog", description=__doc__.split("\n\n")[0])
    p.add_argument("--heartbeat", type=Path, required=True, help="the piece's heartbeat file")
    p.add_argument("--stale", type=float, default=30.0, help="heartbeat age limit, s")
    p.add_argument("--frozen", type=float, default=60.0, help="frozen-picture limit, s")
    p.add_argument("--black", type=float, default=120.0, help="black-picture limit, s")
    p.add_argument("--grace", type=float, default=90.0, help="time to the first heartbeat, s")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between checks")
    p.add_argument("--max-restarts", type=int, default=0, help="give up after this many (0: never)")
    args = p.parse_args(argv[:cut])
    if not cmd:
        p.error("give the command to run after --")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s watchdog %(message)s")

    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    judge = Judge(args.stale, args.frozen, args.black, args.grace)
    restarts = 0
    backoff = 1.0
    while not stopping:
        log.info("starting: %s", " ".join(cmd))
        began = time.monotonic()
        judge.start(began, time.time())
        try:
            proc = subprocess.Popen(cmd, start_new_session=True)
        except OSError as e:
            log.error("cannot start %s: %s", cmd[0], e)
            return 1
        reason: str | None = None
        while not stopping and reason is None:
            time.sleep(args.poll)
            code = proc.poll()
            if code is not None:
                if code == 0:
                    log.info("the piece exited cleanly (status 0): not restarting")
                    return 0
                reason = f"exited with status {code}"
                break
            reason = judge.check(time.monotonic(), time.time(), read_heartbeat(args.heartbeat))
        stop(proc)
        if stopping:
            log.info("stopped")
            return 0
        restarts += 1
        # A piece that dies at once is not helped by instant restarts: back off up to 30 s.
        backoff = 1.0 if time.monotonic() - began > 120 else min(30.0, backoff * 2)
        log.warning("restart %d (%s) in %.0f s", restarts, reason, backoff)
        if args.max_restarts and restarts >= args.max_restarts:
            log.error("gave up after %d restarts", restarts)
            return 1
        deadline = time.monotonic() + backoff
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
