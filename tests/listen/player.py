"""A JACK client that is not ours: it plays a WAV (any rate, brought to the server's) into its
one output port, then silence, for the listening tests.

    python tests/listen/player.py NAME FILE.wav [--gain G] [--seconds S] [--delay D]
"""

from __future__ import annotations

import argparse
import time
import wave

import jack
import numpy as np


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("name")
    p.add_argument("wav")
    p.add_argument("--gain", type=float, default=1.0)
    p.add_argument("--seconds", type=float, default=None, help="stay this long (default: the file)")
    p.add_argument("--delay", type=float, default=0.0, help="silence before the sound")
    args = p.parse_args()
    client = jack.Client(args.name)
    out = client.outports.register("out")
    with wave.open(args.wav) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768.0
        rate = w.getframerate()
    sr = client.samplerate
    t = np.arange(int(len(x) * sr / rate)) * rate / sr
    sound = np.interp(t, np.arange(len(x)), x).astype(np.float32) * args.gain
    sound = np.concatenate([np.zeros(int(args.delay * sr), np.float32), sound])
    pos = [0]

    def process(frames: int) -> None:
        buf = out.get_array()
        chunk = sound[pos[0] : pos[0] + frames]
        buf[: len(chunk)] = chunk
        buf[len(chunk) :] = 0.0
        pos[0] += frames

    client.set_process_callback(process)
    with client:
        print("playing", flush=True)
        time.sleep(args.seconds if args.seconds is not None else len(sound) / sr + 1.0)


if __name__ == "__main__":
    main()
