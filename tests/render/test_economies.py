"""The frame's economies draw what the costlier passes drew: the sky and the plain shade only
their own bands of rows, the plain runs at half resolution without a seam at the horizon, and
motes drawn as point sprites still show at the frame's edge."""

from __future__ import annotations

import moderngl
import numpy as np
import pytest

from nebula import scene
from nebula.config import Params
from nebula.piece import Piece
from nebula.render.frame import FrameTime
from nebula.render.passes.flowers import crystal_mesh
from nebula.render.passes.sky import CLOUDS_LOW, HORIZON
from nebula.render.renderer import Renderer
from nebula.render.shaders import set_uniforms
from nebula.sim.particles import KIND_MOTE, PARTICLE_DTYPE
from tests.helpers import RENDER_SIZE, FakeState

SIZE = RENDER_SIZE  # the `piece` fixture's (tests/render/conftest.py)


def _row_elevations(size: tuple[int, int]) -> np.ndarray:
    """The view ray's elevation at every pixel centre (rows bottom to top), as sky_ray.vert
    and the shaders make it, worked out here independently of elevation_band."""
    w, h = size
    inv = np.linalg.inv(scene.view_projection(w / h).astype(np.float64))
    x, y = np.meshgrid((np.arange(w) + 0.5) / w * 2 - 1, (np.arange(h) + 0.5) / h * 2 - 1)
    far = np.stack([x, y, np.ones_like(x), np.ones_like(x)], axis=-1) @ inv.T
    ray = far[..., :3] - scene.CAMERA_REST * far[..., 3:4]
    return np.asarray(ray[..., 1] / np.linalg.norm(ray, axis=-1))


@pytest.mark.parametrize("size", [(640, 360), (512, 384), (360, 640), (840, 360)])
@pytest.mark.parametrize("lo,hi", [(HORIZON, 1.0), (CLOUDS_LOW, 1.0), (-1.0, HORIZON)])
def test_a_band_holds_every_row_its_pass_shades(
    size: tuple[int, int], lo: float, hi: float
) -> None:
    el = _row_elevations(size)
    band = scene.elevation_band(size[0] / size[1], lo, hi)
    assert band is not None
    centres = (np.arange(size[1]) + 0.5) / size[1] * 2 - 1
    needed = centres[((el >= lo) & (el <= hi)).any(axis=1)]
    assert band[0] <= needed.min() and needed.max() <= band[1]
    # And it is a band, not the whole frame: the horizon splits it (every frame here sees both).
    assert band[1] - band[0] < 1.9


def test_the_banded_sky_and_plain_draw_what_full_screen_ones_did(
    piece: Piece, monkeypatch: pytest.MonkeyPatch
) -> None:
    banded = piece.render(190.0, ("sky", "plain")).astype(int)
    monkeypatch.setattr(scene, "elevation_band", lambda aspect, lo, hi: (-1.0, 1.0))
    full = piece.render(190.0, ("sky", "plain")).astype(int)
    assert np.abs(banded - full).max() <= 2


def test_the_half_resolution_plain_meets_the_sky_without_a_seam(piece: Piece) -> None:
    """No row along the horizon is darker than both its neighbours: the half-resolution
    background holds the clouds' texels above the horizon and the plain's below, and bilinear
    taps along it must not reach a texel left cleared."""
    rows = piece.render(190.0, ("sky", "plain")).astype(float).mean(axis=(1, 2))
    horizon = round((1.0 - scene.HORIZON_FROM_BOTTOM) * SIZE[1])  # image rows run top down
    for r in range(horizon - 3, horizon + 4):
        assert rows[r] >= min(rows[r - 1], rows[r + 1]) - 4.0, (r, rows[r - 2 : r + 3])


def test_a_mote_across_the_frame_edge_shows_its_inner_half(ctx: moderngl.Context) -> None:
    """GL drops a point sprite whose centre is off-screen: a mote there must go with the quads."""
    aspect = SIZE[0] / SIZE[1]
    eye = scene.CAMERA_REST
    # A big near mote, its centre a little beyond the left edge, halfway up the frame.
    target = np.array([[-1.02, 0.0, 1.0, 1.0]])
    inv = np.linalg.inv(scene.view_projection(aspect, eye).astype(np.float64))
    far = (target @ inv.T)[0]
    ray = far[:3] / far[3] - eye
    p = np.zeros(1, PARTICLE_DTYPE)
    p["in_pos"] = eye + ray / np.linalg.norm(ray) * 3.0
    p["in_birth"], p["in_life"], p["in_size"] = 180.0, 20.0, 0.1
    p["in_kind"], p["in_seed"], p["in_bright"] = KIND_MOTE, 0.1, 8.0
    r = Renderer(ctx, SIZE, capacities={"particles": 1})
    try:
        r.draw(FakeState(cycle_t=190.0, particles=p), Params().values, FrameTime(190.0))
        lit = r.read().astype(float).max(axis=2)
        r.draw(FakeState(cycle_t=190.0), Params().values, FrameTime(190.0))
        bare = r.read().astype(float).max(axis=2)
    finally:
        r.release()
    edge = (lit - bare)[SIZE[1] // 2 - 3 : SIZE[1] // 2 + 3, :4]
    assert edge.max() > 10.0


def test_a_frame_drawn_into_another_framebuffer_is_still_what_read_returns(
    ctx: moderngl.Context, piece: Piece
) -> None:
    """The live window has post draw straight into its own framebuffer; a screenshot or a
    gallery heartbeat (Renderer.read) must still get that frame, not the one before it."""
    window = ctx.simple_framebuffer(SIZE)
    try:
        piece.render(150.0)  # the renderer's own target holds another moment
        piece.draw(190.0, output=window)
        shown = np.frombuffer(window.read(components=3), np.uint8).reshape(SIZE[1], SIZE[0], 3)
        read = piece.renderer.read().copy()
        again = piece.render(190.0).copy()  # the same moment drawn the usual way
    finally:
        piece.renderer.output.use()  # bind one of ours before the window's goes
        window.release()
    assert np.array_equal(read, shown[::-1])
    assert np.array_equal(read, again)


def test_flowers_out_of_view_are_culled_without_changing_the_picture(
    piece: Piece, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nebula.render import cull
    from nebula.render.passes import flowers

    vp = scene.view_projection(SIZE[0] / SIZE[1])
    fl = piece.world.flowers
    seen = cull.spheres_in_view(fl["in_pos"], fl["in_size"] * flowers.REACH, vp)
    assert 0 < seen.sum() < len(fl)  # some are culled at rest
    culled = piece.render(190.0, ("plain", "flowers")).astype(int)
    monkeypatch.setattr(flowers, "spheres_in_view", lambda c, r, m: np.ones(len(c), bool))
    everything = piece.render(190.0, ("plain", "flowers")).astype(int)
    assert np.array_equal(culled, everything)


def test_a_sphere_is_culled_only_when_wholly_outside_a_plane() -> None:
    from nebula.render.cull import spheres_in_view

    vp = scene.view_projection(16 / 9)
    eye = scene.CAMERA_REST
    ahead = eye + np.array([0.0, 0.0, -10.0])
    behind = eye + np.array([0.0, 0.0, 10.0])
    far_left = eye + np.array([-40.0, 0.0, -10.0])
    centres = np.array([ahead, behind, behind, far_left, far_left])
    radii = np.array([0.1, 0.1, 10.5, 0.1, 40.0])
    assert spheres_in_view(centres, radii, vp).tolist() == [True, False, True, False, True]


@pytest.mark.slow  # a 2560x1440 frame drawn twice in float
def test_the_star_quads_draw_every_star_the_whole_sky_would(ctx: moderngl.Context) -> None:
    """The stars are a few hundred small quads from a catalogue the GPU makes; star.frag drawn
    over the whole frame (every pixel its own cell's star, as the full-screen sky did) is the
    reference. A star missed by the catalogue, a quad too small for its light or one dropped
    at the frame's edge would show as a difference."""
    from nebula.render.frame import frame_uniforms
    from nebula.render.passes.sky import HORIZON_DEFINES
    from nebula.render.shaders import HotProgram, ProgramSpec

    size = (2560, 1440)  # cells 6-7 pixels wide: a quad that stops short of a star's light shows
    r = Renderer(ctx, size, capacities={})
    every = HotProgram(
        ctx, ProgramSpec("fullscreen.vert", "star.frag", {**HORIZON_DEFINES, "EVERY_PIXEL": 1})
    )
    tex = ctx.texture(size, 4, dtype="f4")
    fbo = ctx.framebuffer([tex])
    full = ctx.vertex_array(every.program, [])
    try:
        state = FakeState(cycle_t=190.0)
        u = frame_uniforms(state, Params().values, FrameTime(190.0), size)
        r.sky.draw_clouds(u)
        pictures = []
        for draw in ("quads", "every pixel"):
            fbo.use()
            fbo.clear(0.0, 0.0, 0.0, 0.0)
            ctx.enable(moderngl.BLEND)
            ctx.blend_func = moderngl.ONE, moderngl.ONE
            r.sky.clouds.use(0)
            if draw == "quads":
                r.sky.uniforms("stars", {**u, "u_clouds": 0})
                vao = r.sky._star_vertex_array()
                vao.render(moderngl.TRIANGLE_STRIP, vertices=4, instances=r.sky.star_count)
            else:
                set_uniforms(every.program, {**u, "u_clouds": 0})
                full.render(moderngl.TRIANGLES, vertices=3)
            ctx.disable(moderngl.BLEND)
            pictures.append(np.frombuffer(tex.read(), np.float32).reshape(size[1], size[0], 4))
    finally:
        r.output.use()
        for obj in (full, fbo, tex):
            obj.release()
        every.release()
        r.release()
    quads, reference = pictures
    assert (reference[..., :3].max(axis=2) > 0.05).sum() > 100  # there are stars to compare
    assert np.abs(quads - reference).max() < 1e-3


def test_every_crystal_facet_is_wound_to_face_outwards() -> None:
    # The crystals are drawn with back faces culled (half the triangles a software rasterizer
    # sets up): a facet wound inwards would vanish from the side that sees it.
    verts, index = crystal_mesh()
    corners = verts[index].astype(np.float64).reshape(-1, 3, 7)
    tris = corners[..., :3]
    winding = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    per_petal = len(tris) // 6  # five leaning petals and the central crystal, in order
    centres = tris.reshape(6, per_petal * 3, 3).mean(axis=1).repeat(per_petal, axis=0)
    outwards = np.einsum("ij,ij->i", winding, tris.mean(axis=1) - centres)
    assert (outwards > 0).all()
    # The normal the shader lights a facet with (its provoking, last, vertex's) agrees with the
    # winding, and no two facets share a provoking vertex (each keeps its own tone).
    normals = corners[:, 2, 3:6]
    assert (np.einsum("ij,ij->i", winding, normals) > 0.999 * np.linalg.norm(winding, axis=1)).all()
    assert len(set(index[2::3].tolist())) == len(tris)


@pytest.mark.slow  # two pieces of their own: every program compiled twice
def test_figures_drawn_by_kind_are_the_figures_one_program_draws(
    ctx: moderngl.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run of one kind, heads apart, has a program with only its own code (FIGURE_KIND,
    FIGURE_HEAD); drawn with one program for every part of every kind, the circle is the same
    picture."""
    from nebula.config import Settings
    from nebula.render.passes import figures
    from nebula.render.shaders import ProgramSpec
    from nebula.sim.poses import PARTS

    def circle() -> tuple[np.ndarray, list[str]]:
        with Piece(Settings(seed=0), size=SIZE, ctx=ctx) as piece:
            piece.world.advance_to(190.0)
            into = np.zeros(len(piece.world.parts), piece.world.parts.dtype)
            names = [k for k, _ in figures.part_runs(piece.world.parts[PARTS:], into)]
            return piece.render(190.0, ("figures",)).astype(int), names

    by_kind, names = circle()
    kinds = {"other", "woman", "man"}
    assert {f"figure_{k}" for k in kinds} | {f"figure_{k}_head" for k in kinds} <= set(names)
    generic = ProgramSpec("figure.vert", "figure.frag", figures._DEFINES)
    monkeypatch.setitem(figures.FiguresPass.PROGRAMS, "figure_any", generic)
    by_program = figures.part_runs

    def one_run(
        parts: np.ndarray, into: np.ndarray, eye: np.ndarray | None = None
    ) -> list[tuple[str, np.ndarray]]:
        # The same parts in the same order (the runs lie one after another in ``into``).
        shown = sum(len(run) for _, run in by_program(parts, into, eye))
        return [("figure_any", into[:shown])] if shown else []

    monkeypatch.setattr(figures, "part_runs", one_run)
    one_program, _ = circle()
    assert np.abs(by_kind - one_program).max() <= 1  # the same picture (to a rounding)
    assert by_kind.max() > 100  # the figures are there to compare


def test_part_runs_group_kinds_and_heads_and_leave_out_hidden_parts() -> None:
    from nebula.render.passes.figures import part_runs
    from nebula.sim.figures import KIND_MAN, KIND_OTHER, KIND_WOMAN
    from nebula.sim.poses import KIND, PART, PART_DTYPE, PART_HEAD, RA, RB

    parts = np.zeros(6, PART_DTYPE)
    parts["in_id"][:, KIND] = [KIND_OTHER, KIND_WOMAN, KIND_OTHER, KIND_MAN, KIND_OTHER, KIND_MAN]
    parts["in_id"][:, PART] = [PART_HEAD, 5.0, 5.0, PART_HEAD, 7.0, 9.0]
    parts["in_radii"][:, [RA, RB]] = 0.05
    parts["in_radii"][4, [RA, RB]] = 0.0  # a leg under a robe: not drawn
    into = np.zeros(6, PART_DTYPE)
    runs = part_runs(parts, into)
    assert [name for name, _ in runs] == [
        "figure_other",
        "figure_other_head",
        "figure_woman",
        "figure_man",
        "figure_man_head",
    ]
    assert sum(len(r) for _, r in runs) == 5
    assert part_runs(parts[:0], into) == []
