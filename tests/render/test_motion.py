"""The piece in motion: no NaN or infinity in any render target, whatever the state, and the scan
that watches frames in sequence catches what stills cannot (a flash, a jump)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import moderngl
import numpy as np
import pytest
from numpy.typing import NDArray

from nebula import scene
from nebula.config import Params, Settings
from nebula.piece import Piece
from nebula.render.frame import FrameTime, frame_uniforms
from nebula.render.renderer import Renderer
from nebula.render.shaders import preprocess
from nebula.resources import shaders_dir
from nebula.review import scan
from nebula.sim.figures import FIGURE_DTYPE
from nebula.sim.flowers import FLOWER_DTYPE
from nebula.sim.particles import PARTICLE_DTYPE
from nebula.sim.story import Moods
from nebula.sim.threads import THREAD_DTYPE

SMALL = (160, 90)


# ---------------------------------------------------------------- the frames that broke


@pytest.mark.parametrize(
    ("t", "size"),
    [
        # Each needs the world as it was at t (a 1 to 2 s seek): the larger sizes run in the
        # whole suite only, keeping the quick tier under a minute.
        pytest.param(145.6, (640, 360), marks=pytest.mark.slow),
        pytest.param(87.93333333333334, (640, 360), marks=pytest.mark.slow),
        pytest.param(138.26666666666668, (1280, 720), marks=pytest.mark.slow),
        (120.93333333333334, (320, 180)),  # frame 1814 of a 15 fps record from 0
    ],
)
def test_frames_that_flashed_black_blocks_are_clean(
    ctx: moderngl.Context, t: float, size: tuple[int, int]
) -> None:
    with Piece(Settings(seed=0), size=size, ctx=ctx) as piece:
        img = piece.render(t)
        bad = piece.renderer.nonfinite_pixels()
    assert sum(bad.values()) == 0, bad
    black = float((img.max(axis=2) <= scan.Thresholds.black_level).mean())
    assert black < scan.Thresholds.black_share


# ---------------------------------------------------------------- the GLSL guards themselves

PROBE = """#version 330 core
#include "lib/uniforms.glsl"
#include "lib/noise.glsl"
#include "lib/safe.glsl"
uniform float u_zero;      // 0, as a uniform so the compiler cannot fold the cases away
uniform float u_below;     // -1e-7: what 1 - |cos| interpolates to at some pixels
out vec4 out_color;
void main() {
    int i = int(gl_FragCoord.x);
    float v = -1.0;
    if (i == 0) v = spow(u_below, 3.0);                                   // 0
    if (i == 1) v = safe_normalize(vec3(u_zero), vec3(1.0, 0.0, 0.0)).x;  // the fallback: 1
    if (i == 2) v = safe_normalize(vec2(u_zero), vec2(0.0, 1.0)).y;       // 1
    if (i == 3) v = safe_atan(u_zero, u_zero);                            // 0
    if (i == 4) v = safe_ndc(vec4(0.5, 0.0, 0.0, u_zero)).x;              // 0.5 / SAFE_MIN_W
    if (i == 5) v = finite_out(vec4(u_zero / u_zero)).x;                  // nan in: 0
    if (i == 6) v = finite_out(vec4(1.0 / u_zero)).x;                     // inf in: 0
    if (i == 7) v = finite_out(vec4(1.0e6 + u_zero)).x;                   // SAFE_MAX_OUT
    // A loop of noise is continuous where its phase wraps from 1 to 0.
    if (i == 8) v = noise2_loop(vec2(3.3, 1.7), 1.0 + u_zero) - noise2_loop(vec2(3.3, 1.7), 0.0);
    out_color = vec4(v, 0.0, 0.0, 1.0);
}
"""
EXPECTED = [0.0, 1.0, 1.0, 0.0, 500.0, 0.0, 0.0, 256.0, 0.0]


def test_glsl_guards_give_finite_answers_where_the_raw_operation_is_undefined(
    ctx: moderngl.Context, tmp_path: Path
) -> None:
    (tmp_path / "probe.frag").write_text(PROBE, encoding="utf-8")
    fs = preprocess(tmp_path / "probe.frag", shaders_dir()).text
    vs = (shaders_dir() / "fullscreen.vert").read_text(encoding="utf-8")
    prog = ctx.program(vertex_shader=vs, fragment_shader=fs)
    tex = ctx.texture((len(EXPECTED), 1), 4, dtype="f4")
    fbo = ctx.framebuffer([tex])
    vao = ctx.vertex_array(prog, [])
    try:
        prog["u_zero"] = 0.0
        prog["u_below"] = -1e-7
        fbo.use()
        ctx.viewport = (0, 0, len(EXPECTED), 1)
        vao.render(moderngl.TRIANGLES, vertices=3)
        got = np.frombuffer(fbo.read(components=4, dtype="f4"), dtype=np.float32)[0::4]
    finally:
        ctx.detect_framebuffer(0).use()
        for obj in (vao, fbo, tex, prog):
            obj.release()
    assert np.isfinite(got).all(), got
    np.testing.assert_allclose(got[:-1], EXPECTED[:-1], atol=1e-5)
    assert abs(got[-1]) < 2e-3  # float32 cos(TAU) is not exactly 1; a jump would be ~0.1


# ---------------------------------------------------------------- guards, one state each


@dataclass
class State:
    """A hand-made SceneState: the arrays given, the rest empty."""

    threads: NDArray[np.void] = field(default_factory=lambda: np.zeros(0, THREAD_DTYPE))
    figures: NDArray[np.void] = field(default_factory=lambda: np.zeros(0, FIGURE_DTYPE))
    particles: NDArray[np.void] = field(default_factory=lambda: np.zeros(0, PARTICLE_DTYPE))
    flowers: NDArray[np.void] = field(default_factory=lambda: np.zeros(0, FLOWER_DTYPE))
    moods: Moods = field(default_factory=lambda: Moods(1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.0, 0.5))
    cycle_t: float = 100.0
    camera: NDArray[np.float64] = field(default_factory=lambda: scene.CAMERA_REST.copy())

    @property
    def parts(self) -> NDArray[np.void]:
        """The figures' bodies, posed from the records given (nebula.sim.poses)."""
        from nebula.sim.poses import Poser

        return Poser(self.figures).pose(self.figures)


@pytest.fixture
def renderer(ctx: moderngl.Context) -> Iterator[Renderer]:
    r = Renderer(ctx, SMALL, capacities={"threads": 4, "particles": 8, "figures": 4})
    yield r
    r.release()


def draw(r: Renderer, state: State, passes: tuple[str, ...]) -> NDArray[np.uint8]:
    r.draw(state, Params().values, FrameTime(state.cycle_t), passes=passes)
    bad = r.nonfinite_pixels()
    assert sum(bad.values()) == 0, bad
    return r.read().copy()


def lit_share(img: NDArray[np.uint8], level: int = 24) -> float:
    return float((img.max(axis=2) > level).mean())


def test_a_particle_at_or_just_before_the_eye_neither_breaks_nor_fills_the_frame(
    renderer: Renderer,
) -> None:
    p = np.zeros(3, PARTICLE_DTYPE)
    forward = np.array([0.0, 0.0, -1.0])
    # At the eye itself, a hair in front of the near plane, and a normal one 6 m away.
    p["in_pos"] = [scene.CAMERA_REST, scene.CAMERA_REST + 0.12 * forward, [0.0, 1.5, -5.0]]
    p["in_birth"] = 99.0
    p["in_life"] = 10.0
    p["in_size"] = 0.05
    p["in_bright"] = 1.0
    p["in_kind"] = 2.0  # light on a thread: the brightest kind
    img = draw(renderer, State(particles=p), ("particles",))
    # The one 6 m away is a small bright dot; the near ones add no frame-filling sprite.
    assert 0.0 < lit_share(img) < 0.02


def test_a_thread_from_behind_the_eye_draws_only_its_visible_part(renderer: Renderer) -> None:
    th = np.zeros(2, THREAD_DTYPE)
    front = np.array([0.5, 1.6, -7.0])
    # One starts exactly at the eye (clip w = 0), one well behind it.
    th["in_p0"] = [scene.CAMERA_REST, scene.CAMERA_REST + np.array([0.3, 0.0, 2.0])]
    th["in_p1"] = [[0.0, 2.4, -2.0], [0.0, 2.6, -1.0]]
    th["in_p2"] = [front, front + np.array([1.0, 0.0, 0.0])]
    th["in_strength"] = 1.0
    th["in_grow"] = 1.0
    img = draw(renderer, State(threads=th), ("threads",))
    # Ribbons reach into the frame, and nothing smears across it.
    assert 0.001 < lit_share(img) < 0.25


def test_degenerate_figures_are_harmless(renderer: Renderer) -> None:
    f = np.zeros(4, FIGURE_DTYPE)
    # Straight below the eye (no direction to face), zero height, exactly at the eye, and
    # behind it; then one ordinary figure in the circle.
    f["in_pos"] = [
        [scene.CAMERA_REST[0], 0.0, scene.CAMERA_REST[2]],
        [0.0, 0.0, -6.0],
        scene.CAMERA_REST,
        [0.0, 0.0, scene.CAMERA_REST[2] + 3.0],
    ]
    f["in_height"] = [1.7, 0.0, 1.7, 1.7]
    f["in_shimmer"] = 1.0
    f["in_kind"] = 0.0  # an ordinary figure (3 is the dreamer, never drawn)
    state = State(figures=f)
    rects = renderer._haze_figures(state)
    # Only the zero-height one stands in front of the eye: a figure behind it must not haze
    # the mirrored place where projecting through w < 0 puts it.
    assert len(rects) == 1 and np.isfinite(rects[0]).all(), rects
    draw(renderer, state, ("figures", "post"))


def test_a_zero_sized_target_is_drawn_at_one_pixel(ctx: moderngl.Context) -> None:
    r = Renderer(ctx, (0, 0))
    try:
        assert r.size == (1, 1)
        draw(r, State(), ("sky", "plain", "post"))
        r.resize((0, 7))
        assert r.size == (1, 7)
        draw(r, State(), ("sky", "plain", "post"))
    finally:
        r.release()


def test_every_wrapped_phase_reaches_shaders_in_0_1() -> None:
    # Shaders may only use wrapped phases in whole turns; here: they arrive wrapped.
    state = State()
    for t in (0.0, 110.93, 190.0, 2_592_000.0 + 190.0):
        u = frame_uniforms(state, Params().values, FrameTime(t), SMALL)
        for name in ("u_swirl_phase", "u_swirl_phase_b", "u_noise_seed"):
            assert 0.0 <= float(u[name]) < 1.0  # type: ignore[arg-type]
        assert all(0.0 <= w < 1.0 for w in u["u_wave"])  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the scan on the real piece


def test_scan_over_the_spans_that_broke_finds_nothing(ctx: moderngl.Context) -> None:
    # 105.13 s flashed a block at this size; the sky jumped at 110.93 s (its swirl phase wrapped).
    with Piece(Settings(seed=0), {"grain": 0.0}, size=SMALL, ctx=ctx) as piece:
        for start in (104.6, 110.4):
            result = scan.scan(piece, start, 15, 15.0)
            assert result.frames == 15
            assert result.flags == [], result.flags
            assert np.nanmedian(result.steps["sky"]) > 0.05  # it did see motion


# ---------------------------------------------------------------- the scan catches faults


def synthetic(n: int, size: tuple[int, int] = (64, 36), seed: int = 1) -> NDArray[np.uint8]:
    """A drifting, noisy gradient: steady motion of a few levels a frame."""
    w, h = size
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 1.0, w)[None, :, None]
    y = np.linspace(0.0, 1.0, h)[:, None, None]
    frames = []
    for k in range(n):
        base = 80 + 60 * np.sin(6.0 * x + 0.08 * k) + 40 * y + np.zeros((h, w, 3))
        frames.append(np.clip(base + rng.normal(0.0, 1.0, base.shape), 0, 255))
    return np.asarray(frames, dtype=np.uint8)


def run(frames: NDArray[np.uint8], bad: dict[int, int] | None = None) -> list[scan.Flag]:
    n, h, w, _ = frames.shape
    fps = 15.0
    triples = ((k / fps, frames[k], (bad or {}).get(k, 0)) for k in range(n))
    times, steps, skips, nonfinite, black = scan.measure(triples, n, (w, h))
    return scan.find_flags(times, steps, skips, nonfinite, black, fps)


def test_scan_finds_nothing_in_steady_motion() -> None:
    assert run(synthetic(90)) == []


def test_scan_catches_a_planted_flash() -> None:
    frames = synthetic(90)
    frames[40, :12, 10:40] = 0  # one frame: a black block over the sky, as bloom spread it
    flags = run(frames)
    kinds = {(f.frame, f.kind, f.region) for f in flags}
    assert (40, "flash", "sky") in kinds
    assert (40, "black", "frame") in kinds
    assert not any(f.kind == "jump" for f in flags)  # it returned: a flash, not a jump


def test_scan_catches_a_planted_jump() -> None:
    frames = synthetic(90)
    frames[55:, :20] = np.clip(frames[55:, :20].astype(int) + 40, 0, 255)  # the sky shifts, stays
    flags = run(frames)
    assert [(f.frame, f.kind, f.region) for f in flags] == [(55, "jump", "sky")]


def test_scan_reports_non_finite_pixels() -> None:
    flags = run(synthetic(30), bad={12: 1})
    assert [(f.frame, f.kind) for f in flags] == [(12, "nonfinite")]
