"""What the renderer draws, checked on small headless frames: a still has contrast, the sky shows
the palette, the plain remembers what was shared, a thread lights its own curve and nothing else."""

from __future__ import annotations

from pathlib import Path

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula import scene
from nebula.config import Params
from nebula.piece import Piece
from nebula.render.frame import FrameTime
from nebula.render.renderer import Renderer
from nebula.sim.flowers import FLOWER_DTYPE
from nebula.sim.particles import PARTICLE_DTYPE
from nebula.sim.threads import THREAD_DTYPE
from tests.helpers import RENDER_SIZE, FakeState

SIZE = RENDER_SIZE  # the `piece` fixture's (tests/render/conftest.py)


def luminance(rgb: NDArray[np.uint8]) -> NDArray[np.float64]:
    c = rgb.astype(np.float64)
    return np.asarray(0.2126 * c[..., 0] + 0.7152 * c[..., 1] + 0.0722 * c[..., 2])


def hue_sat(rgb: NDArray[np.uint8]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """HSV hue in degrees and saturation, per pixel."""
    c = rgb.astype(np.float64) / 255.0
    r, g, b = c[..., 0], c[..., 1], c[..., 2]
    mx, mn = c.max(axis=-1), c.min(axis=-1)
    d = np.where(mx - mn > 1e-9, mx - mn, 1.0)
    h = np.where(
        mx == r, ((g - b) / d) % 6.0, np.where(mx == g, (b - r) / d + 2.0, (r - g) / d + 4.0)
    )
    s = np.where(mx > 1e-9, (mx - mn) / np.maximum(mx, 1e-9), 0.0)
    return np.asarray(h * 60.0), np.asarray(s)


# First: it moves forward from arrival, so later tests at 190 s cost no stepping.
def _bottom_luminance(piece: Piece, t: float) -> float:
    img = piece.render(t, ("plain",))
    return float(luminance(img[-SIZE[1] // 4 :]).mean())


def test_plain_is_brighter_at_unity_than_at_arrival(ctx: moderngl.Context, piece: Piece) -> None:
    arrival = _bottom_luminance(piece, 15.0)
    unity = _bottom_luminance(piece, 190.0)
    assert unity > arrival * 1.5
    assert unity - arrival > 20.0


def test_still_is_neither_blank_nor_saturated(ctx: moderngl.Context, piece: Piece) -> None:
    img = piece.render(190.0).copy()
    assert img.shape == (SIZE[1], SIZE[0], 3)
    lum = luminance(img)
    assert lum.std() > 20.0
    assert 30.0 < lum.mean() < 220.0
    assert (img == 255).all(axis=-1).mean() < 0.02
    assert (img.max(axis=-1) < 8).mean() < 0.05


def test_sky_shows_amethyst_and_rose_gold(ctx: moderngl.Context, piece: Piece) -> None:
    img = piece.render(190.0, ("sky", "post")).copy()
    sky = img[: int(SIZE[1] * 0.55)]  # above the horizon (40% up from the bottom)
    hue, sat = hue_sat(sky)
    tinted = sat > 0.12
    purple = tinted & (hue >= 250.0) & (hue < 300.0)
    rose = tinted & ((hue >= 330.0) | (hue < 40.0))
    assert purple.mean() > 0.05
    assert rose.mean() > 0.05


def test_thread_lights_its_curve_and_not_far_from_it(ctx: moderngl.Context) -> None:
    w, h = SIZE
    threads = np.zeros(1, THREAD_DTYPE)
    p0 = np.array([-2.5, 1.3, -7.0])
    p2 = np.array([2.5, 1.3, -7.5])
    p1 = np.array([0.3, 2.6, -7.2])  # bowed upwards: a curve, not a line
    threads["in_p0"], threads["in_p1"], threads["in_p2"] = p0, p1, p2
    threads["in_strength"] = 1.0
    threads["in_grow"] = 1.0
    r = Renderer(ctx, SIZE, capacities={"threads": 1})
    try:
        r.draw(FakeState(threads), Params().values, FrameTime(190.0), passes=("threads",))
        img = r.read().copy()
    finally:
        r.release()
    s = np.linspace(0.0, 1.0, 200)[:, None]
    curve = (1 - s) ** 2 * p0 + 2 * (1 - s) * s * p1 + s**2 * p2
    uv = scene.project(curve, w / h)
    px = np.column_stack([uv[:, 0] * w, (1.0 - uv[:, 1]) * h])  # image rows run top down
    lum = luminance(img)
    # Along the curve (inner 90%, away from the tapered ends): lit within a few pixels.
    lit = 0
    inner = px[10:-10]
    for x, y in inner:
        xi, yi = int(x), int(y)
        patch = lum[max(0, yi - 3) : yi + 4, max(0, xi - 3) : xi + 4]
        lit += int(patch.size > 0 and patch.max() > 40.0)
    assert lit / len(inner) > 0.95
    # Far from the curve (over 12 px away): dark.
    ys, xs = np.mgrid[0:h, 0:w]
    grid = np.column_stack([xs.ravel() + 0.5, ys.ravel() + 0.5])
    dist = np.full(len(grid), np.inf)
    for p in px:
        dist = np.minimum(dist, np.hypot(grid[:, 0] - p[0], grid[:, 1] - p[1]))
    far = dist.reshape(h, w) > 12.0
    assert far.mean() > 0.5  # the check below covers most of the frame
    assert (lum[far] > 12.0).mean() < 0.001
    assert lum[far].max() < 40.0


def test_post_compiles_in_haze_watercolor_and_knot_only_where_they_show() -> None:
    from nebula.render.passes.post import PostPass

    guarded = [(0.5, 0.3, 0.2, 1.0)]
    calm = {
        "u_resolution": (1280.0, 720.0),
        "u_fade": 0.0,
        "u_watercolor": 1.0,
        "u_haze": 0.0,
        "u_tension": 0.0,
        "u_grain": 1.0,
        "u_hue_shift": 0.0,
    }
    assert PostPass.variant(calm, guarded) == "composite"
    assert PostPass.variant({**calm, "u_haze": 0.8}, guarded) == "composite_haze"
    assert PostPass.variant({**calm, "u_haze": 0.8}, [(0.5, 0.3, 0.2, 0.0)]) == "composite"
    # A haze whose largest offset is under a quarter of a pixel is left out: at 720p the open
    # circle's last shimmer (0.08 of a haze of 0.19) moves the picture 0.08 px; at 8K it shows.
    faint = [(0.5, 0.3, 0.2, 0.08)]
    assert PostPass.variant({**calm, "u_haze": 0.19}, faint) == "composite"
    eight_k = {**calm, "u_haze": 0.19, "u_resolution": (7680.0, 4320.0)}
    assert PostPass.variant(eight_k, faint) == "composite_haze"
    assert PostPass.variant({**calm, "u_fade": 0.5}, []) == "composite_fade"
    assert PostPass.variant({**calm, "u_fade": 0.5, "u_watercolor": 0.0}, []) == "composite"
    # The knot's static: in where it would show, out below half a code value or without grain.
    assert PostPass.variant({**calm, "u_tension": 0.9}, []) == "composite_knot"
    assert PostPass.variant({**calm, "u_tension": 0.9, "u_fade": 0.5}, []) == "composite_fade_knot"
    assert PostPass.variant({**calm, "u_tension": 0.1}, []) == "composite"
    assert PostPass.variant({**calm, "u_tension": 0.9, "u_grain": 0.0}, []) == "composite"
    # The hue shift: in as soon as it is asked for.
    assert PostPass.variant({**calm, "u_hue_shift": 0.01}, []) == "composite_hue"
    assert PostPass.variant({**calm, "u_hue_shift": -0.3, "u_tension": 0.9, "u_fade": 0.5}, []) == (
        "composite_fade_knot_hue"
    )
    assert len(PostPass.PROGRAMS) == 4 + 12  # bright, blur, the bloom's two, the composites


HUE_PROBE = """#version 330 core
#include "lib/uniforms.glsl"
#include "lib/color.glsl"
uniform vec3 u_colors[4];
out vec4 out_color;
void main() {
    vec3 c = u_colors[int(gl_FragCoord.x)];
    out_color = vec4(hue_rotate(c, u_hue_shift), 1.0);
}
"""


def test_the_hue_matrix_is_the_shaders_hue_rotation(ctx: moderngl.Context, tmp_path: Path) -> None:
    """The composite's hue variant multiplies by frame.hue_matrix instead of calling hue_rotate:
    both must turn hues alike."""
    from nebula.render.frame import hue_matrix
    from nebula.render.shaders import preprocess
    from nebula.resources import shaders_dir

    (tmp_path / "probe.frag").write_text(HUE_PROBE, encoding="utf-8")
    fs = preprocess(tmp_path / "probe.frag", shaders_dir()).text
    vs = (shaders_dir() / "fullscreen.vert").read_text(encoding="utf-8")
    prog = ctx.program(vertex_shader=vs, fragment_shader=fs)
    tex = ctx.texture((4, 1), 4, dtype="f4")
    fbo = ctx.framebuffer([tex])
    vao = ctx.vertex_array(prog, [])
    colors = np.array([[1.0, 0.2, 0.1], [0.3, 0.1, 0.9], [0.9, 0.7, 0.2], [2.5, 1.0, 0.4]])
    try:
        uniform = prog["u_colors"]
        assert isinstance(uniform, moderngl.Uniform)
        uniform.write(colors.astype("f4").tobytes())
        for turns in (-0.5, -0.13, 0.07, 0.3):
            prog["u_hue_shift"] = turns
            fbo.use()
            ctx.viewport = (0, 0, 4, 1)
            vao.render(moderngl.TRIANGLES, vertices=3)
            got = np.frombuffer(fbo.read(components=4, dtype="f4"), np.float32).reshape(4, 4)
            np.testing.assert_allclose(got[:, :3], colors @ hue_matrix(turns).T, atol=1e-4)
    finally:
        ctx.detect_framebuffer(0).use()
        for obj in (vao, fbo, tex, prog):
            obj.release()


def test_a_flower_throws_dancing_shadows_that_reach_with_its_light(ctx: moderngl.Context) -> None:
    """The spokes of shade a crystal's own light throws on the plain grow with its pulse."""
    fl = np.zeros(1, FLOWER_DTYPE)
    fl["in_pos"] = (0.3, 0.0, scene.CAMERA_REST[2] - 10.0)  # low in the frame, near the middle
    fl["in_size"] = 0.5
    fl["in_seed"] = 0.4
    # Twice the suite's size: the ground's light and shade are drawn at the plain's half
    # resolution, and at 160x90 a flower's spokes are a handful of texels.
    r = Renderer(ctx, (2 * SIZE[0], 2 * SIZE[1]), capacities={"flowers": 1})

    def plain(glow: float | None) -> NDArray[np.float64]:
        flowers = fl.copy()
        flowers["in_glow"] = glow or 0.0
        state = FakeState(np.zeros(0, THREAD_DTYPE), flowers=flowers if glow else fl[:0])
        r.draw(state, Params().values, FrameTime(190.0), passes=("plain", "flowers"))
        return luminance(r.read().copy())

    try:
        bare, dim, bright = plain(None), plain(0.35), plain(1.0)
    finally:
        r.release()
    shaded = [int(np.count_nonzero(img < bare - 4.0)) for img in (dim, bright)]
    assert shaded[0] > 20  # a shadow even when the light is low
    assert shaded[1] > 1.3 * shaded[0]  # brighter light throws it farther


def test_a_word_bird_beats_its_wings(ctx: moderngl.Context) -> None:
    """One large bird, drawn at moments a fraction of a wingbeat apart: wider than tall (two
    wings), and the wings move between the moments (it flies; it is not a fixed chevron)."""
    p = np.zeros(1, PARTICLE_DTYPE)
    p["in_pos"] = (0.0, 2.4, scene.CAMERA_REST[2] - 4.0)
    p["in_birth"], p["in_life"], p["in_size"] = 100.0, 10.0, 0.6
    p["in_kind"], p["in_seed"], p["in_bright"] = 1.0, 0.0, 1.0  # KIND_BIRD
    r = Renderer(ctx, SIZE, capacities={"particles": 1})
    frames = []
    try:
        for t in (100.5, 100.58, 100.66):
            state = FakeState(np.zeros(0, THREAD_DTYPE), cycle_t=t, particles=p)
            r.draw(state, Params().values, FrameTime(t), passes=("particles",))
            frames.append(luminance(r.read().copy()))
    finally:
        r.release()
    for img in frames:
        ys, xs = np.nonzero(img > 30.0)
        assert len(xs) > 20
        assert np.ptp(xs) > 1.5 * np.ptp(ys)  # wings spread out to the sides
    rows = [float(np.average(np.nonzero(img > 30.0)[0])) for img in frames]
    assert max(rows) - min(rows) > 1.0  # the wings rise and fall
