"""Show without a window (headless EGL): the per-frame work a soak or the window drives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import moderngl
import numpy as np
import pytest
from numpy.typing import NDArray

from nebula.app.show import Show
from nebula.app.status import FrameMeter
from nebula.config import Settings
from nebula.output.png import read_png
from nebula.render.context import live_objects

SIZE = (96, 54)


@pytest.fixture
def show(ctx: moderngl.Context, tmp_path: Path) -> Iterator[Show]:
    s = Show(
        ctx,
        SIZE,
        Settings(seed=3),
        screenshot_dir=tmp_path / "shots",
        preset_dir=tmp_path / "presets",
        now_wall=0.0,
        clock_offset=60.0,
    )
    yield s
    s.release()


def test_the_frame_meter_averages_a_second_and_reports_the_last_frame() -> None:
    meter = FrameMeter()
    for _ in range(39):
        meter.add(1 / 30.0)
    assert meter.fps == pytest.approx(30.0, rel=1e-6)
    assert meter.frame_ms == pytest.approx(1000.0 / 30.0)
    meter.add(2.0 + 1 / 30.0)  # a 2 s stall is reported as it was
    assert meter.frame_ms == pytest.approx(2000.0 + 1000 / 30.0)
    for _ in range(60):  # and leaves the average once 60 newer frames have passed
        meter.add(1 / 60.0)
    assert meter.fps == pytest.approx(60.0, rel=1e-6)


def test_fps_and_frame_time_come_from_the_wall_clock(show: Show) -> None:
    for i in range(5):
        show.frame(i / 30.0)
    assert show.fps == pytest.approx(30.0, rel=1e-6)  # frame-to-frame, from the second frame
    assert show.frame_ms == pytest.approx(1000.0 / 30.0)


def test_the_world_follows_the_clock_on_its_fixed_step(show: Show) -> None:
    show.frame(0.0)
    show.frame(1.0)
    assert show.time == pytest.approx(61.0)
    assert show.world.cycle_t == pytest.approx(61.0)
    show.do("up:time_scale")  # 1.0 -> 1.1, no smoothing: at once
    show.frame(2.0)
    show.frame(3.0)
    assert show.time == pytest.approx(62.0 + 1.1, abs=1e-9)


@pytest.mark.slow
def test_a_change_glides_instead_of_jumping(show: Show) -> None:
    show.frame(0.0)
    for _ in range(4):
        show.do("up:bloom")
    show.frame(1 / 60)  # the change takes effect on the next simulation step (1/20 s)
    assert show.params["bloom"] == 0.8 and show.wanted["bloom"] == pytest.approx(1.0)
    show.frame(0.12)
    first = show.params["bloom"]
    assert 0.8 < first < 1.0
    for i in range(1, 40):
        show.frame(0.12 + i / 20)
    assert show.params["bloom"] == pytest.approx(1.0)


def test_a_glide_is_a_function_of_steps_not_of_frames(ctx: moderngl.Context) -> None:
    # The same change at the same step, seen by a fast and a slow frame rate: the same values
    # at the same piece times (a replay renders at its own rate).
    seen = []
    for fps in (60.0, 7.0):
        s = Show(ctx, SIZE, Settings(seed=3), now_wall=0.0, clock_offset=60.0)
        try:
            s.frame(0.0)
            s.do("up:exposure")
            s.do("up:exposure")
            values = {}
            k = 0
            while k / fps < 0.1:
                s.frame(k / fps)
                k += 1
            for t in (0.1, 0.2, 0.3):
                s.frame(t)
                values[t] = dict(s.params.values)
            seen.append(values)
        finally:
            s.release()
    assert seen[0] == seen[1]
    assert 1.0 < seen[0][0.1]["exposure"] < seen[0][0.3]["exposure"] < 1.1  # gliding


def test_render_scale_and_resizes_keep_gl_objects_flat(ctx: moderngl.Context, show: Show) -> None:
    # No screen: targets are replaced straight after drawing into them (the soak's path).
    show.frame(0.0)
    before = live_objects(ctx)
    show.set_render_scale(0.5)
    assert show.renderer.size == (48, 27)
    assert ctx.error == "GL_NO_ERROR"
    show.frame(0.1)
    show.resize((64, 64))
    assert show.renderer.size == (32, 32)
    show.set_render_scale(1.0)
    show.resize(SIZE)
    show.frame(0.2)
    assert live_objects(ctx) == before
    with pytest.raises(ValueError, match="render scale"):
        show.set_render_scale(0.0)


def test_present_scales_the_frame_and_master_fades_to_black(
    ctx: moderngl.Context, show: Show
) -> None:
    size = (192, 108)
    fbo = ctx.simple_framebuffer(size)
    try:
        show.hud_visible = False
        show.frame(0.0)
        show.present(fbo, size)
        lit = np.frombuffer(fbo.read(components=3), np.uint8)
        show.master = 0.0
        show.present(fbo, size)
        dark = np.frombuffer(fbo.read(components=3), np.uint8)
    finally:
        show.release()  # binds no framebuffer of ours, so fbo can go
        fbo.release()
    assert lit.std() > 10.0
    assert dark.max() == 0


def test_screenshots_never_overwrite(show: Show, tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    (shots / "nebula-0001.png").write_bytes(b"mine")
    show.frame(0.0)
    a = show.actions.screenshot()
    b = show.actions.screenshot()
    assert (a.name, b.name) == ("nebula-0002.png", "nebula-0003.png")
    assert (shots / "nebula-0001.png").read_bytes() == b"mine"
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_screenshot_asked_for_before_the_first_frame_is_of_that_frame(
    show: Show, tmp_path: Path
) -> None:
    """Keys typed while the window's shaders compile arrive before anything is drawn: F12
    then saves the first frame, not the blank target (a black PNG)."""
    assert show.do("screenshot")
    shot = tmp_path / "shots" / "nebula-0001.png"
    assert not shot.exists()
    show.frame(0.0)
    assert shot.is_file()
    saved = read_png(shot)
    assert saved.std() > 10.0
    assert np.array_equal(saved, show.renderer.read())
    show.frame(1.0)
    assert sorted(p.name for p in shot.parent.iterdir()) == ["nebula-0001.png"]  # taken once


def test_unknown_and_filtered_actions_do_nothing(show: Show) -> None:
    assert show.do("explode") is False
    show.action_filter = lambda name: not name.startswith("up:")
    assert show.do("up:exposure") is False
    assert show.wanted["exposure"] == 1.0
    assert show.do("down:exposure") is True
    assert show.wanted["exposure"] == pytest.approx(0.95)
    assert show.timeline.pending == 1  # on the next step


def test_the_hud_draws_only_its_text_and_the_same_pixels(ctx: moderngl.Context) -> None:
    """Only the text's extent is blended (the texture's transparent rest cost milliseconds a
    frame): the window looks exactly as when the whole texture was drawn."""
    from nebula.app.hud import Hud, Line, Presenter

    size = (800, 600)
    fbo = ctx.simple_framebuffer(size)
    hud, presenter = Hud(ctx), Presenter(ctx)
    try:
        hud.set_lines([Line("nebula\t9.0 fps"), Line("s S\tswirl speed\t1.00")])
        pictures = []
        for whole in (False, True):
            fbo.use()
            fbo.clear(0.2, 0.1, 0.3, 1.0)
            if whole:  # the texture as a whole, at the same scale and corner
                x0, y0, x1, y1 = hud.rect(size)
                w, h = hud.size[0] / hud.extent[0], hud.size[1] / hud.extent[1]
                rect = (x0, y1 - (y1 - y0) * h, x0 + (x1 - x0) * w, y1)
                presenter.draw(hud.texture, rect, flip_y=True, blend=True)
            else:
                hud.draw(presenter, size)
            pictures.append(np.frombuffer(fbo.read(components=3), np.uint8).reshape(-1, 3))
    finally:
        ctx.detect_framebuffer(0).use()
        presenter.release()
        hud.release()
        fbo.release()
    only_text, all_of_it = pictures
    assert np.abs(only_text.astype(int) - all_of_it).max() <= 1
    assert (only_text != only_text[0]).any(axis=1).sum() > 500  # and it drew the text


def test_a_hud_value_that_changes_every_frame_draws_what_a_fresh_hud_draws(
    ctx: moderngl.Context,
) -> None:
    """An OSC fader moves a value every frame: its part is drawn anew and the others come from
    the HUD's cache of drawn parts, which stays about the size of what is on screen."""
    from nebula.app.hud import Hud, Line

    def lines(k: int) -> list[Line]:
        # Now one row, now another, now the widest (a new box): each redraws what it must.
        return [Line(f"nebula\t{20 + k // 7 % 9}.0 fps"), Line(f"b B\tbloom\t{k / 1000:.3f}"),
                Line("s S\tswirl speed\t1.00" + " wide" * (k // 50 % 3)),
                Line(f"e E\texposure\t{k // 3 % 10}.00")]  # fmt: skip

    def drawn(hud: Hud) -> NDArray[np.uint8]:  # the extent: all that is ever drawn
        w, h = hud.extent
        pixels = np.frombuffer(hud.texture.read(), np.uint8).reshape(*hud.size[::-1], 4)
        return pixels[:h, :w]

    moved = Hud(ctx)
    try:
        for k in range(600):
            moved.set_lines(lines(k))
            if k % 23 == 0 or k == 599:
                fresh = Hud(ctx)
                try:
                    fresh.set_lines(lines(k))
                    assert moved.extent == fresh.extent
                    assert np.array_equal(drawn(moved), drawn(fresh)), f"frame {k}"
                    assert drawn(fresh)[..., 3].max() > 0
                finally:
                    fresh.release()
        assert len(moved._parts) <= 4 * 4 + 256
    finally:
        moved.release()


def test_an_event_redraws_its_own_row_and_the_readouts_wait_for_their_tick(show: Show) -> None:
    """A fader moving every frame: its row follows at once; the rate and the piece's time, which
    change every frame too, are read every HUD_REFRESH_SECONDS (drawing them anew each frame was
    most of what a flood cost the frame)."""
    from nebula.app.show import HUD_REFRESH_SECONDS
    from nebula.control.events import Event

    assert show.hud is not None
    show.frame(0.0)
    head = show.hud.lines[:2]

    def bloom_row() -> str:
        assert show.hud is not None
        return next(ln.text for ln in show.hud.lines if "\tbloom\t" in ln.text)

    rows = [bloom_row()]
    for k in range(1, 4):
        show.post(Event("osc", "param:bloom", 2.0 * k / 3))
        show.frame(k * 0.02)
        rows.append(bloom_row())
        assert rows[-1] != rows[-2]  # gliding to the new value, shown as it goes
        assert show.hud.lines[:2] == head
    show.frame(HUD_REFRESH_SECONDS + 0.01)
    assert show.hud.lines[:2] != head  # the tick: the rate and the time read again


def test_every_source_reaches_the_parameters_through_one_door(show: Show) -> None:
    from nebula.control.events import Event

    seen: list[Event] = []
    show.listeners.append(seen.append)
    show.frame(0.0)
    assert show.do("up:bloom")  # a key
    assert show.apply(Event("osc", "preset_1"))  # a slot asked over OSC: the preset it names
    assert show.apply(Event("midi", "param:haze", 0.5))
    assert not show.apply(Event("osc", "param:haze", float("nan")))  # refused, not applied
    assert [(e.source, e.target) for e in seen] == [
        ("key", "param:bloom"),
        ("osc", "preset"),
        ("midi", "param:haze"),
    ]
    step = show.world.index + 1
    assert all(e.step == step for e in seen)  # each on the next step
    before = dict(show.params.targets)
    show.frame(1 / 60)  # the step comes: all three applied, in order
    assert show.params.targets["haze"] == 0.5 != before["haze"]
    assert show.params.targets == show.wanted
