"""The leader in-process, without followers: what a show of weeks keeps in memory."""

from __future__ import annotations

from nebula.cluster.leader import RECENT, Leader
from nebula.config import Settings


def test_a_long_running_leader_keeps_only_recent_figures() -> None:
    leader = Leader("a-shared-secret-of-this-wall-0123", Settings(), {}, "tcp://127.0.0.1:0",
                    lambda n: n / 60.0, fps=1e9)  # fmt: skip
    leader.run(frames=RECENT * 3)
    assert leader.stats.released == RECENT * 3
    assert len(leader.stats.waits) == RECENT  # not one entry per frame ever released
    assert "released 1800" in leader.status_line()
