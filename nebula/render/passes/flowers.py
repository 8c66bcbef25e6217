"""Crystal flowers: light pools and dancing shadows on the ground, then the faceted crystals,
all instanced from the simulation's flower array."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.render.cull import spheres_in_view
from nebula.render.passes.base import CORNERS, FrameInputs, InstancedPass
from nebula.render.shaders import HotProgram, ProgramSpec
from nebula.sim.flowers import FLOWER_DTYPE

#: How far a flower's drawing reaches from its root, in units of its size, with a margin: the
#: crystal (about 1.1 with its sway), its pool of light (2.6) and its shadow's disc (1.4 + 1.6 x
#: glow; glow reaches 1.1 at unity, so 3.2).
REACH = 3.5


def crystal_mesh(petals: int = 5) -> tuple[NDArray[np.float32], NDArray[np.uint32]]:
    """A flower of elongated bipyramid petals, flat-shaded: vertices (position xyz, normal xyz,
    facet) and the triangles' indices, each wound outwards (the back faces are culled).

    Flat shading takes a facet's normal and tone from its provoking (last) vertex, so each
    petal's ring is there twice, once for the lower facets and once for the upper: 14 vertices
    a petal instead of a triangle list's 36, which a software rasterizer shades 2.6 times less.
    """
    verts: list[tuple[float, ...]] = []
    index: list[int] = []
    for k in range(petals + 1):
        # Petal k leans outwards; the last one is the upright central crystal.
        central = k == petals
        yaw = 2 * math.pi * k / petals
        tilt = 0.0 if central else 0.55
        length = 1.0 if central else 0.7
        r = 0.13 if central else 0.1
        sides = 6
        base = np.array([0.0, 0.0, 0.0])
        axis = np.array(
            [math.sin(tilt) * math.cos(yaw), math.cos(tilt), math.sin(tilt) * math.sin(yaw)]
        )
        side_a = (
            np.cross(axis, [0.0, 0.0, 1.0])
            if abs(axis[2]) < 0.9
            else np.cross(axis, [1.0, 0.0, 0.0])
        )
        side_a /= np.linalg.norm(side_a)
        side_b = np.cross(axis, side_a)
        mid = base + axis * length * 0.35
        tip = base + axis * length
        angles = [2 * math.pi * s / sides for s in range(sides)]
        ring = [mid + (side_a * math.cos(a) + side_b * math.sin(a)) * r for a in angles]
        first = len(verts)
        # Vertex 0 the base, 1 the tip, then the ring for the lower facets, then for the upper.
        verts += [(*base, 0.0, -1.0, 0.0, 0.0), (*tip, 0.0, 1.0, 0.0, 1.0)]
        for facet in (0.0, 1.0):
            for s in range(sides):
                p, q = ring[s], ring[(s + 1) % sides]
                a_, b_, c_ = (base, q, p) if facet == 0.0 else (p, q, tip)
                n = np.cross(b_ - a_, c_ - a_)
                n /= max(float(np.linalg.norm(n)), 1e-9)
                verts.append((*p, *n, facet + s / sides * 0.5))
        lower, upper = first + 2, first + 2 + sides
        for s in range(sides):
            t = (s + 1) % sides
            index += [first, lower + t, lower + s]  # (base, q, p): provoking p, lower facet s
            index += [upper + t, first + 1, upper + s]  # (q, tip, p): provoking p, upper facet s
    return np.asarray(verts, dtype=np.float32), np.asarray(index, dtype=np.uint32)


class FlowersPass(InstancedPass):
    NAME = "flowers"
    DTYPE = FLOWER_DTYPE
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "flower_ground": ProgramSpec("flower_ground.vert", "flower_ground.frag"),
        "flower": ProgramSpec("flower.vert", "flower.frag"),
    }

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], capacity: int
    ) -> None:
        super().__init__(ctx, programs, capacity)
        mesh, index = crystal_mesh()
        self.mesh = self.static_buffer(mesh)
        self.mesh_index = self.static_buffer(index)
        self.mesh_vertices = len(index)
        self.quad = self.static_buffer(CORNERS)
        self._uploaded: tuple[FrameInputs, int] | None = None

    def _upload_seen(self, f: FrameInputs) -> int:
        """The flowers in view into the instance buffer, once a frame (the ground light and
        the crystals both draw them); how many."""
        if self._uploaded is not None and self._uploaded[0] is f:
            return self._uploaded[1]
        flowers = f.state.flowers
        seen = spheres_in_view(flowers["in_pos"], flowers["in_size"] * REACH, f.cull_proj())
        n = self.upload(flowers[seen])
        self._uploaded = (f, n)
        return n

    def draw_ground(self, f: FrameInputs, target: moderngl.Framebuffer) -> None:
        """The light and shade each flower throws on the plain, into ``target``: the plain's
        half-resolution background when the plain is drawn (they are as soft as it, and a
        quarter of the fragments: 7.5 -> 2.7 ms at 720p), else the scene."""
        n = self._upload_seen(f)
        if n == 0:
            return
        ctx = self.ctx
        target.use()
        ctx.disable(moderngl.DEPTH_TEST)
        ctx.enable(moderngl.BLEND)
        # Shadows darken and pools of light add, in one premultiplied "over" (flower_ground.frag).
        ctx.blend_func = moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA
        self.uniforms("flower_ground", f.u)
        ground = self.instanced_vao("flower_ground", (self.quad, "2f", "in_corner"))
        ground.render(moderngl.TRIANGLE_STRIP, vertices=4, instances=n)
        ctx.disable(moderngl.BLEND)

    def draw(self, f: FrameInputs) -> None:
        scene_fbo = self.ctx.fbo  # the renderer's scene target, bound by the caller
        if "plain" not in f.passes:  # else the ground light went into the plain's background
            self.draw_ground(f, scene_fbo)
        n = self._upload_seen(f)
        if n == 0:
            return
        ctx = self.ctx
        scene_fbo.use()
        ctx.enable(moderngl.BLEND)
        # Crystals: translucent, depth-tested so figures and flowers overlap truly. Their far
        # sides are culled: behind a facet of alpha 0.7 or more they hardly show, and they were
        # half the triangles a software rasterizer sets up (flowers 16 -> 13 ms at 720p).
        ctx.enable(moderngl.DEPTH_TEST | moderngl.CULL_FACE)
        ctx.blend_func = moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA
        self.uniforms("flower", f.u)
        crystal = self.instanced_vao(
            "flower",
            (self.mesh, "3f 3f 1f", "in_vertex", "in_normal", "in_facet"),
            index_buffer=self.mesh_index,
        )
        crystal.render(moderngl.TRIANGLES, vertices=self.mesh_vertices, instances=n)
        ctx.disable(moderngl.CULL_FACE)
