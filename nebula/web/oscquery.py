"""OSCQuery on the page's port: the namespace over HTTP (a path's node, one attribute with a
query such as ``?VALUE``, ``?HOST_INFO``; 404 for an unknown path, 204 for an attribute the
node has not), and a WebSocket at any path for LISTEN / IGNORE on one exact path (the
proposal says LISTEN is not recursive), PATH_CHANGED when the address space changes (the
presets), and OSC packets in binary frames, passed on to the show like UDP ones."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import WSMsgType, web

from nebula.web.api import SITE, page
from nebula.web.guard import TOKEN_HEADER, origin_ok, token_ok
from nebula.web.namespace import ATTRIBUTES, find, host_info

#: Open WebSockets at most; past it an upgrade is a 503.
MAX_SOCKETS = 64
#: How often listened values are compared with what each client was last sent (seconds).
PUSH_SECONDS = 0.1


async def node(request: web.Request) -> web.StreamResponse:
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await socket(request)
    keys = [k for k in request.query if k != "token"]
    if request.path == "/" and not keys and "text/html" in request.headers.get("Accept", ""):
        return page(request)
    site = request.app[SITE]
    if "HOST_INFO" in keys:
        host, port = _served(request)
        info = host_info(site.name, *site.osc_target(), host, port)
        return web.json_response(info)
    found = find(site.tree(), request.path)
    if found is None:
        return web.json_response({"error": f"no OSC node at {request.path}"}, status=404)
    if keys:
        attr = keys[0]
        if attr not in ATTRIBUTES or attr not in found:
            return web.Response(status=204)
        return web.json_response({attr: found[attr]})
    return web.json_response(found)


def _served(request: web.Request) -> tuple[str, int]:
    sock = request.transport.get_extra_info("sockname") if request.transport else None
    return (str(sock[0]), int(sock[1])) if sock else ("127.0.0.1", 0)


async def socket(request: web.Request) -> web.StreamResponse:
    site = request.app[SITE]
    if not origin_ok(request.headers.get("Origin"), request.headers.get("Host")):
        return web.json_response({"error": "a WebSocket from another site's page"}, status=403)
    if len(site.sockets) >= MAX_SOCKETS:
        return web.json_response({"error": "too many WebSockets open"}, status=503)
    given = request.headers.get(TOKEN_HEADER) or request.query.get("token")
    controls = token_ok(given, site.token)
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=64 * 1024)
    await ws.prepare(request)
    site.sockets.add(ws)
    site.listening[ws] = set()
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                _command(site, ws, msg.data)
            elif msg.type == WSMsgType.BINARY and controls and site.allow_control():
                site.send(msg.data)  # an OSC packet, checked by the show like any
    finally:
        site.sockets.discard(ws)
        site.listening.pop(ws, None)
    return ws


def _command(site: Any, ws: web.WebSocketResponse, text: str) -> None:
    try:
        msg = json.loads(text)
    except ValueError:
        return
    if not isinstance(msg, dict) or not isinstance(msg.get("DATA"), str):
        return
    path = msg["DATA"]
    if msg.get("COMMAND") == "LISTEN" and (n := find(site.tree(), path)) and "TYPE" in n:
        site.listening[ws].add(path)
    elif msg.get("COMMAND") == "IGNORE":
        site.listening[ws].discard(path)


async def push(app: web.Application) -> None:
    """Stream each listened path's value to its listeners when it changes, as an OSC packet,
    and PATH_CHANGED to every client when the presets (the address space) change."""
    from pythonosc.osc_message_builder import OscMessageBuilder

    site = app[SITE]
    sent: dict[tuple[int, str], object] = {}
    presets: list[str] | None = None  # as the show last said them (None: it has not yet)
    while True:
        await asyncio.sleep(PUSH_SECONDS)
        if not site.sockets:
            continue
        tree = site.tree()
        status = site.status()
        now = site.presets(status) if status.get("presets") is not None else None
        if now is not None and presets is not None and now != presets:
            change = json.dumps({"COMMAND": "PATH_CHANGED", "DATA": "/nebula/preset"})
            for ws in list(site.sockets):
                await _quietly(ws.send_str(change))
        presets = now if now is not None else presets
        for ws, paths in list(site.listening.items()):
            for path in list(paths):
                n = find(tree, path)
                value = n.get("VALUE") if n else None
                key = (id(ws), path)
                if value is None or sent.get(key) == value:
                    continue
                sent[key] = value
                b = OscMessageBuilder(path)
                for v in value:
                    b.add_arg(v)
                await _quietly(ws.send_bytes(b.build().dgram))
        live = {id(ws) for ws in site.sockets}
        for key in [k for k in sent if k[0] not in live]:
            del sent[key]


async def _quietly(send: Any) -> None:
    with contextlib.suppress(ConnectionError, RuntimeError):  # the client went meanwhile
        await send
