from __future__ import annotations

from nebula.gallery.keylock import KeyLock


def test_outside_installation_every_key_passes() -> None:
    lock = KeyLock(installation=False)
    assert lock.key_down("escape", now=0.0) is True
    assert lock.key_down("space", now=0.0) is True
    assert lock.update(10.0) is False


def test_stray_keys_do_nothing_in_installation() -> None:
    lock = KeyLock(installation=True)
    for key in ("space", "p", "f11", "1", "q", "r"):
        assert lock.key_down(key, now=1.0) is False, key
        lock.key_up(key, now=1.1)
    assert lock.key_down("q", ctrl=True, now=1.2) is False  # Ctrl+Q alone is not the exit
    assert lock.key_down("q", alt=True, now=1.3) is False
    assert lock.update(100.0) is False


def test_esc_tap_does_not_quit_but_a_three_second_hold_does() -> None:
    lock = KeyLock(installation=True)
    assert lock.key_down("escape", now=10.0) is False
    lock.key_up("escape", now=10.5)
    assert lock.update(20.0) is False
    lock.key_down("escape", now=30.0)
    lock.key_down("escape", now=31.0)  # key repeat must not restart the hold
    assert lock.update(32.9) is False
    assert 0.6 < lock.hold_progress(32.0) < 0.7
    assert lock.update(33.0) is True


def test_hold_released_early_then_pressed_again_starts_over() -> None:
    lock = KeyLock(installation=True)
    lock.key_down("escape", now=0.0)
    lock.key_up("escape", now=2.5)
    lock.key_down("escape", now=2.6)
    assert lock.update(5.0) is False
    assert lock.update(5.7) is True


def test_focus_loss_forgets_a_held_esc() -> None:
    lock = KeyLock(installation=True)
    lock.key_down("escape", now=0.0)
    lock.focus_lost()
    assert lock.update(10.0) is False


def test_ctrl_alt_q_quits_at_once() -> None:
    lock = KeyLock(installation=True)
    assert lock.key_down("q", ctrl=True, alt=True, now=0.0) is False
    assert lock.update(0.0) is True


def test_allow_hotkeys_lets_other_keys_through_but_not_esc() -> None:
    lock = KeyLock(installation=True, allow_hotkeys=True)
    assert lock.key_down("space", now=0.0) is True
    assert lock.key_down("escape", now=0.0) is False
    assert lock.update(1.0) is False
