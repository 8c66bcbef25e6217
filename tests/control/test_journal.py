"""The journal's file: flushed line by line, a torn last line tolerated, a different version or
an unknown event refused with its line, an existing file never overwritten, rotation; and the
timeline that applies events on their steps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nebula.config import Params, Settings
from nebula.control.events import Event, EventError
from nebula.control.journal import (
    JournalError,
    JournalWriter,
    Signature,
    header,
    lines,
    read_journal,
)
from nebula.control.timeline import Timeline
from nebula.sim.world import World


def head(**over: object) -> dict[str, object]:
    h = header(Settings(seed=5), "dawn", Params(), 60.0, 3600, (640, 360), (320, 180))
    return {**h, **over}


def write(path: Path, *rows: object, tail: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + tail, encoding="utf-8")
    return path


EV = {"source": "key", "step": 3601, "time": 60.0, "target": "param:bloom", "value": 1.2}


def test_a_journal_reads_back_what_was_written(tmp_path: Path) -> None:
    w = JournalWriter(tmp_path / "j.jsonl", head())
    w.event(Event("osc", "share", 2, 3602, 60.01))
    w.signature(Signature(60.5, 3630, 41.5, 12345))
    # Flushed as written: a reader sees every line while the writer is still open.
    assert len(list(lines(tmp_path / "j.jsonl"))) == 3
    w.close()
    j = read_journal(tmp_path / "j.jsonl")
    assert j.settings == Settings(seed=5) and j.preset == "dawn"
    assert (j.start_time, j.start_step, j.render) == (60.0, 3600, (320, 180))
    assert j.events == [Event("osc", "share", 2, 3602, 60.01)]
    assert j.signatures == [Signature(60.5, 3630, 41.5, 12345)]


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    p = tmp_path / "j.jsonl"
    p.write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        JournalWriter(p, head())
    assert p.read_text(encoding="utf-8") == "mine"


def test_a_torn_last_line_is_left_out_with_a_warning(tmp_path: Path) -> None:
    p = write(tmp_path / "j.jsonl", head(), {"event": EV}, tail='{"event": {"source": "ke')
    with pytest.warns(UserWarning, match="line 3 is torn"):
        j = read_journal(p)
    assert len(j.events) == 1


def test_a_bad_line_in_the_middle_is_refused_with_its_number(tmp_path: Path) -> None:
    p = tmp_path / "j.jsonl"
    p.write_text(json.dumps(head()) + "\n{oops\n" + json.dumps({"event": EV}) + "\n")
    with pytest.raises(JournalError, match="line 2 is not a JSON object"):
        read_journal(p)


@pytest.mark.parametrize(
    "rows,message",
    [
        ([head(version=99)], "journal version 99; this nebula reads version 1"),
        ([head(journal="other")], "not a nebula journal"),
        ([head(), {"event": {**EV, "target": "explode"}}], "line 2: unknown target 'explode'"),
        ([head(), {"event": {**EV, "value": float("nan")}}], "line 2: .*finite"),
        ([head(), {"event": {**EV, "source": "telepathy"}}], "line 2: unknown source"),
        ([head(), {"wobble": 1}], "line 2: unknown entry"),
        ([{k: v for k, v in head().items() if k != "settings"}], "missing settings"),
    ],
)
def test_a_journal_it_cannot_replay_is_refused_with_a_clear_line(
    tmp_path: Path, rows: list[object], message: str
) -> None:
    with pytest.raises(JournalError, match=message):
        read_journal(write(tmp_path / "j.jsonl", *rows))


def test_rotation_moves_the_file_aside_and_starts_a_new_header(tmp_path: Path) -> None:
    p = tmp_path / "j.jsonl"
    w = JournalWriter(p, head(), max_bytes=200, keep=2)
    for i in range(5):
        w.event(Event("key", "param:bloom", 1.0 + i / 10, 3601 + i, 60.0))
    assert w.full
    pending = [Event("key", "share", None, 9000, 150.0)]
    w.rotate(head(start={"time": 240.0, "step": 14400}), pending)
    w.rotate(head(start={"time": 480.0, "step": 28800}), [])
    w.rotate(head(start={"time": 720.0, "step": 43200}), [])
    w.close()
    assert sorted(f.name for f in tmp_path.iterdir()) == ["j.jsonl", "j.jsonl.1", "j.jsonl.2"]
    assert read_journal(p).start_time == 720.0
    assert read_journal(tmp_path / "j.jsonl.2").start_time == 240.0  # the oldest kept
    assert read_journal(tmp_path / "j.jsonl.2").events == pending


def test_events_take_effect_on_their_step_whatever_the_frames() -> None:
    world = World(Settings(seed=1))
    tl = Timeline(world, Params())
    tl.schedule([Event("key", "param:bloom", 2.0, 10, 0.0), Event("key", "share", None, 10, 0.0)])
    tl.advance_to(9 / 60)
    assert tl.params.targets["bloom"] == 0.8 and tl.pending == 2
    tl.advance_to(10 / 60)
    assert tl.params.targets["bloom"] == 2.0 and tl.pending == 0
    assert tl.params.values["bloom"] == 0.8  # gliding starts with the step after
    values = tl.advance_to(10.5 / 60)  # between two steps: the glide where it is
    assert 0.8 < values["bloom"] < 2.0
    with pytest.raises(EventError, match="runs forwards"):
        tl.advance_to(1 / 60)


class Counting(Timeline):
    glides = 0

    def glide(self) -> None:
        self.glides += 1
        super().glide()


def test_a_long_jump_ahead_walks_only_the_steps_that_glide() -> None:
    world = World(Settings(seed=1))
    params = Params()
    params.set("bloom", 1.5)  # gliding: the jump walks until it settles, then skips
    tl = Counting(world, params)
    tl.advance_to(30 * 86400.0)  # thirty days: 155 million steps
    assert world.index == world.index_at(30 * 86400.0)
    assert 50 < tl.glides < 10_000
    assert params.values["bloom"] == 1.5
