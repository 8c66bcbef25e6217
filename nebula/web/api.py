"""The JSON API under /api/ (what the page itself uses) and the page. Reading is free on
loopback; every control passes the token (nebula.web.guard) and a rate limit, is checked
against the parameter registry (a value out of range is a 400 that says the range), and goes
to the show as an OSC message."""

from __future__ import annotations

import json
import math
import re
from importlib import resources
from typing import Any

from aiohttp import web

from nebula.config import PARAM_SPECS, PARAMS_BY_NAME
from nebula.web.feed import FRAME_FILE, read_frame
from nebula.web.namespace import NETWORK_ACTIONS
from nebula.web.site import Site

SITE: web.AppKey[Site] = web.AppKey("site", Site)
#: Lines of the log the page shows at most, and those marked as an exit's reason.
LOG_LINES = 200
EXIT_LINE = re.compile(r"exit|stopped|crash|restart|status \d+|error", re.I)
#: Status keys that name files: kept from the page (nothing the server says names a path).
PRIVATE = frozenset({"log", "folder"})


def page(request: web.Request) -> web.Response:
    html = resources.files("nebula.web").joinpath("page.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})


def error(status: int, text: str) -> web.Response:
    return web.json_response({"error": text}, status=status)


async def status(request: web.Request) -> web.Response:
    data = {k: v for k, v in request.app[SITE].status().items() if k not in PRIVATE}
    return web.json_response(data, headers={"Cache-Control": "no-store"})


async def params(request: web.Request) -> web.Response:
    values = request.app[SITE].values()
    rows = [
        {"name": s.name, "value": values[s.name], "min": s.lo, "max": s.hi, "step": s.step}
        | {"default": s.default, "doc": s.doc}
        for s in PARAM_SPECS
    ]
    return web.json_response(rows, headers={"Cache-Control": "no-store"})


async def presets(request: web.Request) -> web.Response:
    site = request.app[SITE]
    status = site.status()
    return web.json_response({"presets": site.presets(status), "current": status.get("preset")})


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "the body is not JSON"}), content_type="application/json"
        ) from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "the body must be a JSON object"}),
            content_type="application/json",
        )
    return data


def _control(site: Site) -> web.Response | None:
    if not site.allow_control():
        return error(429, "too many controls: wait a moment")
    return None


async def set_param(request: web.Request) -> web.Response:
    site = request.app[SITE]
    data = await _body(request)
    name, value = data.get("name"), data.get("value")
    spec = PARAMS_BY_NAME.get(name) if isinstance(name, str) else None
    if spec is None:
        return error(400, f"unknown parameter {name!r}; known: {', '.join(PARAMS_BY_NAME)}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return error(400, f"{spec.name} takes a number from {spec.lo:g} to {spec.hi:g}")
    if not spec.lo <= value <= spec.hi:
        return error(400, f"{spec.name} = {value:g} is out of range: {spec.lo:g} to {spec.hi:g}")
    if (refused := _control(site)) is not None:
        return refused
    site.send_message(f"/nebula/param/{spec.name}", [float(value)])
    return web.json_response({"ok": True, "name": spec.name, "value": float(value)}, status=202)


async def set_preset(request: web.Request) -> web.Response:
    site = request.app[SITE]
    name = (await _body(request)).get("name")
    known = site.presets()
    if not isinstance(name, str) or name not in known:
        return error(400, f"unknown preset {name!r}; presets: {', '.join(known) or 'none'}")
    if (refused := _control(site)) is not None:
        return refused
    site.send_message("/nebula/preset", [name])
    return web.json_response({"ok": True, "preset": name}, status=202)


async def share(request: web.Request) -> web.Response:
    site = request.app[SITE]
    figure = (await _body(request)).get("figure") if request.can_read_body else None
    if figure is not None and (
        isinstance(figure, bool) or not isinstance(figure, int) or not 1 <= figure <= site.figures
    ):
        return error(400, f"figure must be 1 to {site.figures}, or none for the dreamer")
    if (refused := _control(site)) is not None:
        return refused
    site.send_message("/nebula/share", [] if figure is None else [figure])
    return web.json_response({"ok": True}, status=202)


async def action(request: web.Request) -> web.Response:
    site = request.app[SITE]
    name = (await _body(request)).get("name")
    if not isinstance(name, str) or name not in NETWORK_ACTIONS:
        return error(400, f"unknown action {name!r}; actions: {', '.join(NETWORK_ACTIONS)}")
    if (refused := _control(site)) is not None:
        return refused
    site.send_message("/nebula/action", [name])
    return web.json_response({"ok": True, "action": name}, status=202)


def _encoded(site: Site, kind: str) -> bytes | None:
    from nebula.web.encode import encode

    frame = read_frame(site.folder / FRAME_FILE)
    return None if frame is None else encode(frame, kind)


async def thumbnail(request: web.Request) -> web.Response:
    data = _encoded(request.app[SITE], "jpeg")
    if data is None:
        return error(503, "no frame yet")
    return web.Response(body=data, content_type="image/jpeg", headers={"Cache-Control": "no-store"})


async def snapshot(request: web.Request) -> web.Response:
    data = _encoded(request.app[SITE], "png")
    if data is None:
        return error(503, "no frame yet")
    headers = {"Content-Disposition": 'attachment; filename="nebula-snapshot.png"'}
    return web.Response(body=data, content_type="image/png", headers=headers)


async def log(request: web.Request) -> web.Response:
    site = request.app[SITE]
    path = site.log
    lines: list[str] = []
    if path is not None:
        try:
            with open(path, "rb") as f:
                f.seek(0, 2)
                f.seek(max(0, f.tell() - 64 * 1024))
                lines = f.read().decode("utf-8", "replace").splitlines()[-LOG_LINES:]
        except OSError:
            lines = []
    rows = [{"line": ln, "exit": bool(EXIT_LINE.search(ln))} for ln in lines]
    return web.json_response({"lines": rows}, headers={"Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/status", status)
    app.router.add_get("/api/params", params)
    app.router.add_get("/api/presets", presets)
    app.router.add_get("/api/log", log)
    app.router.add_get("/api/thumbnail.jpg", thumbnail)
    app.router.add_get("/api/snapshot.png", snapshot)
    app.router.add_post("/api/param", set_param)
    app.router.add_post("/api/preset", set_preset)
    app.router.add_post("/api/share", share)
    app.router.add_post("/api/action", action)
