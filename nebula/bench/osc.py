"""The OSC flood's figure: the live show's frame rate while another process floods its OSC port,
against the same show quiet."""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from nebula.bench.figures import Figures, say

#: The OSC flood: messages a second, in FLOOD_WINDOWS windows of FLOOD_WINDOW seconds each
#: alternating with as many quiet ones (20 s of flood in all). Two-second windows, not two
#: floods of 10 s between quiet rounds: this machine's frame rate drifts by more than the 10%
#: the figure is held to within half a minute, and windows that close cancel the drift.
FLOOD_RATE = 10_000
FLOOD_WINDOW = 2.0
FLOOD_WINDOWS = 10
FLOOD_SETTLE = 0.15  # seconds at the start of each window left out: the switch, not the state
FLOOD_SIZE = (640, 360)

#: The flood's sender: paused (SIGSTOP) in the quiet windows, and never making up what a pause
#: held back, so every flood window gets the rate and no burst; it prints what it sent when
#: told to end (SIGTERM).
_FLOODER = """
import signal, socket, sys, time
from pythonosc.osc_message_builder import OscMessageBuilder
port, rate = int(sys.argv[1]), float(sys.argv[2])
msgs = []
for i in range(64):
    b = OscMessageBuilder("/nebula/param/bloom")
    b.add_arg(i / 40.0)
    msgs.append(b.build().dgram)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(("127.0.0.1", port))
sent = at = 0  # messages sent; where on the rate's timeline the sender is
def end(*_):
    print(sent, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, end)
print("ready", flush=True)
t0 = time.perf_counter()
while True:
    due = int((time.perf_counter() - t0) * rate)
    at = max(at, due - int(rate * 0.01))  # after a pause: on at the rate, no catching up
    while at < due:
        try:
            sock.send(msgs[at % 64])
            sent += 1
        except OSError:  # refused: the port closed under us
            pass
        at += 1
    time.sleep(0.002)
"""


def section_osc(args: argparse.Namespace) -> Figures:
    """The live show's frame rate while OSC floods it at FLOOD_RATE messages a second, against
    the same show without, in alternating windows, headless at FLOOD_SIZE. The flood comes from
    another process on loopback."""
    import contextlib
    import signal
    import subprocess

    from nebula.app.live import Inputs, LiveOptions, open_inputs, open_show
    from nebula.render.context import headless_context

    say(
        f"osc: {FLOOD_WINDOWS} windows of {FLOOD_WINDOW:g} s of {FLOOD_RATE} messages a second,"
        f" each after a quiet one, {FLOOD_SIZE[0]}x{FLOOD_SIZE[1]}"
    )
    # The live session's own Show and OSC receiver (nebula.app.live), as `nebula run --osc`.
    stack = contextlib.ExitStack()
    ctx = headless_context()
    stack.callback(ctx.release)
    show = open_show(ctx, FLOOD_SIZE, LiveOptions(clock_offset=130.0), now_wall=time.perf_counter())
    stack.callback(show.release)
    server = stack.enter_context(open_inputs(show, Inputs(osc=0))).osc
    assert server is not None

    def frames(seconds: float) -> list[float]:
        """Frame times over ``seconds`` of the live loop (frame, then finish), but the first
        FLOOD_SETTLE seconds."""
        t0 = last = time.perf_counter()
        out = []
        while last - t0 < seconds:
            show.frame(last)
            show.ctx.finish()
            now = time.perf_counter()
            if now - t0 >= FLOOD_SETTLE:
                out.append(now - last)
            last = now
        return out

    cmd = [sys.executable, "-c", _FLOODER, str(server.address[1]), str(FLOOD_RATE)]
    flooder = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert flooder.stdout is not None
        flooder.stdout.readline()  # "ready": its interpreter has started
        flooder.send_signal(signal.SIGSTOP)
        frames(2.0)  # warm up: shaders, the world at its moment
        quiet: list[float] = []
        flood: list[float] = []
        for _ in range(FLOOD_WINDOWS):
            quiet += frames(FLOOD_WINDOW)
            flooder.send_signal(signal.SIGCONT)
            flood += frames(FLOOD_WINDOW)
            flooder.send_signal(signal.SIGSTOP)
        flooder.send_signal(signal.SIGTERM)
        flooder.send_signal(signal.SIGCONT)
        out, _ = flooder.communicate(timeout=30)
        sent = int(out.split()[-1]) if out.split() else 0
    finally:
        if flooder.poll() is None:
            flooder.kill()
            flooder.communicate()
        stack.close()
    # Rates from the median frame time: a stray hiccup of the machine moves a mean, not this.
    quiet_fps = 1.0 / float(np.median(quiet))
    flood_fps = 1.0 / float(np.median(flood))
    return {
        "osc_quiet_fps": round(quiet_fps, 2),
        "osc_flood_fps": round(flood_fps, 2),
        "osc_flood_vs_quiet": round(flood_fps / quiet_fps, 3),
        "osc_flood_sent": sent,
        "osc_flood_taken": server.accepted,
        "osc_flood_refused": sum(server.refused.values()),
    }
