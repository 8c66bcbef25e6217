"""OSCQuery as the proposal has it, checked with clients that are not ours (curl for HTTP, the
`websockets` library for the WebSocket), and the namespace held to the OSC handler's registry
both ways."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import websockets
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from nebula.config import PARAM_SPECS, default_values
from nebula.control.osc.messages import ADDRESSES, Refused, to_event
from nebula.web.namespace import ATTRIBUTES, EXTENSIONS, find, methods, namespace
from tests.web.conftest import Served, free_port

PRESETS = ["dawn", "deep-night", "twilight"]


def curl(url: str, *args: str) -> tuple[int, str]:
    r = subprocess.run(
        ["curl", "-s", "-w", "\n%{http_code}", *args, url],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    body, _, code = r.stdout.rpartition("\n")
    return int(code), body


def test_every_advertised_method_is_answered_and_every_address_advertised() -> None:
    tree = namespace(default_values(), "dawn", PRESETS, figures=8)
    nodes = methods(tree)
    for node in nodes:
        path, rng = node["FULL_PATH"], node["RANGE"][0]
        value = rng["VALS"][0] if "VALS" in rng else rng["MIN"]
        if path == "/nebula/preset":
            continue  # its value names a preset on disk: to_event is given no resolver here
        to_event(path, [value], figures=8)  # raises Refused if the handler does not take it
        assert set(node) >= {"FULL_PATH", "TYPE", "ACCESS", "RANGE", "DESCRIPTION", "CLIPMODE"}
    with pytest.raises(Refused, match="presets are not taken"):
        to_event("/nebula/preset", ["dawn"], figures=8)
    # And the other way: every address the handler lists, NAME spelled out, is advertised.
    paths = {n["FULL_PATH"] for n in nodes}
    for address, _, _ in ADDRESSES:
        names = [s.name for s in PARAM_SPECS] if "NAME" in address else [""]
        for name in names:
            assert address.replace("NAME", name) in paths, address
    assert len(paths) == 2 * len(PARAM_SPECS) + 3


def test_http_nodes_attributes_host_info_and_errors(served: Served) -> None:
    code, body = curl(served.url + "/")
    tree = json.loads(body)
    assert code == 200 and tree["FULL_PATH"] == "/" and "nebula" in tree["CONTENTS"]
    code, body = curl(served.url + "/nebula/param/exposure")
    node = json.loads(body)
    assert node["TYPE"] == "f" and node["ACCESS"] == 3 and node["VALUE"] == [1.0]
    assert node["RANGE"] == [{"MIN": 0.2, "MAX": 3.0}] and node["CLIPMODE"] == ["both"]
    served.write_status(params={**default_values(), "exposure": 1.5})
    assert json.loads(curl(served.url + "/nebula/param/exposure?VALUE")[1]) == {"VALUE": [1.5]}
    code, body = curl(served.url + "/?HOST_INFO")
    info = json.loads(body)
    assert code == 200 and info["EXTENSIONS"] == EXTENSIONS
    assert info["OSC_TRANSPORT"] == "UDP" and info["WS_PORT"] == served.port
    assert info["OSC_PORT"] == served.osc.getsockname()[1] and info["WS_IP"] == "127.0.0.1"
    assert set(info) == {"NAME", "EXTENSIONS", "OSC_IP", "OSC_PORT", "OSC_TRANSPORT"} | {
        "WS_IP",
        "WS_PORT",
    }
    assert curl(served.url + "/nebula/nothing")[0] == 404
    assert curl(served.url + "/nebula/share?VALUE")[0] == 204  # write-only: no VALUE
    assert curl(served.url + "/nebula/param?TYPE")[0] == 204  # a container has no TYPE
    for attr in ATTRIBUTES:
        code, _ = curl(served.url + f"/nebula/param/bloom?{attr}")
        assert code == 200, attr  # bloom has every attribute (CONTENTS: its /norm)


def test_the_page_is_what_a_browser_gets_at_the_root(served: Served) -> None:
    code, body = curl(served.url + "/", "-H", "Accept: text/html,application/xhtml+xml")
    assert code == 200 and body.lstrip().startswith("<!doctype html>")
    assert "http" not in body.split("<script>")[0].replace("http-equiv", "")  # no CDN


async def packet(ws: websockets.ClientConnection) -> bytes:
    """The next binary frame: an OSC packet."""
    m = await asyncio.wait_for(ws.recv(), 5)
    assert isinstance(m, bytes), m
    return m


def osc(address: str, *args: object) -> bytes:
    b = OscMessageBuilder(address)
    for a in args:
        b.add_arg(a)  # type: ignore[arg-type]
    return bytes(b.build().dgram)


def test_websocket_listen_ignore_path_changed_and_osc_in(served: Served) -> None:
    async def session() -> None:
        uri = f"ws://127.0.0.1:{served.port}/?token={served.token}"
        async with websockets.connect(uri) as ws:
            await ws.send(json.dumps({"COMMAND": "LISTEN", "DATA": "/nebula/param/bloom"}))
            first = OscMessage(await packet(ws))
            assert first.address == "/nebula/param/bloom" and first.params == [pytest.approx(0.8)]
            served.write_status(params={**default_values(), "bloom": 1.25})
            moved = OscMessage(await packet(ws))
            assert moved.params == [1.25]
            # Exact paths only: bloom's /norm child is not streamed to a bloom listener.
            await ws.send(json.dumps({"COMMAND": "IGNORE", "DATA": "/nebula/param/bloom"}))
            await asyncio.sleep(0.3)
            served.write_status(params={**default_values(), "bloom": 2.0}, presets=["dawn"])
            changed = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert changed == {"COMMAND": "PATH_CHANGED", "DATA": "/nebula/preset"}
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.6)  # ignored: nothing more about bloom
            # An OSC packet in a binary frame reaches the show as a UDP one would.
            await ws.send(osc("/nebula/param/haze", 0.5))
            got = served.received()
            assert got is not None and OscMessage(got).params == [0.5]

    asyncio.run(session())


def test_a_websocket_without_the_token_may_listen_but_not_play(served: Served) -> None:
    async def session() -> None:
        async with websockets.connect(f"ws://127.0.0.1:{served.port}/") as ws:
            await ws.send(osc("/nebula/param/haze", 0.5))
            await ws.send(json.dumps({"COMMAND": "LISTEN", "DATA": "/nebula/param/haze"}))
            assert OscMessage(await packet(ws)).params == [1.0]

    asyncio.run(session())
    assert served.received(timeout=0.5) is None


def test_the_namespace_values_follow_the_status() -> None:
    values = {**default_values(), "grain": 2.5}
    tree = namespace(values, "twilight", PRESETS, figures=5)
    assert find(tree, "/nebula/param/grain")["VALUE"] == [2.5]  # type: ignore[index]
    norm = find(tree, "/nebula/param/grain/norm")
    assert norm is not None and norm["VALUE"] == [pytest.approx(2.5 / 3.0)]
    assert find(tree, "/nebula/preset")["RANGE"] == [{"VALS": PRESETS}]  # type: ignore[index]
    assert find(tree, "/nebula/share")["RANGE"] == [{"MIN": 1, "MAX": 5}]  # type: ignore[index]
    assert find(tree, "/nope") is None


def test_advertise_announces_oscquery_and_osc_through_zeroconf(tmp_path: Path) -> None:
    from zeroconf import IPVersion, Zeroconf

    port, osc_port = free_port(), 39017
    cmd = [sys.executable, "-m", "nebula.web.server", "--port", str(port)]
    cmd += ["--folder", str(tmp_path), "--token-folder", str(tmp_path)]
    cmd += ["--osc-port", str(osc_port), "--watch-stdin", "--advertise"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith("page: ")
        name = f"Nebula on {socket.gethostname()}"
        web = zc.get_service_info("_oscjson._tcp.local.", f"{name}._oscjson._tcp.local.", 5000)
        osc = zc.get_service_info("_osc._udp.local.", f"{name}._osc._udp.local.", 5000)
        assert web is not None and web.port == port
        assert osc is not None and osc.port == osc_port
    finally:
        zc.close()
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
