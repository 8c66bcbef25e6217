"""MIDI on real ports: a JACK dummy server's virtual ports (the ``jack`` fixture) stand in for
a controller. Its knobs reach the show through the mapping and the takeover, its pads fire
actions, values set elsewhere come back to it (and its echo is ignored), MIDI learn binds and
saves, and an unknown port lists the ports there are."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mido
import moderngl
import pytest

from nebula.app.show import Show
from nebula.config import ConfigError, Settings
from nebula.control.events import Event
from nebula.control.midi import MidiInput, backend, find_port, load_midi_map, user_midi_map
from nebula.control.midimap import read_midi_map

SIZE = (64, 36)


class Controller:
    """A controller's two sides as virtual ports: it sends on ``out``, hears on ``inp``."""

    def __init__(self, name: str) -> None:
        b = backend()
        self.out = b.open_output(name, virtual=True)
        self.heard: list[Any] = []
        self.inp = b.open_input(name, virtual=True, callback=self.heard.append)

    def cc(self, control: int, value: int, channel: int = 0) -> None:
        self.out.send(mido.Message("control_change", channel=channel, control=control, value=value))

    def close(self) -> None:
        self.out.close()
        self.inp.close()


@pytest.fixture
def rig(
    jack: str, ctx: moderngl.Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Show, Controller, MidiInput]]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    ctl = Controller(f"ctl{time.monotonic_ns() % 10**6}")
    show = Show(ctx, SIZE, Settings(seed=2), now_wall=0.0, clock_offset=30.0, hud_visible=False)
    midi = MidiInput(ctl.out.name.split(":")[-1], load_midi_map(), show).start()
    try:
        yield show, ctl, midi
    finally:
        midi.close()
        ctl.close()
        show.release()


def drain(show: Show, until: Any, timeout: float = 3.0) -> None:
    """Let the show apply what its MIDI thread posted (one frame a turn) until ``until()``."""
    end = time.monotonic() + timeout
    t = show._wall
    while time.monotonic() < end:
        t += 1 / 60
        show.frame(t)
        if until():
            return
        time.sleep(0.005)
    raise AssertionError("the MIDI messages did not arrive")


def test_a_knob_takes_over_the_value_and_drives_it(rig: tuple[Show, Controller, MidiInput]) -> None:
    show, ctl, midi = rig
    # CC 4 is exposure (0.2 to 3, now 1.0, at 0.286 of the range): pickup.
    ctl.cc(4, 100)  # far above the value: nothing
    ctl.cc(4, 110)
    time.sleep(0.2)
    drain(show, lambda: midi.received >= 2)
    assert show.wanted["exposure"] == 1.0
    ctl.cc(4, 30)  # crosses 0.286 on the way down: taken over
    drain(show, lambda: show.wanted["exposure"] != 1.0)
    assert show.wanted["exposure"] == pytest.approx(0.2 + 30 / 127 * 2.8)


def test_a_14_bit_pair_and_an_encoder_and_a_pad(rig: tuple[Show, Controller, MidiInput]) -> None:
    show, ctl, midi = rig
    # thread_glow: MSB 7, LSB 39, range 0 to 3, now 1.0 = 5461/16383: pick it up exactly.
    ctl.cc(7, 5461 >> 7)
    ctl.cc(39, 5461 & 0x7F)
    drain(show, lambda: midi.received >= 2)
    ctl.cc(7, 8192 >> 7)
    ctl.cc(39, 8192 & 0x7F)
    drain(show, lambda: show.wanted["thread_glow"] == pytest.approx(3 * 8192 / 16383))
    # haze: an encoder on CC 16 (two's complement): three ticks down, 0.1 each.
    for _ in range(3):
        ctl.cc(16, 127)
    drain(show, lambda: show.wanted["haze"] == pytest.approx(0.7))
    # Note 36 on channel 1: the dreamer shares.
    ctl.out.send(mido.Message("note_on", note=36, velocity=100))
    seen: list[Event] = []
    show.listeners.append(seen.append)
    drain(show, lambda: any(e.target == "share" for e in seen))
    assert [e.source for e in seen if e.target == "share"] == ["midi"]


def test_values_set_elsewhere_come_back_and_the_echo_is_ignored(
    rig: tuple[Show, Controller, MidiInput],
) -> None:
    show, ctl, midi = rig
    show.apply(Event("osc", "param:bloom", 2.0))  # bloom: CC 5, range 0 to 2
    deadline = time.monotonic() + 3
    while not ctl.heard and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [(m.control, m.value) for m in ctl.heard] == [(5, 127)]
    before = midi.received
    ctl.cc(5, 127)  # the controller echoing what it was sent: not a change
    drain(show, lambda: midi.received > before)
    show.frame(show._wall + 0.1)
    assert show.timeline.pending == 0 or show.wanted["bloom"] == 2.0
    assert show.wanted["bloom"] == 2.0


def test_midi_learn_binds_the_next_control_to_the_next_key_and_saves(
    rig: tuple[Show, Controller, MidiInput],
) -> None:
    show, ctl, midi = rig
    assert show.do("midi_learn")
    ctl.cc(21, 64)  # an unmapped control
    deadline = time.monotonic() + 3
    while midi._learned is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert show.do("up:grain")  # names the parameter instead of stepping it
    assert show.wanted["grain"] == 1.0
    saved = read_midi_map(user_midi_map())
    found = saved.cc(0, 21)
    assert found is not None and found[0].param == "grain"
    assert user_midi_map().parent.parent.name == "config"  # inside the user's config folder
    ctl.cc(21, 127)  # pickup: 127 is far from grain's 1/3: a sweep down through it
    ctl.cc(21, 20)
    drain(show, lambda: show.wanted["grain"] != 1.0)


@pytest.mark.slow
def test_an_unknown_port_lists_the_ports(jack: str) -> None:
    ctl = Controller("knobs")
    try:
        with pytest.raises(
            ConfigError, match=r"no MIDI input port 'nope'; the input ports are: .*knobs"
        ):
            find_port("nope", backend().get_input_names(), "input")
        r = subprocess.run(
            [sys.executable, "-m", "nebula", "run", "--midi", "nope"],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 2
        assert "no MIDI input port 'nope'" in r.stderr and "knobs" in r.stderr
        listed = subprocess.run(
            [sys.executable, "-m", "nebula", "midi-ports"], capture_output=True, text=True
        )
        assert listed.returncode == 0 and "knobs" in listed.stdout, listed.stderr
    finally:
        ctl.close()
