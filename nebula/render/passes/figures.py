"""The circle of figures as solid bodies: every part of every figure (nebula.sim.poses) is one
instance of a unit round-cone mesh, shaped and placed by the vertex shader, lit and painted by
the fragment shader (heads carry the face). Each figure throws a soft shadow on the plain.

The parts write depth as they are drawn (blended premultiplied): a figure hides what stands
behind it, its own far side included. Drawing all their depth first so that a guarded figure's
translucency showed only the scene was tried and left out: the bodies are nearly opaque (0.9
at the least), and it cost a second pass of every vertex for no visible change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.render.cull import spheres_in_view
from nebula.render.gpu import attribute_format
from nebula.render.passes.base import FrameInputs, InstancedPass
from nebula.render.shaders import HotProgram, ProgramSpec, float_defines
from nebula.sim.figures import FIGURE_DTYPE, KIND_DREAMER, KIND_MAN, KIND_OTHER, KIND_WOMAN
from nebula.sim.poses import (
    KIND,
    MATERIAL_CLOTH,
    MATERIAL_HAIR,
    MATERIAL_SKIN,
    PART,
    PART_DTYPE,
    PART_HEAD,
    PARTS,
    RA,
    RB,
    P,
)

_DEFINES = float_defines(
    KIND_OTHER=KIND_OTHER,
    KIND_WOMAN=KIND_WOMAN,
    KIND_MAN=KIND_MAN,
    MATERIAL_CLOTH=MATERIAL_CLOTH,
    MATERIAL_SKIN=MATERIAL_SKIN,
    MATERIAL_HAIR=MATERIAL_HAIR,
    **{f"PART_{name.upper()}": float(i) for name, i in P.items()},
)
_NAMES = {KIND_OTHER: "other", KIND_WOMAN: "woman", KIND_MAN: "man"}

#: The unit round cone: SEGMENTS round its axis, and these rings from the pole at a to the
#: pole at b, as (t along the axis, latitude on an end cap: 0 the side, 1 the pole).
SEGMENTS = 12
RINGS = ((0.0, 1.0), (0.0, 0.72), (0.0, 0.0), (0.5, 0.0), (1.0, 0.0), (1.0, 0.72), (1.0, 1.0))


def round_cone_mesh(segments: int = SEGMENTS) -> tuple[NDArray[np.float32], NDArray[np.int32]]:
    """Vertices (t, angle, latitude) and triangles, counter-clockwise seen from outside."""
    angles = np.arange(segments) * (2.0 * math.pi / segments)
    verts = np.array([(t, a, lat) for t, lat in RINGS for a in angles], dtype=np.float32)
    tris = []
    for r in range(len(RINGS) - 1):
        for j in range(segments):
            a, b = r * segments + j, r * segments + (j + 1) % segments
            c, d = a + segments, b + segments
            tris += [(a, c, b), (b, c, d)]
    return verts, np.array(tris, dtype=np.int32).ravel()


class FiguresPass(InstancedPass):
    NAME = "figures"
    DTYPE = PART_DTYPE
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "figure_shadow": ProgramSpec("figure_shadow.vert", "figure_shadow.frag"),
        # One program per kind, and for heads apart: a software rasterizer runs every branch's
        # code behind a false `if`, so each run is drawn by a program with only its own.
        **{
            f"figure_{kind}{'_head' if head else ''}": ProgramSpec(
                "figure.vert",
                "figure.frag",
                {
                    **_DEFINES,
                    "FIGURE_KIND": f"KIND_{kind.upper()}",
                    "FIGURE_HEAD": "1.0" if head else "0.0",
                },
            )
            for kind in ("other", "woman", "man")
            for head in (False, True)
        },
    }

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], capacity: int
    ) -> None:
        self.figure_capacity = max(1, capacity)
        super().__init__(ctx, programs, self.figure_capacity * PARTS)
        verts, tris = round_cone_mesh()
        self.mesh = self.static_buffer(verts)
        self.triangles = self.static_buffer(tris)
        self.mesh_indices = len(tris)
        # The shadows' quads, one per figure, read from the figures' own records.
        self.square = self.static_buffer(np.array([-1, -1, 1, -1, -1, 1, 1, 1], dtype=np.float32))
        self.shadows = ctx.buffer(reserve=self.figure_capacity * FIGURE_DTYPE.itemsize)
        self._static.append(self.shadows)
        self._sorted = np.zeros(self.capacity, dtype=PART_DTYPE)
        # A buffer per run of one kind (GL 3.3 draws have no first instance), made as needed.
        self._runs: list[moderngl.Buffer] = [self.instances]

    def draw(self, f: FrameInputs) -> None:
        state = f.state
        figures = state.figures
        drawn = figures[figures["in_kind"] != KIND_DREAMER][: self.figure_capacity]
        ctx = self.ctx
        ctx.enable(moderngl.DEPTH_TEST | moderngl.BLEND)
        fbo = ctx.fbo
        # Shadows on the plain: tested against what stands before them, never hiding anything.
        if len(drawn):
            self.shadows.write(drawn.tobytes())
            self.uniforms("figure_shadow", f.u)
            ctx.blend_func = moderngl.ZERO, moderngl.ONE_MINUS_SRC_ALPHA
            fbo.depth_mask = False
            self._shadow_vao().render(moderngl.TRIANGLE_STRIP, vertices=4, instances=len(drawn))
            fbo.depth_mask = True
        parts = state.parts
        parts = parts[parts["in_id"][:, KIND] != KIND_DREAMER]
        if f.reach is not None:  # a wall's tile: only the parts that reach into it
            parts = parts[parts_in_view(parts, f.cull_proj())]
        runs = part_runs(parts, self._sorted, state.camera)
        if not runs:
            return
        # The speaker's heart lights the others: whoever speaks most now (the dreamer too).
        speaking = int(np.argmax(figures["in_speak"]))
        heart = figures["in_heart"][speaking]
        light = {
            "u_speaker_heart": tuple(float(x) for x in heart),
            "u_speaker_glow": float(figures["in_speak"][speaking]),
        }
        ctx.enable(moderngl.CULL_FACE)
        uploads = []
        for i, (_, run) in enumerate(runs):
            if i == len(self._runs):
                self._runs.append(self.instance_buffer())
            uploads.append(self.upload(run, into=self._runs[i]))
        ctx.blend_func = moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA
        for i, ((name, _), count) in enumerate(zip(runs, uploads, strict=True)):
            self.uniforms(name, {**f.u, **light})
            self._vao(name, i).render(
                moderngl.TRIANGLES, vertices=self.mesh_indices, instances=count
            )
        ctx.disable(moderngl.CULL_FACE)

    def _vao(self, name: str, run: int) -> moderngl.VertexArray:
        return self.instanced_vao(
            name,
            (self.mesh, "3f", "in_shape"),
            instances=self._runs[run],
            index_buffer=self.triangles,
            key=f"{name}#{run}",
        )

    def _shadow_vao(self) -> moderngl.VertexArray:
        def make(p: moderngl.Program) -> moderngl.VertexArray:
            fmt, names = attribute_format(FIGURE_DTYPE, p, "i")
            content = [(self.square, "2f", "in_corner"), (self.shadows, fmt, *names)]
            return self.ctx.vertex_array(p, content)

        return self.vao("figure_shadow", make)


#: How far a part's surface reaches past its round cone, in metres: the guarded body's breath
#: along its normal and the cloth's flare, with room to spare (figure.vert).
PART_MARGIN = 0.1


def parts_in_view(parts: NDArray[np.void], view_proj: NDArray[np.floating]) -> NDArray[np.bool_]:
    """Which parts' bounding spheres reach into ``view_proj``'s frustum: each round cone from a
    to b, its radii (the deeper of its cross-section's two) and a margin."""
    a, b = parts["in_a"].astype(np.float64), parts["in_b"].astype(np.float64)
    radii = parts["in_radii"].astype(np.float64)
    widest = np.maximum(radii[:, RA], radii[:, RB]) * np.maximum(1.0, radii[:, 2])
    reach = 0.5 * np.linalg.norm(b - a, axis=1) + widest + PART_MARGIN
    return spheres_in_view(0.5 * (a + b), reach, view_proj)


def part_runs(
    parts: NDArray[np.void], into: NDArray[np.void], eye: NDArray[np.floating] | None = None
) -> list[tuple[str, NDArray[np.void]]]:
    """The parts as runs drawn by one program each: by kind, heads apart, sorted into ``into``
    (as many as fit), each run nearest first when ``eye`` is given: what a nearer part hides is
    then rejected by the depth test before it is shaded. Parts that are not drawn (radius 0:
    legs under a robe) are left out."""
    radii = parts["in_radii"]
    shown = parts[(radii[:, RA] > 0.0) | (radii[:, RB] > 0.0)][: len(into)]
    if eye is not None and len(shown):
        mid = 0.5 * (shown["in_a"] + shown["in_b"]) - np.asarray(eye, dtype=np.float32)
        shown = shown[np.argsort(np.einsum("ij,ij->i", mid, mid), kind="stable")]
    head = shown["in_id"][:, PART] == PART_HEAD
    runs = []
    k = 0
    for kind, name in _NAMES.items():
        of_kind = shown["in_id"][:, KIND] == kind
        for is_head in (False, True):
            run = shown[of_kind & (head == is_head)]
            if len(run):
                into[k : k + len(run)] = run
                runs.append((f"figure_{name}{'_head' if is_head else ''}", into[k : k + len(run)]))
                k += len(run)
    return runs
