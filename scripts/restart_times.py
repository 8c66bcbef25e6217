#!/usr/bin/env python3
"""Measure how fast the watchdog brings the installation back, on a private Xvfb screen:

    .venv/bin/python scripts/restart_times.py --json

- ``kill_s``: ``kill -9`` of the piece until a new piece has drawn its first frame (target 3 s);
- ``stop_s``: SIGSTOP of the piece (frozen, heartbeat stale) until a new one drew (target 10 s);
- ``xserver_s``: the X server gone for 3 s, then back: from its return until a piece drew
  (target 10 s).

"Drew" is the new process's first heartbeat with a frame counter above 0: it is written right
after the first frame reaches the screen. Prints one line per case and, with --json, one JSON
object last; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"kill_s": 3.0, "stop_s": 10.0, "xserver_s": 10.0}


def start_x(number: str | None = None) -> tuple[subprocess.Popen[bytes], str]:
    if number is None:
        r, w = os.pipe()
        cmd = ["Xvfb", "-displayfd", str(w), "-screen", "0", "320x180x24", "-nolisten", "tcp"]
        x = subprocess.Popen(cmd, pass_fds=(w,), stderr=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as f:
            number = f.readline().strip()
    else:
        cmd = ["Xvfb", f":{number}", "-screen", "0", "320x180x24", "-nolisten", "tcp"]
        x = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    display = f":{number}"
    wait_until(lambda: x_answers(display), 20.0, "the X server")
    return x, display


def x_answers(display: str) -> bool:
    r = subprocess.run(
        ["xset", "-display", display, "q"], capture_output=True, timeout=10, check=False
    )
    return r.returncode == 0


def wait_until(pred: object, timeout: float, what: str) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if pred():  # type: ignore[operator]
            return time.monotonic()
        time.sleep(0.02)
    raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")


def beat(hb: Path) -> dict[str, object]:
    try:
        data = json.loads(hb.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def drawing(hb: Path, not_pid: object) -> int | None:
    b = beat(hb)
    frame, pid = b.get("frame"), b.get("pid")
    if isinstance(frame, int) and frame > 0 and isinstance(pid, int) and pid != not_pid:
        return pid
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="restart_times", description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="end with one JSON object on a line")
    p.add_argument(
        "--cases", default="kill,stop,xserver", help="which to measure (default all three)"
    )
    args = p.parse_args(argv)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(cases) - {"kill", "stop", "xserver"}
    if unknown:
        p.error(f"unknown case {sorted(unknown)[0]!r}; choose from kill, stop, xserver")

    work = Path(tempfile.mkdtemp(prefix="nebula-restart-"))
    hb, log = work / "hb.json", work / "nebula.log"
    x, display = start_x()
    env = {**os.environ, "DISPLAY": display, "XDG_STATE_HOME": str(work / "state")}
    env.pop("WAYLAND_DISPLAY", None)
    piece = [sys.executable, "-m", "nebula.cli", "run", "--installation"]
    piece += ["--heartbeat", str(hb), "--log-file", str(log)]
    dog = [sys.executable, str(ROOT / "scripts" / "watchdog.py"), "--heartbeat", str(hb)]
    dog += ["--grace", "60", "--", *piece]
    watchdog = subprocess.Popen(dog, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results: dict[str, float] = {}
    try:
        wait_until(lambda: drawing(hb, None), 60.0, "the first piece to draw")
        for case in cases:
            pid = drawing(hb, None)
            if case == "kill":
                os.kill(int(pid or 0), signal.SIGKILL)
                t0 = time.monotonic()
            elif case == "stop":
                os.kill(int(pid or 0), signal.SIGSTOP)
                t0 = time.monotonic()
            else:
                x.terminate()
                x.wait(10)
                time.sleep(3.0)  # the display is away for a while (a crash, a restart)
                x, _ = start_x(display[1:])
                t0 = time.monotonic()
            t1 = wait_until(lambda pid=pid: drawing(hb, pid), 60.0, f"a new piece ({case})")
            results[f"{case}_s"] = round(t1 - t0, 2)
            print(
                f"{case}: back on screen in {t1 - t0:.2f} s (target {TARGETS[case + '_s']:g} s)",
                flush=True,
            )
    finally:
        watchdog.send_signal(signal.SIGTERM)
        try:
            watchdog.wait(20)
        except subprocess.TimeoutExpired:
            watchdog.kill()
        x.terminate()
        x.wait(10)
    ok = all(v <= TARGETS[k] for k, v in results.items())
    if args.json:
        print(json.dumps({**results, "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
