"""Runs the live piece in a real pygame window in *this* process and reports what happened.

test_live.py starts this script in a child process under the same X display: a GLX window cannot
be made current in a process that already holds an EGL context (the headless GL tests' fixture),
so the window gets a fresh interpreter. Keys go through SDL's own event queue (pygame.event.post)
and LiveLoop.handle, exactly as typed keys do. Time is a fake wall clock handed to every frame,
so glides, shader polling and HUD refreshes happen without sleeping.

Usage: python tests/app/live_driver.py WORKDIR  -> one JSON object on the last line of stdout.
"""

from __future__ import annotations

import json
import shutil
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pygame

from nebula.app.show import Show
from nebula.app.window import LiveLoop, Window, display_sizes
from nebula.render.context import live_objects
from nebula.resources import shaders_dir

SIZE = (160, 90)
FRAME = 1.0 / 60.0


class Rig:
    """One Show on the shared window, with a fake wall clock."""

    def __init__(self, window: Window, work: Path, name: str, **kw: Any) -> None:
        self.dir = work / name
        self.shaders = self.dir / "shaders"
        shutil.copytree(shaders_dir(), self.shaders)
        self.now = 1000.0
        self.window = window
        self.show = Show(
            window.ctx,
            window.size,
            shader_root=self.shaders,
            screenshot_dir=self.dir / "shots",
            preset_dir=self.dir / "presets",
            screen=window.screen,
            now_wall=self.now,
            **kw,
        )
        self.loop = LiveLoop(window, self.show, self.show.hotkeys)

    def key(self, key: int, mod: int = 0) -> None:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=""))
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=key, mod=mod, unicode=""))

    def run(self, frames: int = 1, dt: float = FRAME) -> None:
        for _ in range(frames):
            self.now += dt
            self.loop.tick(self.now)

    def picture(self) -> np.ndarray:
        return self.show.renderer.read().astype(np.float64)

    def screen(self) -> np.ndarray:
        w, h = self.window.size
        raw = self.window.screen.read(viewport=(0, 0, w, h), components=3)
        # moderngl selects a colour attachment on the default framebuffer, which GL flags as an
        # invalid operation; the pixels are right. Clear it so the real checks stay meaningful.
        _ = self.window.ctx.error
        return np.frombuffer(raw, np.uint8).reshape(h, w, 3).astype(np.float64)

    def close(self) -> None:
        self.show.release()


def renders(win: Window, work: Path) -> dict[str, Any]:
    r = Rig(win, work, "renders", clock_offset=80.0)
    r.run(5)
    out, scr = r.picture(), r.screen()
    r.key(pygame.K_F12)
    r.run(1)
    shots = sorted(p.name for p in (r.dir / "shots").glob("*.png"))
    r.key(pygame.K_F12)
    r.run(1)
    shots2 = sorted(p.name for p in (r.dir / "shots").glob("*.png"))
    res = {
        "out_mean": out.mean(),
        "out_std": out.std(),
        "screen_mean": scr.mean(),
        "screen_std": scr.std(),
        "screen_size": list(scr.shape[:2]),
        "shots": shots,
        "shots2": shots2,
        "gl_error": win.ctx.error,
    }
    r.close()
    return res


def actions(win: Window, work: Path) -> dict[str, Any]:
    """Pause, step, reset, the HUD toggle (H and Tab) and an action filter."""
    r = Rig(win, work, "actions", clock_offset=40.0)
    r.run(3)
    hud_text = [ln.text for ln in r.show.hud.lines] if r.show.hud else []
    r.key(pygame.K_p)
    r.run(2)
    t0, steps0 = r.show.time, r.show.world.steps
    r.run(30)
    t_paused, steps_paused = r.show.time, r.show.world.steps
    r.key(pygame.K_PERIOD)
    r.run(1)
    stepped = r.show.world.steps - steps_paused
    r.key(pygame.K_p)
    r.run(30)
    resumed = r.show.time - t_paused
    r.key(pygame.K_b, pygame.KMOD_LSHIFT)
    r.run(2)
    bloom_up = r.show.wanted["bloom"]
    r.key(pygame.K_r)
    r.run(2)
    bloom_reset = r.show.wanted["bloom"]
    r.key(pygame.K_h)
    r.run(2)
    hud_after_h = r.show.hud_visible
    lines_hidden = [ln.text for ln in r.show.hud.lines] if r.show.hud else None
    messages = [m.text for m in r.show.messages]
    r.key(pygame.K_TAB)
    r.run(2)
    hud_after_tab = r.show.hud_visible
    # Installation mode filters actions through one door: Show.do.
    r.show.action_filter = lambda name: name == "share"
    r.key(pygame.K_g, pygame.KMOD_LSHIFT)
    r.run(2)
    glow_filtered = r.show.wanted["thread_glow"]
    res = {
        "hud_text": hud_text,
        "paused_dt": t_paused - t0,
        "paused_steps": steps_paused - steps0,
        "stepped": stepped,
        "resumed_dt": resumed,
        "bloom_up": bloom_up,
        "bloom_reset": bloom_reset,
        "hud_after_h": hud_after_h,
        "lines_hidden": lines_hidden,
        "messages": messages,
        "hud_after_tab": hud_after_tab,
        "glow_filtered": glow_filtered,
    }
    r.close()
    return res


def param_key(win: Window, work: Path) -> dict[str, Any]:
    r = Rig(win, work, "param_key", clock_offset=130.0)
    r.run(3)
    r.key(pygame.K_p)  # pause: piece time stands still, so only the key can change the picture
    r.run(3)
    before = r.picture()
    r.run(30)
    same = r.picture()
    start = r.show.shown["exposure"]
    for _ in range(6):
        r.key(pygame.K_e, pygame.KMOD_LSHIFT)  # Shift+E: exposure up one step
    r.run(1)
    mid = r.show.shown["exposure"]
    r.run(120)  # two seconds of glide
    after = r.picture()
    up = r.show.shown["exposure"]
    for _ in range(2):
        r.key(pygame.K_e)  # E: exposure down one step
    r.run(120)
    res = {
        "paused": r.show.clock.paused,
        "start": start,
        "mid": mid,
        "up": up,
        "down": r.show.shown["exposure"],
        "control_diff": float(np.abs(same - before).mean()),
        "mean_before": before.mean(),
        "mean_after": after.mean(),
        "diff": float(np.abs(after - before).mean()),
    }
    r.close()
    return res


def share(win: Window, work: Path) -> dict[str, Any]:
    r = Rig(win, work, "share", clock_offset=5.0)  # arrival: nobody has shared yet
    r.run(3)
    count0 = r.show.world.web.count
    r.key(pygame.K_SPACE)
    r.run(6)
    last = r.show.world.last_share
    res = {
        "before": count0,
        "after": r.show.world.web.count,
        "requested": bool(last is not None and last.requested),
        "speaker": None if last is None else last.speaker,
    }
    r.close()
    return res


def shader_reload(win: Window, work: Path) -> dict[str, Any]:
    r = Rig(win, work, "shader_reload", clock_offset=80.0)
    r.run(3)
    res: dict[str, Any] = {"objects_before": live_objects(win.ctx)}
    for name, rel in (("main", "sky.frag"), ("include", "lib/noise.glsl")):
        path = r.shaders / rel
        good = path.read_text(encoding="utf-8")
        lines = good.splitlines()
        bad_line = 2 if lines[0].startswith("#version") else 1  # outside any comment
        lines.insert(bad_line - 1, "this is not glsl;")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        r.run(40)  # > 0.5 s of wall time: at least one poll
        errors = [str(e) for e in r.show.shader_errors]
        hud = [ln.text for ln in r.show.hud.lines] if r.show.hud else []
        broken_pic = r.picture()
        path.write_text(good, encoding="utf-8")
        r.run(40)
        res[name] = {
            "bad_line": bad_line,
            "errors": errors,
            "hud": hud,
            "running": r.show.running,
            "broken_std": broken_pic.std(),
            "errors_after_fix": [str(e) for e in r.show.shader_errors],
            "hud_after_fix": [ln.text for ln in r.show.hud.lines] if r.show.hud else [],
        }
    res["objects_after"] = live_objects(win.ctx)
    res["gl_error"] = win.ctx.error
    r.close()
    return res


def presets(win: Window, work: Path) -> dict[str, Any]:
    r = Rig(win, work, "presets")
    r.run(2)
    for _ in range(3):
        r.key(pygame.K_b, pygame.KMOD_LSHIFT)  # bloom up
    r.key(pygame.K_u)  # hue down
    r.key(pygame.K_t, pygame.KMOD_LSHIFT)  # time scale up
    r.run(2)
    wanted = r.show.params.snapshot()
    r.key(pygame.K_s, pygame.KMOD_LCTRL)  # save as a new preset
    r.run(2)
    saved = sorted(str(p) for p in (r.dir / "presets").glob("*.toml"))
    r.key(pygame.K_r)  # reset
    r.run(2)
    after_reset = r.show.params.snapshot()
    loaded_ok = r.show.actions.load_preset(saved[0]) if saved else False
    r.run(60)
    loaded = r.show.params.snapshot()
    loaded_values = dict(r.show.params.values)
    # Keys 1-9: slot 1 is the first shipped preset by name.
    r.key(pygame.K_1)
    r.run(2)
    slot1 = r.show.preset_name
    slot1_targets = r.show.params.snapshot()
    # A bad preset while running: refused, the look is kept, the HUD says why.
    bad = r.dir / "bad.toml"
    bad.write_text('name = "bad"\n[params]\nexposure = 9.0\n', encoding="utf-8")
    keep = r.show.params.snapshot()
    bad_ok = r.show.actions.load_preset(str(bad))
    r.run(20)
    res = {
        "wanted": wanted,
        "saved": saved,
        "after_reset": after_reset,
        "loaded_ok": loaded_ok,
        "loaded": loaded,
        "loaded_values": loaded_values,
        "slot1": slot1,
        "slot1_targets": slot1_targets,
        "bad_ok": bad_ok,
        "kept": r.show.params.snapshot() == keep,
        "hud": [ln.text for ln in r.show.hud.lines] if r.show.hud else [],
        "running": r.show.running,
        "std_after_bad": r.picture().std(),
    }
    r.close()
    return res


def gl_objects(win: Window, work: Path) -> dict[str, Any]:
    from pygame._sdl2.video import Window as SDLWindow

    sdl = SDLWindow.from_display_module()
    r = Rig(win, work, "gl_objects", clock_offset=150.0)
    r.run(10)
    start = live_objects(win.ctx)
    hud_renders0 = r.show.hud.renders if r.show.hud else 0
    sizes = [(200, 120), (120, 80), (240, 100), (96, 96), (180, 90)] * 2
    seen = []
    frames = 0
    for i in range(300):
        if i % 30 == 15:
            sdl.size = sizes[i // 30]
        r.run(1)
        frames += 1
        seen.append(r.show.renderer.size)
    resized = len({tuple(s) for s in seen})
    # F11 twice (fullscreen at a small render scale, then back).
    r.show.set_render_scale(0.1)
    r.key(pygame.K_F11)
    r.run(3)
    full = r.window.size
    r.key(pygame.K_F11)
    r.run(3)
    r.show.set_render_scale(1.0)
    sdl.size = SIZE
    r.run(5)
    end = live_objects(win.ctx)
    res = {
        "start": start,
        "end": end,
        "frames": frames,
        "distinct_sizes": resized,
        "fullscreen_size": list(full),
        "desktop": list(display_sizes()[win.display]),
        "back_size": list(r.window.size),
        "hud_renders": (r.show.hud.renders if r.show.hud else 0) - hud_renders0,
        "gl_error": win.ctx.error,
    }
    r.close()
    res["after_release"] = live_objects(win.ctx)
    return res


SCENARIOS: dict[str, Callable[[Window, Path], dict[str, Any]]] = {
    f.__name__: f for f in (renders, actions, param_key, share, shader_reload, presets, gl_objects)
}


def main() -> None:
    work = Path(sys.argv[1])
    win = Window(SIZE, vsync=False)
    results: dict[str, Any] = {"window_objects": live_objects(win.ctx)}
    for name, fn in SCENARIOS.items():
        try:
            results[name] = fn(win, work)
        except Exception:
            results[name] = {"exception": traceback.format_exc()}
    results["objects_at_end"] = live_objects(win.ctx)
    win.close()
    print(json.dumps(results, default=float))


if __name__ == "__main__":
    main()
