"""The OSC address space as OSCQuery describes it (Vidvox's proposal), built from the OSC
handler's own registry (nebula.control.osc.messages: ADDRESSES, the parameters, the actions),
so what is advertised is what is answered; tests/web/test_oscquery.py holds the two together
both ways. Values come from the show's last status (nebula.web.feed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nebula.config import PARAM_SPECS
from nebula.control.events import ACTIONS
from nebula.control.osc.messages import ADDRESSES, PREFIX, REFUSED_ACTIONS

#: The optional attributes and bi-directional commands this server supports (HOST_INFO).
EXTENSIONS = {
    "ACCESS": True,
    "VALUE": True,
    "RANGE": True,
    "DESCRIPTION": True,
    "CLIPMODE": True,
    "TAGS": False,
    "UNIT": False,
    "CRITICAL": False,
    "LISTEN": True,
    "PATH_CHANGED": True,
    "PATH_RENAMED": False,
    "PATH_ADDED": False,
    "PATH_REMOVED": False,
}
#: The attributes a query string may pick (``/nebula/param/bloom?VALUE``).
ATTRIBUTES: tuple[str, ...] = ("FULL_PATH", "CONTENTS", "TYPE", "ACCESS", "VALUE", "RANGE")
ATTRIBUTES += ("DESCRIPTION", "CLIPMODE")
#: ACCESS: none, read, write, read and write.
NONE, READ, WRITE, READ_WRITE = 0, 1, 2, 3
#: The actions a message may ask for (the others write files or end the show).
NETWORK_ACTIONS = tuple(a for a in ACTIONS if a not in REFUSED_ACTIONS)


def _doc(address: str) -> str:
    return next(d for a, _, d in ADDRESSES if a == address)


def _container(path: str, description: str, contents: dict[str, Any]) -> dict[str, Any]:
    return {"FULL_PATH": path, "DESCRIPTION": description, "ACCESS": NONE, "CONTENTS": contents}


def _method(
    path: str,
    description: str,
    type_tag: str,
    access: int,
    value: Sequence[object] | None,
    rng: dict[str, object],
) -> dict[str, Any]:
    # Out-of-range values are refused, not applied: CLIPMODE "both" tells a client to keep to
    # the range itself.
    node: dict[str, Any] = {"FULL_PATH": path, "DESCRIPTION": description, "TYPE": type_tag}
    node |= {"ACCESS": access, "RANGE": [rng], "CLIPMODE": ["both"]}
    if value is not None:
        node["VALUE"] = list(value)
    return node


def namespace(
    values: Mapping[str, float],
    preset: str | None,
    presets: Sequence[str],
    figures: int,
) -> dict[str, Any]:
    """The whole address space as a tree of OSCQuery nodes, its values those given."""
    params: dict[str, Any] = {}
    for spec in PARAM_SPECS:
        path = f"{PREFIX}/param/{spec.name}"
        v = values.get(spec.name, spec.default)
        node = _method(path, spec.doc, "f", READ_WRITE, [v], {"MIN": spec.lo, "MAX": spec.hi})
        span = spec.hi - spec.lo
        norm = (v - spec.lo) / span if span else 0.0
        node["CONTENTS"] = {
            "norm": _method(
                path + "/norm",
                f"{spec.doc}, from 0 to 1 across its range",
                "f",
                READ_WRITE,
                [norm],
                {"MIN": 0.0, "MAX": 1.0},
            )
        }
        params[spec.name] = node
    nebula = {
        "param": _container(f"{PREFIX}/param", "the live parameters", params),
        "share": _method(
            f"{PREFIX}/share",
            _doc("/nebula/share"),
            "i",
            WRITE,
            None,
            {"MIN": 1, "MAX": figures},
        ),
        "preset": _method(
            f"{PREFIX}/preset",
            _doc("/nebula/preset"),
            "s",
            READ_WRITE,
            [preset or ""],
            {"VALS": list(presets)},
        ),
        "action": _method(
            f"{PREFIX}/action",
            "an action by name",
            "s",
            WRITE,
            None,
            {"VALS": list(NETWORK_ACTIONS)},
        ),
    }
    root = _container("/", "Nebula, a realtime generative painting", {})
    root["CONTENTS"]["nebula"] = _container(PREFIX, "the piece", nebula)
    return root


def find(tree: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The node at ``path`` ("/" the root), or None."""
    node = tree
    for part in [p for p in path.split("/") if p]:
        contents = node.get("CONTENTS")
        if not isinstance(contents, dict) or part not in contents:
            return None
        node = contents[part]
    return node


def methods(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node with a TYPE (an OSC method), depth first."""
    out = [tree] if "TYPE" in tree else []
    for child in tree.get("CONTENTS", {}).values():
        out += methods(child)
    return out


def host_info(name: str, osc_ip: str, osc_port: int, ws_ip: str, ws_port: int) -> dict[str, Any]:
    return {
        "NAME": name,
        "EXTENSIONS": EXTENSIONS,
        "OSC_IP": osc_ip,
        "OSC_PORT": osc_port,
        "OSC_TRANSPORT": "UDP",
        "WS_IP": ws_ip,
        "WS_PORT": ws_port,
    }
