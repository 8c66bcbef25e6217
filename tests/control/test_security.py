"""What the network and a controller may not do: no listener unless asked, loopback by
default, no message naming a file or loading code, nothing written outside the user's config
folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import moderngl
import pytest

from nebula.app.live import Inputs, open_inputs
from nebula.app.show import Show
from nebula.config import Settings
from nebula.control.events import ACTIONS
from nebula.control.osc import REFUSED_ACTIONS, Refused, named_preset, to_event


def udp_sockets() -> set[str]:
    """This process's UDP sockets, by inode."""
    mine = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(target[8:-1])
    udp = set()
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                udp.add(line.split()[9])
    return mine & udp


@pytest.fixture
def show(ctx: moderngl.Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Show]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")  # where a screenshot would land by default
    s = Show(ctx, (32, 18), Settings(), now_wall=0.0, hud_visible=False)
    yield s
    s.release()


def bound(port: int) -> list[str]:
    """The local addresses (hex, as /proc/net/udp has them) of UDP sockets on ``port``."""
    with open("/proc/net/udp") as f:
        rows = [ln.split() for ln in f.readlines()[1:]]
    return [r[1].split(":")[0] for r in rows if int(r[1].split(":")[1], 16) == port]


def test_no_listener_unless_asked_and_loopback_when_asked(show: Show) -> None:
    import multiprocessing

    before = udp_sockets()
    with open_inputs(show, Inputs()) as opened:
        assert opened.osc is None and opened.midi is None
        assert udp_sockets() == before  # no --osc: nothing listens, here or in a helper
        assert not multiprocessing.active_children()
    with open_inputs(show, Inputs(osc=0)) as opened:
        assert opened.osc is not None
        port = opened.osc.address[1]
        assert bound(port) == ["0100007F"]  # 127.0.0.1 only
    show.status.clear()
    assert bound(port) == []  # closed with the show's inputs
    assert udp_sockets() == before


@pytest.mark.parametrize(
    "name",
    ["../../../etc/passwd", "/etc/passwd", "dawn.toml", "..", ".hidden", "a/b", "c:\\x", "x" * 65],
)
def test_no_message_names_a_file(name: str) -> None:
    with pytest.raises(Refused) as e:
        to_event("/nebula/preset", [name], figures=8, preset=named_preset)
    assert e.value.kind == "refused"


def test_no_message_loads_code_or_ends_the_show() -> None:
    for action in ("__import__('os').system('true')", "eval", "exec", "import", "quit"):
        with pytest.raises(Refused):
            to_event("/nebula/action", [action], figures=8, preset=named_preset)


def test_every_action_a_message_may_ask_writes_only_in_the_config_folder(
    show: Show, tmp_path: Path
) -> None:
    allowed = sorted(set(ACTIONS) - REFUSED_ACTIONS)
    assert "save_preset" in allowed and "screenshot" not in allowed
    for action in allowed:
        show.apply(to_event("/nebula/action", [action], figures=8, preset=named_preset))
        show.frame(show._wall + 0.05)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written, "save_preset wrote its preset"
    assert all(p.is_relative_to(tmp_path / "config") for p in written), written


def test_a_preset_outside_the_preset_folders_is_never_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "evil.toml").write_text("[params]\nexposure = 3.0\n", encoding="utf-8")
    # config/nebula/presets/../../../evil.toml is that file: a name may not climb out.
    with pytest.raises(Refused, match="no paths"):
        to_event("/nebula/preset", ["../../../evil"], figures=8, preset=named_preset)
