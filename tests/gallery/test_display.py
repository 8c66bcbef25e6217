from __future__ import annotations

from nebula.gallery.display import XSET_ARGS, blanking_command


def which_xset(name: str) -> str | None:
    return "/usr/bin/xset" if name == "xset" else None


def test_xset_on_x11() -> None:
    assert blanking_command({"DISPLAY": ":0"}, which_xset) == ["/usr/bin/xset", *XSET_ARGS]
    assert XSET_ARGS == ("s", "off", "-dpms", "s", "noblank")


def test_no_xset_where_it_cannot_apply() -> None:
    assert blanking_command({}, which_xset) is None
    assert blanking_command({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, which_xset) is None
    assert blanking_command({"DISPLAY": ":0"}, lambda _n: None) is None
