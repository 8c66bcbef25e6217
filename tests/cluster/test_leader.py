"""The leader in-process: what a show of weeks keeps, and a controller on its machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from nebula.cluster.leader import RECENT, Leader
from nebula.config import Settings, default_values


def test_a_long_running_leader_keeps_only_recent_figures() -> None:
    leader = Leader("a-shared-secret-of-this-wall-0123", Settings(), {}, "tcp://127.0.0.1:0",
                    lambda n: n / 60.0, fps=1e9)  # fmt: skip
    leader.run(frames=RECENT * 3)
    assert leader.stats.released == RECENT * 3
    assert len(leader.stats.waits) == RECENT  # not one entry per frame ever released
    assert "released 1800" in leader.status_line()


@pytest.mark.slow
def test_a_controller_on_the_leader_s_machine_plays_the_wall(jack: str) -> None:
    """`nebula wall lead --midi NAME`: a control change becomes an event the wall's frames
    carry (stamped, sent to every follower, in a joining follower's welcome), and the targets
    the controller steps from follow it."""
    import threading
    import time

    from nebula.cluster.stage import LeaderStage
    from nebula.control.inbox import Inbox
    from nebula.control.midi import MidiInput, load_midi_map
    from tests.control.test_midi import Controller

    inbox = Inbox()
    leader = Leader("a-shared-secret-of-this-wall-0123", Settings(), {}, "tcp://127.0.0.1:0",
                    lambda n: 100.0 + n / 60.0, fps=60.0, inbox=inbox)  # fmt: skip
    stage = LeaderStage(inbox, default_values(), leader.log)
    leader.listeners.append(stage.stamped)
    ctl = Controller(f"wall-ctl{time.monotonic_ns() % 10**6}")
    midi = MidiInput(ctl.out.name.split(":")[-1], load_midi_map(), stage).start()
    runner = threading.Thread(target=leader.run, kwargs={"frames": 90})
    runner.start()
    try:
        time.sleep(0.3)
        ctl.cc(5, round(0.8 / 2 * 127))  # bloom (0 to 2) at its value: taken over
        ctl.cc(5, 120)
        runner.join(timeout=30)
    finally:
        midi.close()
        ctl.close()
    sent = [e for e in leader.snapshot.welcome() if e["target"] == "param:bloom"]
    assert sent and sent[-1]["source"] == "midi"
    assert abs(float(sent[-1]["value"]) - 120 / 127 * 2) < 0.02  # type: ignore[arg-type]
    assert stage.wanted["bloom"] == sent[-1]["value"]


def test_wall_lead_refuses_a_midi_port_that_is_not_there(jack: str, tmp_path: Path) -> None:
    import subprocess

    from tests.helpers import NEBULA

    wall = tmp_path / "wall.toml"
    wall.write_text("[canvas]\nsize = [64, 36]\n[tiles.a]\nrect = [0, 0, 64, 36]\n"
                    '[wall]\ntoken = "a-shared-secret-of-this-wall-0123"\n')  # fmt: skip
    p = subprocess.run([*NEBULA, "wall", "lead", str(wall), "--midi", "no such controller"],
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert p.returncode == 2, p.stderr
    assert "no such controller" in p.stderr and len(p.stderr.strip().splitlines()) == 1
