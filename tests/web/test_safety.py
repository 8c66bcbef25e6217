"""Every safety rule of the page's server, shown refusing: no token, a wrong token, a foreign
Origin, a foreign Host, an oversized body, malformed JSON, a value out of range, a flood, a
thousand WebSockets, a client dribbling its request, and a server beyond loopback that lets
nobody read without the token. And nothing the server says names a file."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websockets
from aiohttp.test_utils import TestClient, TestServer

from nebula.web.guard import host_ok, load_token, origin_ok, token_ok
from nebula.web.server import make_app
from nebula.web.site import CONTROL_BURST, CONTROL_RATE, Site
from tests.web.conftest import Served


def request(
    served: Served,
    path: str,
    body: object = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> tuple[int, dict[str, object]]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(served.url + path, data=data, headers=headers or {})
    if token is not None:
        req.add_header("X-Nebula-Token", token)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        text = e.read()
        try:
            return e.code, json.loads(text or b"{}")
        except ValueError:
            return e.code, {"text": text.decode(errors="replace")}


def test_reading_is_free_on_loopback_and_a_control_needs_the_token(served: Served) -> None:
    code, status = request(served, "/api/status")
    assert code == 200 and status["state"] == "running"
    assert "log" not in status and "folder" not in status
    change = {"name": "bloom", "value": 1.2}
    assert request(served, "/api/param", change)[0] == 401
    assert request(served, "/api/param", change, token="not-the-token-at-all")[0] == 401
    assert served.received(timeout=0.3) is None  # nothing reached the show
    code, answer = request(served, "/api/param", change, token=served.token)
    assert code == 202 and answer["value"] == 1.2
    assert served.received() is not None
    # The link's parameter works as the header does (the snapshot download uses it).
    assert request(served, f"/api/share?token={served.token}", {})[0] == 202


def test_a_bad_control_is_a_400_that_says_what_is_allowed(served: Served) -> None:
    code, answer = request(served, "/api/param", {"name": "bloom", "value": 9}, served.token)
    assert code == 400 and answer["error"] == "bloom = 9 is out of range: 0 to 2"
    code, answer = request(served, "/api/param", raw=b"{not json", token=served.token)
    assert code == 400 and "not JSON" in str(answer["error"])
    code, answer = request(served, "/api/preset", {"name": "../../etc"}, served.token)
    assert code == 400 and "dawn, deep-night, twilight" in str(answer["error"])
    code, answer = request(served, "/api/action", {"name": "quit"}, served.token)
    assert code == 400  # what OSC refuses over the network, the page refuses too
    code, _ = request(served, "/api/param", raw=b"x" * 20_000, token=served.token)
    assert code == 413
    assert served.received(timeout=0.3) is None


def test_a_flood_of_controls_is_cut_to_the_rate(served: Served) -> None:
    import aiohttp

    async def flood() -> tuple[list[int], float]:
        headers = {"X-Nebula-Token": served.token}
        async with aiohttp.ClientSession(headers=headers) as client:

            async def one() -> int:
                async with client.post(served.url + "/api/share", json={}) as r:
                    return r.status

            t0 = time.perf_counter()
            codes = await asyncio.gather(*(one() for _ in range(400)))
            return list(codes), time.perf_counter() - t0

    codes, took = asyncio.run(flood())
    # At most the burst and what the rate refilled meanwhile got through; the rest was a 429.
    allowed = CONTROL_BURST + CONTROL_RATE * took + 2
    assert codes.count(202) <= allowed, (codes.count(202), took)
    assert codes.count(202) + codes.count(429) == 400 and codes.count(429) > 0
    assert request(served, "/api/status")[0] == 200  # and reading goes on


def test_a_foreign_host_is_turned_away_on_loopback(served: Served) -> None:
    code, answer = request(served, "/api/status", headers={"Host": f"evil.example:{served.port}"})
    assert code == 403 and "loopback" in str(answer["error"])
    assert request(served, "/api/status", headers={"Host": f"localhost:{served.port}"})[0] == 200
    assert host_ok("[::1]:80", True) and not host_ok("127.0.0.1.nip.io:80", True)
    assert host_ok("anything:80", False)


def test_a_websocket_from_another_site_s_page_is_refused(served: Served) -> None:
    async def attempt(origin: str) -> int:
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{served.port}/",
                origin=origin,  # type: ignore[arg-type]
            ):
                return 101
        except websockets.InvalidStatus as e:
            return int(e.response.status_code)

    assert asyncio.run(attempt("http://evil.example")) == 403
    assert asyncio.run(attempt(f"http://127.0.0.1:{served.port}")) == 101
    assert origin_ok(None, "127.0.0.1:1") and not origin_ok("null", "127.0.0.1:1")


def test_a_thousand_websockets_are_held_to_the_cap(served: Served) -> None:
    async def flood() -> tuple[int, int, float]:
        opened, refused = [], 0
        for _ in range(1000):
            try:
                opened.append(await websockets.connect(f"ws://127.0.0.1:{served.port}/"))
            except websockets.InvalidStatus as e:
                assert e.response.status_code == 503
                refused += 1
                if refused >= 100:
                    break
        t0 = time.perf_counter()
        status = await asyncio.to_thread(request, served, "/api/status")
        waited = time.perf_counter() - t0
        assert status[0] == 200
        for ws in opened:
            await ws.close()
        return len(opened), refused, waited

    opened, refused, waited = asyncio.run(flood())
    assert opened == 64 and refused == 100 and waited < 2.0


@pytest.mark.slow
def test_a_client_dribbling_its_request_is_cut_off(served: Served) -> None:
    s = socket.create_connection(("127.0.0.1", served.port))
    s.sendall(b"GET /api/sta")
    s.settimeout(30)
    t0 = time.perf_counter()
    # Meanwhile everyone else is answered at once.
    assert request(served, "/api/status")[0] == 200
    assert s.recv(100) == b""  # closed by the server
    assert time.perf_counter() - t0 < 15
    s.close()


def test_beyond_loopback_reading_needs_the_token_too(tmp_path: Path) -> None:
    site = Site(tmp_path, "t" * 32, loopback=False, osc=("127.0.0.1", 9))

    async def session() -> tuple[int, int, int]:
        async with TestClient(TestServer(make_app(site))) as client:
            bare = await client.get("/api/status")
            wrong = await client.get("/api/status", headers={"X-Nebula-Token": "x" * 32})
            right = await client.get("/api/status", headers={"Authorization": "Bearer " + "t" * 32})
            return bare.status, wrong.status, right.status

    assert asyncio.run(session()) == (401, 401, 200)


def test_the_token_file_is_private_and_kept(tmp_path: Path) -> None:
    token = load_token(tmp_path)
    assert len(token) >= 24 and (tmp_path / "web-token").stat().st_mode & 0o777 == 0o600
    (tmp_path / "web-token").chmod(0o644)
    assert load_token(tmp_path) == token
    assert (tmp_path / "web-token").stat().st_mode & 0o777 == 0o600
    assert token_ok(token, token) and not token_ok(None, token) and not token_ok("", token)
