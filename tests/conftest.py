"""Shared fixtures: one headless GL context per session (GL tests end with a clean error
state), a private X server, and a guard that no rendering starts before arguments are checked."""

from __future__ import annotations

import os

# Before nebula is imported: a uniform that no shader declares fails instead of rendering zero.
os.environ.setdefault("NEBULA_STRICT_UNIFORMS", "1")

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import moderngl
import pytest

from nebula.piece import Piece
from nebula.render.context import headless_context


@pytest.fixture(scope="session")
def gl() -> Iterator[moderngl.Context]:
    ctx = headless_context()
    yield ctx
    ctx.release()


@pytest.fixture
def ctx(gl: moderngl.Context) -> Iterator[moderngl.Context]:
    """The session context, asserting the test left no GL error behind."""
    _ = gl.error  # clear anything stale
    yield gl
    assert gl.error == "GL_NO_ERROR"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on a private X server (the ``xdisplay`` fixture) open windows: mark them so the
    quick tier (``-m "not window and not slow"``) leaves them out."""
    for item in items:
        if {"xdisplay", "two_displays"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.window)


@pytest.fixture
def xdisplay() -> Iterator[str]:
    """A private X server, small so fullscreen frames stay cheap on llvmpipe."""
    for tool in ("Xvfb", "xdotool"):
        assert shutil.which(tool), f"{tool} is missing: run scripts/setup.sh"
    r, w = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0", "320x180x24", "-nolisten", "tcp"],
        pass_fds=(w,),
        stderr=subprocess.DEVNULL,
    )
    os.close(w)
    with os.fdopen(r) as f:
        number = f.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(10)


#: Xorg's dummy driver: unlike Xvfb (one display to SDL whatever its monitors), its RandR
#: outputs are displays of their own to SDL.
DUMMY_XORG_CONF = """
Section "Device"
    Identifier "dummy"
    Driver "dummy"
    VideoRam 65536
EndSection
Section "Monitor"
    Identifier "monitor"
    HorizSync 5.0 - 1000.0
    VertRefresh 5.0 - 200.0
EndSection
Section "Screen"
    Identifier "screen"
    Device "dummy"
    Monitor "monitor"
    DefaultDepth 24
    SubSection "Display"
        Depth 24
        Virtual 2560 720
    EndSubSection
EndSection
"""


@pytest.fixture
def two_displays(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private Xorg on the dummy driver with two 1280x720 displays side by side (0,0 and
    1280,0), as SDL sees two monitors. Yields its DISPLAY."""
    for tool in ("Xorg", "xrandr"):
        assert shutil.which(tool), f"{tool} is missing: run scripts/setup.sh"
    folder = tmp_path_factory.mktemp("xorg")
    conf = folder / "dummy.conf"
    conf.write_text(DUMMY_XORG_CONF, encoding="utf-8")
    r, w = os.pipe()
    xorg = subprocess.Popen(
        [
            *("Xorg", "-displayfd", str(w), "-noreset", "-nolisten", "tcp"),
            *("-config", str(conf), "-logfile", str(folder / "xorg.log")),
        ],
        pass_fds=(w,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(w)
    with os.fdopen(r) as f:
        number = f.readline().strip()
    assert number, f"Xorg did not start: see {folder / 'xorg.log'}"
    display = f":{number}"
    env = {**os.environ, "DISPLAY": display}
    try:
        for args in (
            ["--output", "DUMMY0", "--mode", "1280x720"],
            ["--addmode", "DUMMY1", "1280x720"],
            ["--output", "DUMMY1", "--mode", "1280x720", "--right-of", "DUMMY0"],
        ):
            subprocess.run(["xrandr", *args], env=env, check=True, timeout=30)
        # A plain query probes the outputs again: SDL reads the server's current state without
        # probing, and sees one display until something has.
        subprocess.run(["xrandr"], env=env, check=True, timeout=30, capture_output=True)
        yield display
    finally:
        xorg.terminate()
        xorg.wait(10)


@pytest.fixture
def no_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if anything gets as far as making a Piece: arguments are checked first."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("rendering started before the arguments were checked")

    monkeypatch.setattr(Piece, "__init__", refuse)


@pytest.fixture(scope="session")
def jack() -> Iterator[str]:
    """A private JACK server on the dummy backend (no sound card): real MIDI ports in user
    space for the MIDI tests, under a name of its own so a user's JACK is left alone. Yields
    the server's name (also set as JACK_DEFAULT_SERVER, which rtmidi's JACK API follows)."""
    assert shutil.which("jackd"), "jackd is missing: run scripts/setup.sh (Debian's jackd2)"
    # One name per xdist worker, the same every run: JACK keeps a registry of at most 8 servers
    # by name, and only a server of the same name takes over a dead one's entry (a killed
    # server's stays), so names new each run would fill it ("Too many servers").
    name = f"nebula-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    env = {**os.environ, "JACK_NO_AUDIO_RESERVATION": "1"}
    proc = subprocess.Popen(
        # A long client timeout: on two busy cores (llvmpipe drawing) a client late to its
        # cycle must not be thrown out (zombified), which ends its MIDI.
        [
            "jackd",
            "--no-realtime",
            "-t",
            "20000",
            "-n",
            name,
            "-d",
            "dummy",
            "-r",
            "48000",
            "-p",
            "1024",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    saved = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = name
    os.environ["NEBULA_MIDI_API"] = "UNIX_JACK"
    try:
        # jack_wait blocks until the server answers (or 10 s pass).
        up = subprocess.run(["jack_wait", "-s", name, "-w", "-t", "10"], capture_output=True)
        assert up.returncode == 0 and proc.poll() is None, "the JACK dummy server did not start"
        yield name
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        os.environ.pop("NEBULA_MIDI_API", None)
        if saved is None:
            os.environ.pop("JACK_DEFAULT_SERVER", None)
        else:
            os.environ["JACK_DEFAULT_SERVER"] = saved
