"""NDI out (`--ndi NAME`): a receiver process that is not ours (cyndilib's frame-sync, in
nebula.bench.ndi_receive) gets the frames; the sender never makes the frame wait; setup
problems are refused in one line, status 2, with nothing written."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import moderngl
import numpy as np
import pytest
from numpy.typing import NDArray

from nebula.output.ndi import NdiError, NdiSender, check_name, check_size
from nebula.output.png import read_png
from tests.helpers import NEBULA

RECEIVE = [sys.executable, "-m", "nebula.bench.ndi_receive"]
SIZE, FPS, SECONDS = (320, 180), 30, 5.0


def unique(name: str) -> str:
    """A source name no other test (or worker) publishes at the same time."""
    return f"{name} {os.getpid()} {time.monotonic_ns() % 1_000_000}"


def start_receiver(name: str, seconds: float, out: Path) -> subprocess.Popen[str]:
    """The receiver, done after ``seconds`` or 2 s after the source's last frame."""
    return subprocess.Popen(
        [*RECEIVE, name, "--seconds", f"{seconds:g}", "--idle", "2", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish_receiver(p: subprocess.Popen[str]) -> dict[str, Any]:
    out = p.communicate(timeout=60)[0]
    assert p.returncode == 0, out
    return dict(json.loads(out.strip().splitlines()[-1]))


def bt709(rgb: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
    """Luma and the two colour differences (code values)."""
    y = 0.2126 * rgb[..., 0] + 0.7152 * rgb[..., 1] + 0.0722 * rgb[..., 2]
    return y, (rgb[..., 2] - y) / 1.8556, (rgb[..., 0] - y) / 1.5748


def errors(got: NDArray[np.uint8], sent: NDArray[np.uint8]) -> tuple[float, float, float]:
    """Mean error over RGB, and the largest luma and colour errors, the colour over runs of
    four pixels across: NDI carries colour at half the width (4:2:2), so a lone pixel's colour
    cannot come through (at one such pixel RGB differed by 121), while its light does."""
    a, b = got[..., :3].astype(np.float64), sent[..., :3].astype(np.float64)
    ya, *ca = bt709(a)
    yb, *cb = bt709(b)

    def runs(c: NDArray[np.float64]) -> NDArray[np.float64]:
        w = c.shape[-1] // 4 * 4
        out: NDArray[np.float64] = c[..., :w].reshape(*c.shape[:-1], -1, 4).mean(-1)
        return out

    colour = max(float(np.abs(runs(x) - runs(y)).max()) for x, y in zip(ca, cb, strict=True))
    return float(np.abs(a - b).mean()), float(np.abs(ya - yb).max()), colour


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("left/right", "'/'"),
        ('say "hi"', "'\"'"),
        ("a\tb", "'\\t'"),
        ("x" * 129, "at most 128"),
    ],
)
def test_names_ndi_would_change_or_refuse_are_refused(name: str, said: str) -> None:
    with pytest.raises(NdiError, match=said.replace("\\", "\\\\").replace('"', '"')):
        check_name(name)


def test_a_good_name_and_an_even_size_pass() -> None:
    assert check_name("Nebula (hall 2), left") == "Nebula (hall 2), left"
    assert check_size((320, 180)) == (320, 180)
    with pytest.raises(NdiError, match="even width"):
        check_size((321, 180))


def refused(args: list[str], tmp_path: Path, prelude: str = "", **env: str) -> str:
    """`nebula record ... --ndi` refused: status 2, one line, nothing written."""
    out = tmp_path / "frames"
    cmd = [*NEBULA, "record", "--size", "32x18", "--frames", "2", "--codec", "png"]
    cmd += ["--out", str(out), *args]
    if prelude:
        main = "from nebula.cli import main; sys.exit(main(sys.argv[1:]))"
        cmd = [sys.executable, "-c", f"import sys; {prelude}; {main}", *cmd[3:]]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env={**os.environ, **env})
    assert p.returncode == 2, p.stdout + p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert not out.exists()
    return p.stderr


def test_a_name_ndi_refuses_is_refused_in_one_line(tmp_path: Path) -> None:
    assert "NDI does not allow '/'" in refused(["--ndi", "left/right"], tmp_path)


def test_an_odd_ndi_size_is_refused(tmp_path: Path) -> None:
    assert "even width" in refused(["--ndi", "Nebula", "--ndi-size", "321x180"], tmp_path)


def test_alpha_without_ndi_is_refused(tmp_path: Path) -> None:
    assert "need --ndi NAME" in refused(["--ndi-alpha"], tmp_path)


def test_cyndilib_missing_names_the_extra(tmp_path: Path) -> None:
    said = refused(["--ndi", "Nebula"], tmp_path, prelude="sys.modules['cyndilib'] = None")
    assert "pip install 'nebula[ndi]'" in said


def test_an_ndi_library_that_fails_to_load_is_said(tmp_path: Path) -> None:
    """cyndilib without the libndi its wheel carries beside it: the real loader's failure."""
    import cyndilib

    site = tmp_path / "site"
    shutil.copytree(Path(cyndilib.__file__).parent, site / "cyndilib")
    said = refused(["--ndi", "Nebula"], tmp_path, PYTHONPATH=str(site))
    assert "the NDI library failed to load" in said and "libndi" in said


# ---------------------------------------------------------------------------- the sender


class FakeNetwork:
    """Stands for cyndilib's sender module: a network that stalls each send, or fails."""

    def __init__(self, stall: float = 0.0, fail: bool = False) -> None:
        self.stall, self.fail, self.sent, self.opened = stall, fail, 0, 0
        self.last: NDArray[np.uint8] | None = None
        outer = self

        class Sender:
            def __init__(self, name: str, clock_video: bool) -> None:
                assert clock_video is False  # never paced by libndi in the show's loop

            def set_video_frame(self, frame: object) -> None:
                pass

            def open(self) -> None:
                outer.opened += 1

            def close(self) -> None:
                pass

            def get_num_connections(self, timeout: float) -> int:
                return 1

            def write_video(self, data: NDArray[np.uint8]) -> bool:
                if outer.fail:
                    raise RuntimeError("the network is gone")
                time.sleep(outer.stall)
                outer.sent += 1
                outer.last = np.array(data)  # libndi copies it too
                return True

        self.Sender = Sender
        self.video_frame = lambda size, fps, alpha: SimpleNamespace()


def test_a_stalled_receiver_never_makes_the_frame_wait() -> None:
    net = FakeNetwork(stall=0.5)
    sender = NdiSender("Nebula", (64, 36), 60.0, module=net)
    try:
        time.sleep(0.1)  # the thread has counted its receiver
        t0 = time.perf_counter()
        for _ in range(200):
            assert sender.wants()
            sender.offer(sender.buffer())
        took = time.perf_counter() - t0
    finally:
        sender.close()
    assert took < 0.1, f"200 frames handed over in {took:.2f} s past a stalled send"
    assert sender.status.dropped >= 190  # the newest waited; the others were let go
    assert net.sent <= 3


def test_ndi_failing_mid_show_is_logged_once_and_retried(caplog: pytest.LogCaptureFixture) -> None:
    from nebula.output import ndi

    net = FakeNetwork(fail=True)
    ndi.RETRY_SECONDS, saved = 0.2, ndi.RETRY_SECONDS
    try:
        sender = NdiSender("Nebula", (64, 36), 60.0, module=net)
        with caplog.at_level(logging.INFO, logger="nebula.ndi"):
            for _ in range(40):  # every frame offered: the retries get theirs
                sender.offer(sender.buffer())
                time.sleep(0.02)
            failures = [r for r in caplog.records if "sending failed" in r.message]
            assert sender.status.failed and len(failures) == 1
            assert net.opened >= 2  # made again after the failure
            net.fail = False
            deadline = time.monotonic() + 3.0
            while sender.status.failed and time.monotonic() < deadline:
                sender.offer(sender.buffer())
                time.sleep(0.05)
        sender.close()
    finally:
        ndi.RETRY_SECONDS = saved
    assert not sender.status.failed and net.sent > 0
    assert any("publishing again" in r.message for r in caplog.records)


def test_the_show_sends_its_clean_picture_upright_and_says_so_on_its_hud(
    ctx: moderngl.Context,
) -> None:
    """Drawn straight into a window (here a framebuffer standing for it), with the HUD over
    it: what goes out is the frame without the HUD, top row first."""
    from nebula.app.show import Show
    from nebula.config import Settings
    from nebula.output.ndi_feed import NdiOut

    size = (96, 54)
    screen = ctx.simple_framebuffer(size)
    show = Show(ctx, size, Settings(seed=3), screen=screen, now_wall=0.0, clock_offset=130.0)
    net = FakeNetwork()
    out = NdiOut(ctx, "Nebula", size, 60.0, module=net)
    show.taps.append(out)
    show.status.append(out.status.line)
    try:
        for k in range(4):
            show.frame(k / 30)
        assert show.hud_visible and show.screen is screen  # drawn straight into the "window"
        clean = show.piece.read().copy()
        on_screen = np.frombuffer(screen.read(components=3), np.uint8).reshape(54, 96, 3)[::-1]
        lines = [line.text for line in show.hud_lines()]
    finally:
        out.close()  # the last frame read back goes out
        show.release()
        screen.release()
    assert net.last is not None
    sent = net.last.reshape(54, 96, 4)
    assert (sent[..., :3] == clean).all()
    assert (sent[..., 3] == 255).all()
    assert (on_screen != clean).any()  # the HUD is over the window's picture, not NDI's
    assert any(line.startswith("NDI 'Nebula' 96x54: 1 receiving") for line in lines), lines


# ---------------------------------------------------------------------------- on the wire


@pytest.mark.slow
def test_a_receiver_gets_a_recording_s_frames(ndi_env: dict[str, str], tmp_path: Path) -> None:
    """`nebula record --ndi`: at least 95% of a 5 s, 320x180 run, each frame the recorded
    one within the wire's error, at the right size and rate."""
    name = unique("Nebula rec")
    receiver = start_receiver(name, SECONDS + 12.0, tmp_path / "got.npz")
    assert receiver.stdout is not None
    out = tmp_path / "frames"
    cmd = [*NEBULA, "record", "--ndi", name, "--size", "x".join(map(str, SIZE))]
    cmd += ["--fps", str(FPS), "--seconds", f"{SECONDS:g}", "--start", "130"]
    cmd += ["--codec", "png", "--out", str(out)]
    rec = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert rec.returncode == 0, rec.stderr
    assert f"NDI: 1 receiving '{name}'" in rec.stderr
    said = finish_receiver(receiver)
    assert said["size"] == list(SIZE) and said["rate"] == [FPS, 1]
    total = int(SECONDS * FPS)
    assert said["received"] >= 0.95 * total, said
    got = np.load(tmp_path / "got.npz")["frames"]
    sent = np.stack([read_png(p) for p in sorted(out.glob("*.png"))])
    assert len(sent) == total
    wide = sent.astype(np.int16)
    # Each frame received is one recorded: the nearest of those after the last one matched.
    last = -1
    for frame in got:
        near = np.abs(wide[last + 1 : last + 16] - frame[..., :3]).mean(axis=(1, 2, 3))
        k = last + 1 + int(np.argmin(near))
        mean, luma, colour = errors(frame, sent[k])
        assert mean <= 4.0 and luma <= 24.0 and colour <= 24.0, (k, mean, luma, colour)
        assert k > last
        last = k
        assert (frame[..., 3] == 255).all()  # no --ndi-alpha: opaque


@pytest.mark.slow
def test_alpha_is_the_piece_s_coverage_and_arrives(ndi_env: dict[str, str], tmp_path: Path) -> None:
    """`--ndi-alpha`: the figures opaque, the empty sky clear, and what NDI delivers is the
    alpha drawn, within the wire's error."""
    from nebula.config import Settings
    from nebula.output.ndi_feed import NdiOut
    from nebula.piece import Piece

    name = unique("Nebula alpha")
    receiver = start_receiver(name, 4.0, tmp_path / "got.npz")
    with Piece(Settings(), None, SIZE) as piece:
        bare = piece.render(130.0, passes=("plain", "sky", "post")).astype(int)
        piece.draw(130.0)
        out = NdiOut(piece.ctx, name, SIZE, 30.0, alpha=True)
        drawn = np.empty((SIZE[1], SIZE[0], 4), np.uint8)
        try:
            deadline = time.monotonic() + 6.0
            while receiver.poll() is None and time.monotonic() < deadline:
                out(piece, piece.renderer.output)  # the same moment, over and over
                time.sleep(1 / 30)
            out.tap.fbo.read_into(drawn, components=4, alignment=1)
        finally:
            out.close()
        picture = piece.read().astype(int)
    said = finish_receiver(receiver)
    assert said["received"] >= 10, said
    got = np.load(tmp_path / "got.npz")["frames"][-1].astype(np.float64)
    # Alpha goes through NDI's compression too (4:2:2:4): close, not exact (max 16 seen).
    alpha_error = np.abs(got[..., 3] - drawn[..., 3])
    assert alpha_error.mean() <= 4.0 and alpha_error.max() <= 24.0
    # The colour as it shows over another picture (straight alpha: colour times alpha).
    shown = np.abs(got[..., :3] * got[..., 3:] - drawn[..., :3] * drawn[..., 3:].astype(int)) / 255
    assert shown.mean() <= 4.0
    alpha = drawn[..., 3].astype(int)
    figures = np.abs(picture - bare).max(-1) > 40  # where something stands over the sky
    assert figures.mean() > 0.01
    assert np.median(alpha[figures]) >= 200, np.median(alpha[figures])
    top = slice(0, SIZE[1] // 3)  # the sky above the circle: keyed away
    assert np.median(alpha[top][~figures[top]]) <= 40


def test_run_refuses_a_bad_name_before_its_window_opens() -> None:
    p = subprocess.run([*NEBULA, "run", "--ndi", "a:b"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "NDI does not allow ':'" in p.stderr, p.stderr


@pytest.mark.window
@pytest.mark.slow
def test_a_live_window_publishes_at_another_size(
    xdisplay: str, ndi_env: dict[str, str], tmp_path: Path
) -> None:
    """`nebula run --ndi NAME --ndi-size WxH` in a real window: a receiver gets its frames at
    that size and the show's rate, and the log says who receives."""
    name = unique("Nebula live")
    receiver = start_receiver(name, 20.0, tmp_path / "got.npz")
    cmd = [*NEBULA, "run", "--size", "320x180", "--ndi", name, "--ndi-size", "160x90"]
    cmd += ["--exit-after", "4", "--no-vsync"]
    run = subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, env={**os.environ, "DISPLAY": xdisplay}
    )
    assert run.returncode == 0, run.stderr
    assert f"NDI: publishing '{name}' at 160x90, 60 fps" in run.stderr
    assert f"NDI: 1 receiving '{name}'" in run.stderr
    said = finish_receiver(receiver)
    assert said["size"] == [160, 90] and said["rate"] == [60, 1], said
    assert said["received"] >= 20, said
    frames = np.load(tmp_path / "got.npz")["frames"]
    assert frames[..., :3].std() > 5.0  # a picture, not a blank


def test_a_wall_s_tile_publishes_its_own_picture(ctx: moderngl.Context, tmp_path: Path) -> None:
    """`--wall FILE --tile NAME --ndi NAME`: the tile's picture, not the canvas's."""
    from nebula.config import Settings
    from nebula.output.ndi_feed import NdiOut
    from nebula.piece import Piece
    from nebula.wall.file import load_wall

    wall = tmp_path / "wall.toml"
    wall.write_text(
        "[canvas]\nsize = [192, 54]\n[tiles.left]\nrect = [0, 0, 96, 54]\n"
        "[tiles.right]\nrect = [96, 0, 96, 54]\n"
    )
    tile = load_wall(wall).tiles["right"]
    net = FakeNetwork()
    with Piece(Settings(), None, (96, 54), ctx=ctx, tile=tile) as piece:
        out = NdiOut(ctx, "Nebula right", (96, 54), 30.0, module=net)
        try:
            out(piece, piece.draw(130.0))
            picture = piece.read().copy()
        finally:
            out.close()
    assert net.last is not None
    assert (net.last.reshape(54, 96, 4)[..., :3] == picture).all()


def test_follow_with_ndi_is_refused_not_ignored(tmp_path: Path) -> None:
    p = subprocess.run(
        [*NEBULA, "run", "--follow", "127.0.0.1:9", "--ndi", "X"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 2 and "--ndi is not taken with --follow" in p.stderr, p.stderr
