"""Listening through a real audio system: a JACK dummy server (no sound card) with JACK clients
that are not ours playing speech into it, heard through PortAudio (sounddevice) as a user's
microphone would be."""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import moderngl
import pytest

from nebula.config import default_values
from nebula.control.events import Event, check
from nebula.listen.device import Listener
from nebula.listen.ear import Ear
from nebula.listen.mapping import load_listen_map
from tests.helpers import NEBULA
from tests.listen.conftest import play


def wait_for(test: object, seconds: float) -> bool:
    assert callable(test)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if test():
            return True
        time.sleep(0.05)
    return bool(test())


@pytest.mark.slow
def test_speech_played_into_jack_is_heard_as_a_share(jack: str, speech: list[Path]) -> None:
    events: list[Event] = []
    player = play(f"voice-{os.getpid()}", speech[2], delay=0.5, seconds=7.0)
    try:
        listener = Listener(f"voice-{os.getpid()}", Ear(load_listen_map(), events.append,
                                                          default_values))  # fmt: skip
        try:
            assert wait_for(lambda: any(e.target == "share" for e in events), 8.0), events
            assert "listen [" in listener.status()
        finally:
            listener.close()
    finally:
        player.kill()
        player.wait()
    for e in events:
        check(e, figures=None)
        assert e.source == "listen"


def test_a_device_that_is_not_there_is_refused_with_the_list(jack: str) -> None:
    p = subprocess.run(
        [*NEBULA, "run", "--listen", "no such microphone"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 2, p.stderr
    assert "no input device is called that; the input devices: 'system'" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


@pytest.fixture
def own_jack(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """A JACK server of this test's own, which it stops and starts again."""
    name = "nebula-listen-test"  # the same each run (tests/conftest.py's jack says why)
    monkeypatch.setenv("JACK_DEFAULT_SERVER", name)
    monkeypatch.setenv("JACK_NO_AUDIO_RESERVATION", "1")
    cmd = ["jackd", "--no-realtime", "-t", "20000", "-n", name, "-d", "dummy", "-r", "48000",
           "-p", "1024"]  # fmt: skip
    state: dict[str, object] = {"name": name}

    def start() -> None:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        up = subprocess.run(["jack_wait", "-s", name, "-w", "-t", "10"], capture_output=True)
        if up.returncode != 0:
            proc.kill()
            raise AssertionError(f"the JACK dummy server did not start: {proc.communicate()[0]}")
        state["proc"] = proc

    def stop() -> None:
        proc = state.pop("proc", None)
        if isinstance(proc, subprocess.Popen):
            proc.terminate()
            try:
                proc.communicate(
                    timeout=3
                )  # (killed after: its registry entry is taken over by the same name next time)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()

    state["start"], state["stop"] = start, stop
    start()
    try:
        yield state
    finally:
        stop()


@pytest.mark.slow
def test_listening_comes_back_when_the_jack_server_does(
    ctx: moderngl.Context,
    own_jack: dict[str, object],
    speech: list[Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The server stopped mid-show: said once, the show's frames never held up, and listening
    back within 5 s of the server's return."""
    from nebula.app.live import Inputs, open_inputs
    from nebula.app.show import Show
    from nebula.config import Settings

    start, stop = own_jack["start"], own_jack["stop"]
    assert callable(start) and callable(stop)
    player = play("room-mic", speech[1], seconds=60.0)
    show = Show(ctx, (96, 54), Settings(seed=5), now_wall=0.0, clock_offset=40.0)
    gaps: list[float] = []
    began = time.monotonic()

    def frames_until(test: object, seconds: float) -> bool:
        """The show's frames, drawn until ``test()`` or ``seconds``: their intervals kept."""
        assert callable(test)
        end = last = time.monotonic()
        end += seconds
        while not test():
            if time.monotonic() >= end:
                return False
            show.frame(time.monotonic() - began)
            now = time.monotonic()
            gaps.append(now - last)
            last = now
        return True

    try:
        with (
            caplog.at_level(logging.INFO, logger="nebula.listen"),
            open_inputs(show, Inputs(listen="room-mic")) as opened,
        ):
            listener = opened.listen
            assert listener is not None
            assert frames_until(lambda: listener.ear.frames > 20, 5.0)
            stop()
            player.kill()  # its server gone, the player goes too
            player.wait()
            assert frames_until(lambda: listener.lost, 5.0)
            assert any("is gone" in line.text for line in show.hud_lines())
            frames_until(lambda: False, 2.5)  # (a retry against no server)
            start()
            back = time.monotonic()
            player = play("room-mic", speech[1], seconds=60.0)  # the room's microphone, back
            assert frames_until(lambda: not listener.lost, 8.0), "listening did not come back"
            took = time.monotonic() - back
            print(f"listening again {took:.2f} s after the server's return")
            assert took <= 5.0
            heard = listener.ear.frames
            assert frames_until(lambda: listener.ear.frames > heard + 20, 5.0)
            assert listener.reopened == 1
        gone = [r for r in caplog.records if "is gone" in r.message]
        assert len(gone) == 1
    finally:
        show.release()
        player.kill()
        player.wait()
    print(f"{len(gaps)} frames, the longest {max(gaps) * 1e3:.0f} ms")
    assert max(gaps) < 0.25, max(gaps)


@pytest.mark.slow
def test_a_listened_session_s_journal_replays_exactly(
    ctx: moderngl.Context, jack: str, speech: list[Path], tmp_path: Path
) -> None:
    """The shares and parameter moves a voice made are journaled like any other events, and
    the journal replays every frame signature of the live session."""
    from nebula.app.live import Inputs, open_inputs
    from nebula.app.show import Show
    from nebula.config import Settings
    from nebula.control.journal import read_journal
    from nebula.replay import check_signatures

    name = f"journal-voice-{os.getpid()}"
    show = Show(ctx, (96, 54), Settings(seed=5), now_wall=0.0, clock_offset=40.0)
    player = play(name, speech[2], delay=0.5, seconds=20.0)
    journal = tmp_path / "listened.jsonl"
    try:
        with open_inputs(show, Inputs(journal=journal, listen=name)):
            began = time.monotonic()
            while time.monotonic() - began < 4.5:
                show.frame(time.monotonic() - began)
                time.sleep(1 / 30)
    finally:
        show.release()
        player.kill()
        player.wait()
    j = read_journal(journal)
    listened = [e for e in j.events if e.source == "listen"]
    assert any(e.target == "share" for e in listened), j.events
    assert any(e.param for e in listened)
    assert check_signatures(j, ctx=ctx) == []
