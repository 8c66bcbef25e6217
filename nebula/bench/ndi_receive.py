"""A receiver of one NDI source, not ours: cyndilib's frame-sync (its ``Receiver.receive()``
loses most frames), polled faster than the frame rate, each new frame kept by its timestamp.
The tests and the bench run it as a process of its own:

    python -m nebula.bench.ndi_receive NAME --seconds 6 [--idle 2] [--out frames.npz]

It prints one JSON line: the frames received, their size, frame rate and timestamps' spread.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np


def receive(
    name: str,
    seconds: float,
    find_seconds: float = 10.0,
    idle: float | None = None,
    keep: bool = True,
) -> dict[str, object]:
    """The frames of source ``name`` for ``seconds`` (or until none came for ``idle``
    seconds, once one has); ``keep``: their pixels too, else only their count. Counting, the
    frame-sync is asked three times a frame: each ask converts the frame it holds, and the
    bench's receiver shares the piece's machine. Keeping, it is asked every 2 ms: on a busy
    machine (the tests') a slower asker missed a third of the frames."""
    from cyndilib.finder import Finder
    from cyndilib.receiver import Receiver
    from cyndilib.video_frame import VideoFrameSync
    from cyndilib.wrapper.ndi_recv import RecvBandwidth, RecvColorFormat

    finder = Finder()
    finder.open()
    try:
        source = None
        give_up = time.monotonic() + find_seconds
        while source is None and time.monotonic() < give_up:
            finder.wait_for_sources(0.2)
            for full in finder.get_source_names():
                if full.endswith(f"({name})"):
                    source = finder.get_source(full)
        if source is None:
            return {"error": f"no NDI source ({name}) in {find_seconds:g} s"}
        # Kept frames come as RGBA; counted ones as they come off the wire (no conversion).
        colour = RecvColorFormat.RGBX_RGBA if keep else RecvColorFormat.fastest
        receiver = Receiver(color_format=colour, bandwidth=RecvBandwidth.highest)
        frame = VideoFrameSync()
        receiver.frame_sync.set_video_frame(frame)
        receiver.set_source(source)
        print(json.dumps({"connected": True}), flush=True)
        frames: list[np.ndarray] = []
        stamps: list[float] = []
        rate = None
        pause = 0.002  # keeping frames (the tests): asked often, so a busy machine misses none
        end = time.monotonic() + seconds
        last_new = time.monotonic()
        while time.monotonic() < end:
            if idle is not None and stamps and time.monotonic() - last_new > idle:
                break
            receiver.frame_sync.capture_video()
            stamp = frame.get_timestamp_posix()
            if frame.xres and (not stamps or stamp != stamps[-1]):
                last_new = time.monotonic()
                stamps.append(stamp)
                if keep:
                    frames.append(frame.get_array().reshape(frame.yres, frame.xres, 4).copy())
                size = [frame.xres, frame.yres]
                rate = frame.get_frame_rate()
                if not keep:  # counting only: three asks a frame are enough
                    pause = min(0.01, float(1 / rate) / 3) if rate else 0.003
            time.sleep(pause)
        return {
            "frames": frames,
            "count": len(stamps),
            "size": size if stamps else None,
            "stamps": stamps,
            "rate": [rate.numerator, rate.denominator] if rate else None,
        }
    finally:
        finder.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("name")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--idle", type=float, help="stop once no frame came for this long")
    p.add_argument("--out", help="keep the frames in this .npz")
    args = p.parse_args(argv)
    got = receive(args.name, args.seconds, idle=args.idle, keep=bool(args.out))
    if "error" in got:
        print(json.dumps(got), flush=True)
        return 1
    frames = got["frames"]
    assert isinstance(frames, list)
    if args.out:
        stack = np.stack(frames) if frames else np.zeros((0, 1, 1, 4), np.uint8)
        np.savez(args.out, frames=stack, stamps=np.asarray(got["stamps"]))
    said = {"received": got["count"], "size": got["size"], "rate": got["rate"]}
    print(json.dumps(said), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
