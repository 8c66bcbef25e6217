"""The page's server: ``python -m nebula.web.server --port P --folder DIR --osc-port N`` (the
show starts it: nebula.web.process; an installation's supervisor does too). It prints the
page's link with its token on its first line, then serves until its stdin closes (the parent
is gone) or it is told to stop."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from nebula.web import api, oscquery
from nebula.web.guard import TOKEN_HEADER, host_ok, is_loopback, load_token, token_ok
from nebula.web.site import Site

#: Request bodies at most (a control is a few dozen bytes).
MAX_BODY = 16 * 1024
#: A connection that has not sent a whole request for this long is closed: a client dribbling
#: its headers a byte at a time, or one that says nothing, holds a socket no longer.
IDLE_SECONDS = 10.0


@web.middleware
async def guard(request: web.Request, handler: object) -> web.StreamResponse:
    site = request.app[api.SITE]
    if not host_ok(request.headers.get("Host"), site.loopback):
        return api.error(403, "this server answers to its loopback address or localhost only")
    reading = request.method in ("GET", "HEAD")
    if not (reading and site.loopback):
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        given = request.headers.get(TOKEN_HEADER) or bearer or request.query.get("token")
        if not token_ok(given or None, site.token):
            return api.error(401, "a token is needed: open the link the show printed")
    return await handler(request)  # type: ignore[operator, no-any-return]


def make_app(site: Site) -> web.Application:
    app = web.Application(middlewares=[guard], client_max_size=MAX_BODY)
    app[api.SITE] = site
    api.add_routes(app)
    app.router.add_get("/{path:.*}", oscquery.node)

    async def pusher(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(oscquery.push(app))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for ws in list(site.sockets):
            await ws.close()
        site.close()

    app.cleanup_ctx.append(pusher)
    return app


async def serve(site: Site, host: str, port: int, stop: asyncio.Event) -> None:
    runner = web.AppRunner(
        make_app(site), access_log=None, shutdown_timeout=2.0, keepalive_timeout=IDLE_SECONDS
    )
    await runner.setup()
    tcp = web.TCPSite(runner, host, port, reuse_address=True)
    try:
        await tcp.start()
    except OSError as e:
        print(f"error: cannot serve on {host}:{port}: {e.strerror or e}", flush=True)
        await runner.cleanup()
        raise SystemExit(1) from None
    shown = f"[{host}]" if ":" in host else host
    print(f"page: http://{shown}:{port}/?token={site.token}", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m nebula.web.server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--folder", type=Path, required=True, help="where the show writes its feed")
    p.add_argument("--token-folder", type=Path, required=True, help="where the token is kept")
    p.add_argument("--osc-port", type=int, required=True, help="the show's OSC server")
    p.add_argument("--figures", type=int, default=8)
    p.add_argument("--log", type=Path, default=None)
    p.add_argument("--watch-stdin", action="store_true", help="stop when stdin closes")
    p.add_argument("--advertise", action="store_true", help="zeroconf: _oscjson._tcp, _osc._udp")
    args = p.parse_args(argv)
    site = Site(
        folder=args.folder,
        token=load_token(args.token_folder),
        loopback=is_loopback(args.host),
        osc=("127.0.0.1", args.osc_port),
        figures=args.figures,
        log=args.log,
    )
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    if args.watch_stdin:

        def watch() -> None:  # EOF: the show closed its end, or is no more
            sys.stdin.read()
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=watch, daemon=True).start()
    advertiser = None
    if args.advertise:
        from nebula.web.advertise import Advertiser

        try:
            advertiser = Advertiser(site.name, args.host, args.port, args.osc_port)
        except (RuntimeError, OSError) as e:
            print(f"error: {e}", flush=True)
            return 1
    try:
        loop.run_until_complete(serve(site, args.host, args.port, stop))
    finally:
        loop.close()
        if advertiser is not None:
            advertiser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
