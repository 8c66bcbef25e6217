from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from nebula.gallery.hours import HoursError, parse_hours, seconds_of_day


def hm(h: int, m: int = 0, s: float = 0.0) -> float:
    return h * 3600 + m * 60 + s


def test_day_hours_fade_out_after_closing_and_in_after_opening() -> None:
    hours = parse_hours("10:00-18:00")
    assert hours.brightness(hm(12)) == 1.0
    assert hours.brightness(hm(3)) == 0.0
    # Closing: full at the bell, half after 30 s, black after the 60 s fade.
    assert hours.brightness(hm(17, 59, 59)) == 1.0
    assert hours.brightness(hm(18)) == 1.0
    assert hours.brightness(hm(18, 0, 30)) == pytest.approx(0.5)
    assert hours.brightness(hm(18, 1)) == 0.0
    # Opening: black at the bell, rising, full after 60 s.
    assert hours.brightness(hm(10)) == 0.0
    assert hours.brightness(hm(10, 0, 15)) == pytest.approx(0.25)
    assert hours.brightness(hm(10, 1)) == 1.0


def test_fade_is_monotonic_and_has_no_jumps() -> None:
    hours = parse_hours("10:00-18:00")
    out = [hours.brightness(hm(18) + s) for s in range(0, 61)]
    assert all(b1 <= b0 for b0, b1 in itertools.pairwise(out))
    assert max(abs(b1 - b0) for b0, b1 in itertools.pairwise(out)) <= 1 / 60 + 1e-9
    back = [hours.brightness(hm(10) + s) for s in range(0, 61)]
    assert all(b1 >= b0 for b0, b1 in itertools.pairwise(back))


def test_overnight_hours_wrap_midnight() -> None:
    hours = parse_hours("22:00-02:00")
    assert hours.brightness(hm(23)) == 1.0
    assert hours.brightness(hm(0, 30)) == 1.0
    assert hours.brightness(hm(1, 59)) == 1.0
    assert hours.brightness(hm(3)) == 0.0
    assert hours.brightness(hm(12)) == 0.0
    assert hours.brightness(hm(2, 0, 30)) == pytest.approx(0.5)


def test_hours_print_as_given() -> None:
    assert str(parse_hours("9:05-18:00")) == "09:05-18:00"
    assert str(parse_hours("22:00-02:00")) == "22:00-02:00"


def test_until_midnight() -> None:
    hours = parse_hours("18:00-24:00")
    assert hours.brightness(hm(23, 59)) == 1.0
    assert hours.brightness(hm(0, 2)) == 0.0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("10-18", "is not HH:MM"),
        ("10:00", "is not OPEN-CLOSE"),
        ("10:00-18:00-20:00", "is not OPEN-CLOSE"),
        ("25:00-18:00", "between 00:00 and 24:00"),
        ("10:60-18:00", "between 00:00 and 24:00"),
        ("10:00-10:00", "open all day or never"),
        ("10:00-10:01", "at least"),
    ],
)
def test_bad_hours_are_refused_clearly(text: str, words: str) -> None:
    with pytest.raises(HoursError) as e:
        parse_hours(text)
    assert words in str(e.value)
    assert text in str(e.value)


def test_seconds_of_day() -> None:
    assert seconds_of_day(datetime(2026, 1, 1, 10, 30, 15)) == hm(10, 30, 15)
