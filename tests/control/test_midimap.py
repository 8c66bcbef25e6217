"""The MIDI decoders and takeover on message sequences, and the mapping file's validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from nebula.config import ConfigError
from nebula.control.midi import shipped_midi_map
from nebula.control.midimap import (
    PICKUP_SECONDS,
    Fourteen,
    Takeover,
    parse_midi_map,
    read_midi_map,
    relative_delta,
)


@pytest.mark.parametrize(
    "encoding,ticks",
    [
        ("twos_complement", {1: 1, 5: 5, 63: 63, 127: -1, 123: -5, 65: -63}),
        ("offset_64", {65: 1, 70: 6, 64: 0, 63: -1, 58: -6}),
        ("signed_bit", {1: 1, 9: 9, 65: -1, 73: -9}),
    ],
)
def test_relative_encodings_decode_each_tick(encoding: str, ticks: dict[int, int]) -> None:
    assert {v: relative_delta(v, encoding) for v in ticks} == ticks


def test_a_14_bit_pair_comes_whole_with_its_lsb() -> None:
    pair = Fourteen()
    assert pair.feed(64, is_lsb=False) == pytest.approx(64 / 127)  # no LSB seen yet: 7 bits
    assert pair.feed(0, is_lsb=True) == (64 << 7) / 16383
    assert pair.feed(127, is_lsb=False) is None  # an MSB waits for its LSB now
    assert pair.feed(127, is_lsb=True) == 1.0
    pair.feed(0, is_lsb=False)
    assert pair.feed(1, is_lsb=True) == 1 / 16383  # the resolution 7 bits lack


def test_pickup_waits_until_the_knob_crosses_the_value() -> None:
    tk = Takeover("pickup")
    value = 0.7
    t = 0.0
    for knob in (0.1, 0.2, 0.3, 0.5):  # slowly up, still below the value: nothing
        t += 0.2
        assert tk.feed(knob, value, t) is None
    t += 0.2
    assert tk.feed(0.75, value, t) == 0.75  # crossed it: taken over
    t += 0.2
    assert tk.feed(0.6, 0.75, t) == 0.6  # and follows from then on


def test_pickup_catches_a_fast_sweep_within_the_jump_window() -> None:
    tk = Takeover("pickup")
    assert tk.feed(0.5, 0.5, 0.0) == 0.5  # on the value
    # A fast sweep: big steps, each within PICKUP_SECONDS of the last accepted.
    t = 0.0
    for knob in (0.6, 0.75, 0.9, 1.0):
        t += PICKUP_SECONDS * 0.8
        assert tk.feed(knob, knob - 0.15, t) == knob
    # Long after, another source has set the value to 0.5: the knob near the top moving a
    # little does not make it jump back up; sweeping down through 0.5 takes it over again.
    assert tk.feed(0.95, 0.5, t + 1.0) is None
    assert tk.feed(0.8, 0.5, t + 1.2) is None
    assert tk.feed(0.45, 0.5, t + 1.4) == 0.45


def test_scale_brings_knob_and_value_to_the_end_together() -> None:
    tk = Takeover("scale")
    assert tk.feed(0.5, 0.8, 0.0) is None  # the first position only says where the knob is
    value = 0.8
    for knob in (0.6, 0.7, 0.8, 0.9, 1.0):
        value = tk.feed(knob, value, 0.0)  # type: ignore[assignment]
    assert value == pytest.approx(1.0)
    tk2 = Takeover("scale")
    tk2.feed(0.5, 0.8, 0.0)
    value = 0.8
    for knob in (0.4, 0.3, 0.2, 0.1, 0.0):
        value = tk2.feed(knob, value, 0.0)  # type: ignore[assignment]
    assert value == pytest.approx(0.0)
    assert Takeover("none").feed(0.3, 0.9, 0.0) == 0.3


def test_the_shipped_map_loads() -> None:
    m = read_midi_map(shipped_midi_map())
    assert m.cc(0, 7) is not None and m.cc(0, 39) == (m.cc(0, 7)[0], True)  # type: ignore[index]
    assert m.note(0, 36) is not None and m.note(0, 36).action == "share"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text,message",
    [
        ('[[cc]]\nchannel = 1\ncontrol = 1\nparam = "exposur"\n', "line 1"),
        (
            '[[cc]]\nchannel = 17\ncontrol = 1\nparam = "bloom"\n',
            "channel = 17; allowed: an integer 1 to 16",
        ),
        (
            '[[cc]]\nchannel = 1\ncontrol = 1\nparam = "bloom"\ntakeover = "soft"\n',
            "takeover = 'soft'; allowed: none, pickup, scale",
        ),
        (
            '[[cc]]\nchannel = 1\ncontrol = 1\nparam = "bloom"\nmode = "relative"\n'
            'encoding = "x"\n',
            "allowed: twos_complement, offset_64, signed_bit",
        ),
        (
            '\n[[cc]]\nchannel = 1\ncontrol = 1\nparam = "bloom"\nknob = 3\n',
            "line 2 ([[cc]] 1): unknown key 'knob'",
        ),
        ('[[note]]\nchannel = 1\nnote = 36\naction = "quit"\n', "action = 'quit'; allowed:"),
        (
            '[[cc]]\nchannel = 1\ncontrol = 1\nparam = "bloom"\n'
            '[[cc]]\nchannel = 1\ncontrol = 1\nparam = "haze"\n',
            "mapped twice",
        ),
        ("[knobs]\n", "unknown table 'knobs'"),
    ],
)
def test_a_bad_mapping_is_refused_with_its_line_key_and_allowed_values(
    text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=None) as e:
        parse_midi_map(text, "MIDI map m.toml")
    assert message in str(e.value)
    assert str(e.value).startswith("MIDI map m.toml")


def test_a_param_name_typo_lists_the_parameters() -> None:
    with pytest.raises(ConfigError, match="param = 'exposur'; allowed: swirl_speed"):
        parse_midi_map('[[cc]]\nchannel = 1\ncontrol = 1\nparam = "exposur"\n', "m")


def test_learn_binds_and_saves_a_map_that_reads_back(tmp_path: Path) -> None:
    m = read_midi_map(shipped_midi_map())
    m.bind(0, 4, "grain")  # control 4 drove exposure: now grain
    again = parse_midi_map(m.dumps(), "saved")
    found = again.cc(0, 4)
    assert found is not None and found[0].param == "grain"
    assert [c.param for c in again.ccs].count("exposure") == 0
    assert len(again.notes) == len(m.notes)
