"""The live piece in a real window: frames, keys, shares, shader hot reload, presets, GL objects.

The window runs in a child process (tests/app/live_driver.py, see why there); these tests read
what it reports. Every scenario drives keys through SDL's event queue and LiveLoop.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.window  # every test here drives a real window

DRIVER = Path(__file__).with_name("live_driver.py")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    assert os.environ.get("DISPLAY"), "window tests need an X display: run ./scripts/test.sh"
    work = tmp_path_factory.mktemp("live")
    env = {**os.environ, "XDG_CONFIG_HOME": str(work / "config")}
    proc = subprocess.run(
        [sys.executable, str(DRIVER), str(work)],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert proc.returncode == 0, f"driver failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    results: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return results


def scenario(live: dict[str, Any], name: str) -> dict[str, Any]:
    res: dict[str, Any] = live[name]
    assert "exception" not in res, res.get("exception")
    return res


def test_window_opens_and_renders_frames_that_are_not_blank(live: dict[str, Any]) -> None:
    r = scenario(live, "renders")
    assert r["screen_size"] == [90, 160]
    # Both the rendered frame and what reached the window's own framebuffer carry a picture.
    assert r["out_std"] > 10.0 and r["out_mean"] > 20.0
    assert r["screen_std"] > 10.0 and r["screen_mean"] > 20.0
    # F12 twice: two numbered screenshots, the first one kept.
    assert r["shots"] == ["nebula-0001.png"]
    assert r["shots2"] == ["nebula-0001.png", "nebula-0002.png"]
    assert r["gl_error"] == "GL_NO_ERROR"


def test_pause_step_reset_hud_and_the_action_filter(live: dict[str, Any]) -> None:
    r = scenario(live, "actions")
    head = "\n".join(r["hud_text"])
    assert "fps" in head and "knot" in head and "t      40.0 s" in head  # fps, arc phase, time
    assert "exposure" in head and "e E" in head.replace("\t", " ")  # a parameter and its keys
    assert r["paused_dt"] == 0.0 and r["paused_steps"] == 0
    assert r["stepped"] == 1  # "." while paused: exactly one fixed step
    assert r["resumed_dt"] == pytest.approx(0.5, abs=0.02)  # 30 frames at 60 Hz
    assert r["bloom_up"] == pytest.approx(0.85)
    assert r["bloom_reset"] == pytest.approx(0.8)
    assert r["hud_after_h"] is False
    assert r["lines_hidden"] == r["messages"]  # hidden: only the messages stay on screen
    assert r["hud_after_tab"] is True
    assert r["glow_filtered"] == pytest.approx(1.0)  # filtered out: no change


def test_a_parameter_key_changes_the_value_and_the_picture(live: dict[str, Any]) -> None:
    r = scenario(live, "param_key")
    assert r["paused"] is True
    assert r["control_diff"] < 0.5  # paused and untouched: the same picture
    assert r["start"] == pytest.approx(1.0)
    assert 1.0 < r["mid"] < 1.3  # one frame after the keys: still gliding, not jumping
    assert r["up"] == pytest.approx(1.3)  # six steps of 0.05
    assert r["down"] == pytest.approx(1.2)
    assert r["mean_after"] > r["mean_before"] + 3.0
    assert r["diff"] > 3.0


def test_space_makes_the_dreamer_share_and_threads_appear(live: dict[str, Any]) -> None:
    r = scenario(live, "share")
    assert r["before"] == 0
    assert r["after"] > r["before"]
    assert r["requested"] is True
    assert r["speaker"] == 0  # the dreamer


@pytest.mark.parametrize(("case", "file"), [("main", "sky.frag"), ("include", "lib/noise.glsl")])
def test_a_broken_then_fixed_shader_edit_while_running(
    live: dict[str, Any], case: str, file: str
) -> None:
    r = scenario(live, "shader_reload")[case]
    where = f"shaders/{file}:{r['bad_line']}:"
    assert any(e.startswith(where) for e in r["errors"]), r["errors"]
    assert any(where in line for line in r["hud"]), r["hud"]
    assert r["running"] is True
    assert r["broken_std"] > 10.0  # the last good program kept drawing
    assert r["errors_after_fix"] == []
    assert not any("shader error" in line for line in r["hud_after_fix"])
    assert any("shaders reloaded" in line for line in r["hud_after_fix"])


def test_shader_reloads_release_what_they_replace(live: dict[str, Any]) -> None:
    r = scenario(live, "shader_reload")
    assert r["objects_after"] == r["objects_before"]
    assert r["gl_error"] == "GL_NO_ERROR"


def test_presets_round_trip(live: dict[str, Any]) -> None:
    r = scenario(live, "presets")
    assert len(r["saved"]) == 1 and r["saved"][0].endswith("preset-001.toml")
    assert r["after_reset"] != r["wanted"]
    assert r["loaded_ok"] is True
    assert r["loaded"] == pytest.approx(r["wanted"])
    assert r["loaded_values"] == pytest.approx(r["wanted"], abs=0.01)  # glided there
    assert r["slot1"] == "dawn"
    assert r["slot1_targets"]["exposure"] == pytest.approx(1.35)


def test_a_bad_preset_is_refused_while_the_piece_keeps_running(live: dict[str, Any]) -> None:
    r = scenario(live, "presets")
    assert r["bad_ok"] is False
    assert r["kept"] is True
    refusal = [line for line in r["hud"] if "refused" in line]
    assert refusal, r["hud"]
    assert "exposure" in refusal[0] and "9.0" in refusal[0] and "[0.2, 3]" in refusal[0]
    assert r["running"] is True and r["std_after_bad"] > 10.0


def test_gl_objects_are_flat_after_300_frames_and_10_resizes(live: dict[str, Any]) -> None:
    r = scenario(live, "gl_objects")
    assert r["frames"] == 300
    assert r["distinct_sizes"] >= 5  # the window really changed size and the renderer followed
    assert r["fullscreen_size"] == r["desktop"]  # F11: fullscreen at the display's size
    assert r["back_size"] == [160, 90]
    assert r["start"] > 0
    assert r["end"] == r["start"]
    assert r["after_release"] == 0
    # The HUD text is re-rendered a few times a second, not every frame.
    assert 0 < r["hud_renders"] < 60
    assert r["gl_error"] == "GL_NO_ERROR"
    assert live["objects_at_end"] == 0
