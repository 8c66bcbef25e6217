"""The page in a real browser (Debian's chromium, headless, driven by Playwright) on a real
show in a window: it sees the fps and the phase move, a slider moved with the keyboard reaches
the show (its journal and the value the HUD shows), and it is photographed on a phone-sized
and a desktop-sized screen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright

from tests.helpers import wait_for
from tests.web.conftest import free_port

CHROMIUM = "/usr/bin/chromium"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 860}


def bloom_of(page: Page, url: str) -> float:
    """The show's bloom now, as its status (the HUD's values) says."""
    return float(page.request.get(url + "/api/status").json()["params"]["bloom"])


def test_the_page_sees_the_show_and_plays_it(xdisplay: str, tmp_path: Path) -> None:
    assert shutil.which("chromium"), "chromium is missing: run scripts/setup.sh"
    port = free_port()
    journal = tmp_path / "live.jsonl"
    env = {**os.environ, "DISPLAY": xdisplay, "XDG_STATE_HOME": str(tmp_path / "state")}
    cmd = [sys.executable, "-m", "nebula", "run", "--size", "480x270", "--web", str(port)]
    cmd += ["--exit-after", "60", "--max-fps", "15", "--clock-offset", "120"]
    cmd += ["--journal", str(journal)]
    show = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert show.stdout is not None
        link = ""
        while not link:
            line = show.stdout.readline()
            assert line, "the show ended before it printed the page's link"
            if "page: " in line:
                link = line.split("page: ")[1].strip()
        url = link.split("/?")[0]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport=DESKTOP)
            page.goto(link)
            page.wait_for_function("document.getElementById('state').textContent === 'running'")
            first = page.inner_text("#phase")
            wait_for(lambda: page.inner_text("#phase") != first, 20, "the piece's time to move")
            health = page.inner_text("#health")
            assert "fps" in health and "frame p50 / p99" in health
            # A slider moved with the keyboard: each press is a control, sent with the token.
            before = bloom_of(page, url)
            slider = page.locator("input[data-name=bloom]")
            slider.focus()
            for _ in range(8):
                page.keyboard.press("ArrowRight")
            wanted = float(slider.input_value())
            assert wanted > before
            wait_for(
                lambda: abs(bloom_of(page, url) - wanted) < 0.01,
                20,
                "the show's bloom to reach the slider",
            )
            wait_for(lambda: "param:bloom" in journal.read_text(), 10, "the journal's event")
            page.wait_for_function("document.getElementById('thumb').naturalWidth > 0")
            shots = Path(os.environ.get("NEBULA_PAGE_SHOTS", tmp_path))
            page.screenshot(path=str(shots / "technician_desktop.png"))
            phone = browser.new_page(viewport=PHONE, device_scale_factor=2)
            phone.goto(link)
            phone.wait_for_function("document.getElementById('thumb').naturalWidth > 0")
            phone.wait_for_function("document.getElementById('health').children.length > 0")
            phone.screenshot(path=str(shots / "technician_phone.png"))
            browser.close()
        events = [json.loads(ln) for ln in journal.read_text().splitlines()]
        sources = {e["event"]["source"] for e in events if "param:bloom" in json.dumps(e)}
        assert "osc" in sources  # the page's controls reach the show as OSC
    finally:
        show.terminate()
        show.wait(timeout=30)


def listening_pids() -> set[int]:
    """Every process with a TCP or UDP socket listening or bound, as `ss` lists them."""
    out = subprocess.run(["ss", "-H", "-ltunp"], capture_output=True, text=True, check=True)
    pids = set()
    for part in out.stdout.split("pid=")[1:]:
        pids.add(int(part.split(",")[0]))
    return pids


def family(pid: int) -> set[int]:
    """``pid`` and its children (the OSC receiver, the page's server)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return {pid} | {int(p) for p in out.stdout.split()}


def test_nothing_listens_without_web(xdisplay: str, tmp_path: Path) -> None:
    assert shutil.which("ss"), "ss is missing (iproute2)"
    env = {**os.environ, "DISPLAY": xdisplay, "XDG_STATE_HOME": str(tmp_path / "state")}
    base = [sys.executable, "-m", "nebula", "run", "--size", "160x90", "--max-fps", "10"]
    port = free_port()
    for extra, listens in (([], False), (["--web", str(port)], True)):
        show = subprocess.Popen(
            [*base, "--exit-after", "30", *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert show.stdout is not None
            if listens:
                while "page: " not in (line := show.stdout.readline()):
                    assert line, "the show ended before it printed the page's link"
            else:
                time.sleep(6.0)  # well past the window's opening
            assert show.poll() is None
            assert bool(family(show.pid) & listening_pids()) == listens, extra
        finally:
            show.terminate()
            show.wait(timeout=30)
