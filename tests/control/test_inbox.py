"""The inbox between the threads that post events and the one that takes them: a parameter's
newer value from the same source replaces the waiting one in its place, a full inbox drops and
counts, and take hands the oldest first, at most as many as asked."""

from __future__ import annotations

import threading

from nebula.control.events import Event
from nebula.control.inbox import INBOX_SIZE, Inbox


def test_a_newer_value_replaces_the_waiting_one_and_keeps_its_place() -> None:
    inbox = Inbox()
    assert inbox.post(Event("osc", "param:bloom", 1.0))
    assert inbox.post(Event("osc", "share", 2))
    assert inbox.post(Event("midi", "param:bloom", 0.5))  # another source: its own place
    assert inbox.post(Event("osc", "param:bloom", 1.5))
    assert inbox.post(Event("osc", "pause"))
    assert inbox.post(Event("osc", "pause"))  # actions are never coalesced
    assert len(inbox) == 5 and inbox.coalesced == 1 and inbox.dropped == 0
    assert inbox.take() == [
        Event("osc", "param:bloom", 1.5),
        Event("osc", "share", 2),
        Event("midi", "param:bloom", 0.5),
        Event("osc", "pause"),
        Event("osc", "pause"),
    ]
    assert len(inbox) == 0 and inbox.take() == []
    # Once taken, the parameter's next value waits anew, at the end.
    inbox.post(Event("osc", "share", None))
    inbox.post(Event("osc", "param:bloom", 2.0))
    assert inbox.take() == [Event("osc", "share", None), Event("osc", "param:bloom", 2.0)]


def test_a_full_inbox_drops_and_counts_but_still_takes_a_newer_value() -> None:
    inbox = Inbox(3)
    assert inbox.post(Event("osc", "param:bloom", 1.0))
    assert inbox.post(Event("osc", "share", 1))
    assert inbox.post(Event("osc", "share", 2))
    assert not inbox.post(Event("osc", "share", 3))
    assert not inbox.post(Event("key", "param:bloom", 0.2))  # a new place: there is none
    assert inbox.post(Event("osc", "param:bloom", 1.5))  # its place is waiting: replaced
    assert (len(inbox), inbox.dropped, inbox.coalesced) == (3, 2, 1)
    assert inbox.take() == [
        Event("osc", "param:bloom", 1.5),
        Event("osc", "share", 1),
        Event("osc", "share", 2),
    ]
    assert inbox.post(Event("osc", "share", 3))  # room again


def test_take_hands_the_oldest_first_at_most_limit() -> None:
    inbox = Inbox()
    for i in range(10):
        inbox.post(Event("osc", "share", i))
    assert [e.value for e in inbox.take(4)] == [0, 1, 2, 3]
    assert [e.value for e in inbox.take(0)] == []
    assert [e.value for e in inbox.take(4)] == [4, 5, 6, 7]
    assert [e.value for e in inbox.take(4)] == [8, 9]
    assert inbox.take(4) == []


def test_the_default_size_and_no_bound() -> None:
    assert Inbox().size == INBOX_SIZE == 4096
    unbounded = Inbox(None)
    for i in range(INBOX_SIZE + 10):
        assert unbounded.post(Event("osc", "share", i % 8))
    assert len(unbounded) == INBOX_SIZE + 10 and unbounded.dropped == 0


def test_posts_from_several_threads_are_all_taken_or_counted() -> None:
    inbox = Inbox(1000)
    taken: list[Event] = []

    def post(source: str) -> None:
        for i in range(500):
            inbox.post(Event(source, "share", i % 8))

    threads = [threading.Thread(target=post, args=(s,)) for s in ("osc", "midi", "key")]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        taken += inbox.take(64)
    taken += inbox.take()
    assert len(taken) + inbox.dropped == 1500 and inbox.coalesced == 0
