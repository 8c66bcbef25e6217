"""The page's figure: the live show's frame rate with its page served and a browser's polling
on it, against the same show without, in alternating windows. The page's costs to the show are
its feed (the status four times a second, a frame read back once a second) and the server's
process beside it on the same cores; the poller asks what the page asks (nebula/web/page.html)."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time

from nebula.bench.figures import Figures, alternating_rates, say, show_rate

WEB_SIZE = (640, 360)
WEB_WINDOW = 2.0
WEB_WINDOWS = 10

#: The page's polling, from another process: the status and the thumbnail every second, the
#: log every three, the presets every five (nebula/web/page.html). Paused (SIGSTOP) in the
#: quiet windows.
_POLLER = """
import sys, time, urllib.request
url = sys.argv[1]
print("ready", flush=True)
n = 0
while True:
    for path in ["/api/status", "/api/thumbnail.jpg"] + (["/api/log"] if n % 3 == 0 else []) + (
        ["/api/presets"] if n % 5 == 0 else []
    ):
        try:
            urllib.request.urlopen(url + path, timeout=5).read()
        except OSError:
            pass
    n += 1
    time.sleep(1.0)
"""


def section_web(args: argparse.Namespace) -> Figures:
    """``web_vs_quiet``: frames drawn per second with the page (feed on, the poller running)
    over frames per second without (feed off, the poller stopped), over the same windows."""
    import contextlib
    import os
    import socket
    import tempfile
    from unittest import mock

    from nebula.app.live import Inputs, LiveOptions, open_inputs, open_show
    from nebula.render.context import headless_context

    say(
        f"web: {WEB_WINDOWS} windows of {WEB_WINDOW:g} s with the page polled, each after a"
        " quiet one"
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    stack = contextlib.ExitStack()
    state = stack.enter_context(tempfile.TemporaryDirectory())
    stack.enter_context(mock.patch.dict(os.environ, {"XDG_STATE_HOME": state}))
    ctx = headless_context()
    stack.callback(ctx.release)
    show = open_show(ctx, WEB_SIZE, LiveOptions(clock_offset=130.0), now_wall=time.perf_counter())
    stack.callback(show.release)
    stack.enter_context(open_inputs(show, Inputs(web=port)))
    feed = show.frame_listeners[-1]  # the page's feed (nebula.app.webfeed.ShowFeed)

    cmd = [sys.executable, "-c", _POLLER, f"http://127.0.0.1:{port}"]
    poller = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert poller.stdout is not None
        poller.stdout.readline()
        show_rate(show, 2.0)  # warm up (the feed on: its first frame and status written)

        def to_quiet() -> None:
            show.frame_listeners.remove(feed)
            poller.send_signal(signal.SIGSTOP)

        def to_served() -> None:
            show.frame_listeners.append(feed)
            poller.send_signal(signal.SIGCONT)

        quiet_fps, web_fps = alternating_rates(show, WEB_WINDOWS, WEB_WINDOW, to_quiet, to_served)
    finally:
        poller.kill()
        poller.communicate()
        stack.close()
    return {
        "web_quiet_fps": round(quiet_fps, 2),
        "web_fps": round(web_fps, 2),
        "web_vs_quiet": round(web_fps / quiet_fps, 3),
    }
