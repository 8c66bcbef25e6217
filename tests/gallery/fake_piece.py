"""A stand-in for the piece under the watchdog: writes heartbeats, then misbehaves.

    fake_piece.py HEARTBEAT STARTS_LOG MODE SECONDS

Appends its pid to STARTS_LOG, writes a live heartbeat every 0.1 s, and after SECONDS:
``die`` exits with status 3, ``stall`` stops writing and hangs, ``freeze`` keeps writing the
same picture signature, ``black`` writes a black picture, ``ok`` exits 0.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

hb, starts, mode, after = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], float(sys.argv[4])
with starts.open("a") as f:
    f.write(f"{os.getpid()}\n")
t0 = time.monotonic()
frame = 0
while True:
    late = time.monotonic() - t0 > after
    if late and mode == "die":
        sys.exit(3)
    if late and mode == "ok":
        sys.exit(0)
    if late and mode == "stall":
        time.sleep(3600)
    frame += 1
    sig = 1 if late and mode == "freeze" else frame
    luma = 0.0 if late and mode == "black" else 80.0
    tmp = hb.with_name(hb.name + ".tmp")
    beat = {"time": time.time(), "pid": os.getpid(), "frame": frame, "sig": sig, "luma": luma}
    tmp.write_text(json.dumps(beat))
    os.replace(tmp, hb)
    time.sleep(0.1)
