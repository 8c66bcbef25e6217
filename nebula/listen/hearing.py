"""The ear's process (``python -m nebula.listen.hearing DEVICE``): PortAudio opened on one input
device, each block analysed in its callback (nebula.listen.analysis) and the features written
to stdout as JSON lines, a batch every 50 ms. Nothing else leaves it: no sound.

A process of its own, because PortAudio can end the process that holds it: stopping a JACK
server under an open stream made its JACK host API fail an assertion and abort. Here that ends
only the ear, which the show starts again (nebula.listen.device). It ends too when its device
goes quiet (no callback for SILENT_SECONDS: JACK gives no error), when stdin closes (the show
let it go, or died), or at once with status 2 when the device is not there.

    python -m nebula.listen.hearing DEVICE          # listen
    python -m nebula.listen.hearing --check DEVICE  # only look for it: status 0 or 2
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

from nebula.config import ConfigError
from nebula.listen.analysis import Analyzer, Features

BATCH_SECONDS = 0.05
#: No callback for this long on an open stream: the device is gone.
SILENT_SECONDS = 2.0
BLOCK = 1024
EXIT_GONE = 75
#: The ear yields to the frame's rasterizer threads: its FFTs are a few percent of a core.
EAR_NICE = 5
INSTALL_HINT = "--listen needs sounddevice: pip install 'nebula[listen]'"


def sounddevice() -> Any:
    """The sounddevice module, or ConfigError saying what to install."""
    try:
        import sounddevice as sd
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    except OSError as e:  # PortAudio itself missing
        raise ConfigError(
            f"--listen: PortAudio did not load ({e}); on Debian/Ubuntu: "
            "sudo apt-get install libportaudio2"
        ) from None
    return sd


def input_devices(sd: Any) -> list[dict[str, Any]]:
    """Every device that records: index, name, host API, channels and default rate."""
    apis = [a["name"] for a in sd.query_hostapis()]
    out = []
    for i, d in enumerate(sd.query_devices()):
        if d["max_input_channels"] > 0:
            api, rate = apis[d["hostapi"]], d["default_samplerate"]
            out.append({"index": i, "name": d["name"], "api": api,
                        "channels": d["max_input_channels"], "rate": rate})  # fmt: skip
    return out


def find_device(name: str, sd: Any) -> int | None:
    """The input device ``name`` names: "default" (the system's), an index, or a name or a
    part of one (case-insensitive; exact first). ConfigError listing them when none is."""
    devices = input_devices(sd)
    if name == "default":
        if not devices:
            raise ConfigError("--listen: this machine has no input device (no microphone)")
        return None
    if name.isdigit() and any(d["index"] == int(name) for d in devices):
        return int(name)
    exact = [d for d in devices if d["name"].lower() == name.lower()]
    part = exact or [d for d in devices if name.lower() in d["name"].lower()]
    if len(part) == 1 or exact:
        return int(part[0]["index"])
    names = ", ".join(repr(d["name"]) for d in devices) or "none"
    why = "more than one input device matches" if part else "no input device is called"
    raise ConfigError(f"--listen {name!r}: {why} that; the input devices: {names}")


def _row(f: Features) -> list[object]:
    levels: list[object] = [round(v, 4) for v in (f.db, f.floor_db, f.level, f.bass, f.mid,
                                                   f.treble)]  # fmt: skip
    return [*levels, int(f.onset), int(f.voice), int(f.clipped)]


def features(row: list[Any]) -> Features:
    db, floor, level, bass, mid, treble, onset, voice, clipped = row
    return Features(float(db), float(floor), float(level), float(bass), float(mid),
                    float(treble), bool(onset), bool(voice), bool(clipped))  # fmt: skip


def hear(device: str) -> int:
    if hasattr(os, "nice"):
        os.nice(EAR_NICE)  # before PortAudio's threads start: they inherit it
    out = sys.stdout

    def send(obj: object) -> None:
        out.write(json.dumps(obj, separators=(",", ":")) + "\n")
        out.flush()

    try:
        sd = sounddevice()
        index = find_device(device, sd)
    except ConfigError as e:
        send({"error": str(e)})
        return 2
    info = sd.query_devices(index, "input")
    rate = float(info["default_samplerate"])
    analyzer = Analyzer(rate)
    lock = threading.Lock()
    pending: list[list[object]] = []
    heard = [time.monotonic()]

    def callback(indata: Any, frames: int, when: Any, status: Any) -> None:
        got = analyzer.feed(indata)
        with lock:
            heard[0] = time.monotonic()
            pending.extend(_row(f) for f in got)

    stop = threading.Event()

    def watch_stdin() -> None:
        sys.stdin.read()  # EOF: the show let the ear go, or is no more
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    stream = sd.InputStream(device=index, channels=max(1, min(2, int(info["max_input_channels"]))),
                            samplerate=rate, blocksize=BLOCK, dtype="float32",
                            callback=callback)  # fmt: skip
    with stream:
        send({"ready": str(info["name"]), "rate": rate})
        last = time.monotonic()
        while not stop.wait(BATCH_SECONDS):
            now = time.monotonic()
            with lock:
                if now - last > 1.0:  # this process stood (stopped, suspended): not the device
                    heard[0] = now
                rows, pending[:] = list(pending), []
                quiet = now - heard[0]
            last = now
            if rows:
                send({"f": rows})
            if quiet > SILENT_SECONDS or not stream.active:
                send({"gone": f"no sound for {quiet:.1f} s"})
                os._exit(EXIT_GONE)  # PortAudio's own teardown may abort with its server gone
    return 0


def check(device: str) -> int:
    """Status 0 when ``device`` is there; else one line on stderr and status 2."""
    try:
        find_device(device, sounddevice())
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"] and len(argv) == 2:
        return check(argv[1])
    if len(argv) != 1:
        print("usage: python -m nebula.listen.hearing [--check] DEVICE", file=sys.stderr)
        return 2
    return hear(argv[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
