"""The listening figure: the live show's frame rate while it listens to speech, against the same
show not listening, in alternating windows. The room is a JACK dummy server of the bench's own
(no sound card needed), a JACK client playing sentences spoken by espeak-ng into it in a loop,
and the show's ear (its own process, nebula.listen.hearing) hearing that client. In the quiet
windows the ear's process is stopped (SIGSTOP): no analysis, no events."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nebula.bench.figures import Figures, alternating_rates, say, show_rate

SIZE = (640, 360)
WINDOW = 2.0
WINDOWS = 10
SENTENCES = (
    "As I draw nearer, their features coalesce, revealing the faces of people I know and love.",
    "Each of them shares, and threads of light weave between us.",
)

#: A JACK client that is not the show's: the WAV in a loop into its output port.
_PLAYER = """
import sys, time, wave, numpy as np, jack
client = jack.Client(sys.argv[1]); out = client.outports.register("out")
with wave.open(sys.argv[2]) as w:
    x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    r = w.getframerate()
t = np.arange(int(len(x) * client.samplerate / r)) * r / client.samplerate
x = np.interp(t, np.arange(len(x)), x).astype(np.float32)
x = np.concatenate([x, np.zeros(client.samplerate, np.float32)])
pos = [0]
def process(frames):
    idx = (pos[0] + np.arange(frames)) % len(x)
    out.get_array()[:] = x[idx]
    pos[0] += frames
client.set_process_callback(process)
with client:
    print("playing", flush=True)
    time.sleep(3600)
"""


def section_listen(args: argparse.Namespace) -> Figures:
    """``listen_vs_quiet``: frames per second while listening to speech over frames per
    second not listening, over the same windows (needs jackd, espeak-ng and the listen and
    test extras: JACK-Client plays the speech)."""
    import importlib.util

    missing = [t for t in ("jackd", "jack_wait", "espeak-ng") if not shutil.which(t)]
    missing += [m for m in ("jack", "sounddevice", "webrtcvad") if not importlib.util.find_spec(m)]
    if missing:
        say(f"listen: {', '.join(missing)} missing, so no listening figures (scripts/setup.sh)")
        return {}
    say(f"listen: {WINDOWS} windows of {WINDOW:g} s listening to speech, each after a quiet one")
    with tempfile.TemporaryDirectory() as folder:
        return _measure(Path(folder))


def _measure(folder: Path) -> Figures:
    import contextlib
    from unittest import mock

    from nebula.app.live import Inputs, LiveOptions, open_inputs, open_show
    from nebula.render.context import headless_context

    wav = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), " ".join(SENTENCES)], check=True, timeout=60)
    # The same name each run: JACK's registry holds 8 servers, and only a server of the same
    # name takes over a dead one's entry.
    server = "nebula-bench"
    env = {"JACK_DEFAULT_SERVER": server, "JACK_NO_AUDIO_RESERVATION": "1"}
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.dict(os.environ, env))
    jackd = subprocess.Popen(
        ["jackd", "--no-realtime", "-t", "20000", "-n", server, "-d", "dummy", "-r", "48000",
         "-p", "1024"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    stack.callback(_end, jackd, 15.0)
    subprocess.run(["jack_wait", "-s", server, "-w", "-t", "10"], check=True, capture_output=True)
    player = subprocess.Popen([sys.executable, "-c", _PLAYER, "bench-voice", str(wav)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    stack.callback(_end, player)
    assert player.stdout is not None
    player.stdout.readline()
    ctx = headless_context()
    stack.callback(ctx.release)
    show = open_show(ctx, SIZE, LiveOptions(clock_offset=130.0), now_wall=time.perf_counter())
    stack.callback(show.release)
    try:
        listener = stack.enter_context(open_inputs(show, Inputs(listen="bench-voice"))).listen
        assert listener is not None

        show_rate(show, 2.0)  # warm up, listening

        def ear() -> int:
            if listener.pid is None:
                raise RuntimeError("the show's ear ended during the bench")
            return listener.pid

        quiet_fps, listen_fps = alternating_rates(
            show,
            WINDOWS,
            WINDOW,
            lambda: os.kill(ear(), signal.SIGSTOP),
            lambda: os.kill(ear(), signal.SIGCONT),
        )
    finally:
        stack.close()
    return {
        "listen_quiet_fps": round(quiet_fps, 2),
        "listen_fps": round(listen_fps, 2),
        "listen_vs_quiet": round(listen_fps / quiet_fps, 3),
    }


def _end(proc: subprocess.Popen[str] | subprocess.Popen[bytes], patience: float = 5.0) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=patience)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
