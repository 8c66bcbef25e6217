"""What every pass shares: its programs (hot-reloadable), VAOs rebuilt when a program reloads,
the size-dependent targets it owns, and one ``draw(FrameInputs)``. ``InstancedPass`` adds the
skeleton of the instanced passes: one instance buffer of the simulation's structured records,
static geometry, and VAOs that bind the records to the attributes by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.render.gpu import attribute_format
from nebula.render.shaders import (
    STRICT_UNIFORMS,
    HotProgram,
    ProgramSpec,
    check_declared,
    set_uniforms,
)

if TYPE_CHECKING:
    from nebula.render.frame import SceneState

T = TypeVar("T")

#: A unit quad as a triangle strip of corners in [-1, 1]: sprites and ground decals.
CORNERS = np.array([-1, -1, 1, -1, -1, 1, 1, 1], dtype=np.float32)
#: The two triangles a TRIANGLE_STRIP of CORNERS draws, as indices into its four corners.
QUAD_TRIANGLES = np.array([0, 1, 2, 2, 1, 3], dtype=np.int32)


@dataclass(frozen=True)
class FrameInputs:
    """What a pass may read to draw one frame: the frame's uniforms, the simulation state, the
    live parameters, and the targets that the renderer and the passes before it own."""

    u: Mapping[str, object]
    state: SceneState
    params: Mapping[str, float]
    clouds: moderngl.Texture  # the sky's half-resolution clouds (the plain reflects them)
    background: moderngl.Texture  # the same, that the plain draws over (then brings up)
    background_fbo: moderngl.Framebuffer  # its framebuffer
    scene: moderngl.Texture  # the half-float scene target
    output: moderngl.Framebuffer  # where post writes the finished frame
    haze: list[tuple[float, float, float, float]]  # guarded figures on screen, for post
    passes: tuple[str, ...] = ()  # the passes this frame draws (the sky's depends on the plain)
    #: The part of the frame drawn, for a wall's tile: the tile and its guard band (renderer
    #: pixels, GL rows; nebula.render.region); None for all of it.
    reach: tuple[int, int, int, int] | None = None

    def view_proj(self) -> NDArray[np.float64]:
        """The frame's view-projection matrix, row-major (u_view_proj is uploaded column-major):
        for passes that cull or place things on the CPU."""
        return np.asarray(self.u["u_view_proj"], dtype=np.float64).reshape(4, 4).T

    def cull_proj(self) -> NDArray[np.float64]:
        """``view_proj`` narrowed to the ``reach`` (an off-axis sub-frustum): what lies wholly
        outside it changes no pixel that is drawn, so a pass may leave it out."""
        vp = self.view_proj()
        if self.reach is None:
            return vp
        res = self.u["u_resolution"]
        assert isinstance(res, tuple)
        x, y, w, h = self.reach
        x0, x1 = 2.0 * x / res[0] - 1.0, 2.0 * (x + w) / res[0] - 1.0
        y0, y1 = 2.0 * y / res[1] - 1.0, 2.0 * (y + h) / res[1] - 1.0
        narrow = np.eye(4)
        narrow[0, 0], narrow[0, 3] = 2.0 / (x1 - x0), -(x1 + x0) / (x1 - x0)
        narrow[1, 1], narrow[1, 3] = 2.0 / (y1 - y0), -(y1 + y0) / (y1 - y0)
        return narrow @ vp


class Pass:
    #: The pass's name in the renderer's one pass list (and in ``passes=`` selections).
    NAME: ClassVar[str] = ""
    #: Program name -> its shaders under shaders/ and the defines Python gives them.
    PROGRAMS: ClassVar[Mapping[str, ProgramSpec]] = {}

    @classmethod
    def create(
        cls,
        ctx: moderngl.Context,
        programs: Mapping[str, HotProgram],
        size: tuple[int, int],
        capacities: Mapping[str, int],
    ) -> Self:
        """Make the pass for a renderer of ``size``; each kind takes what it needs."""
        return cls(ctx, programs)

    def __init__(self, ctx: moderngl.Context, programs: Mapping[str, HotProgram]) -> None:
        self.ctx = ctx
        self.programs = programs
        self._vaos: dict[str, tuple[int, moderngl.VertexArray]] = {}
        self._sized: list[Any] = []  # render targets that follow the frame size

    def own_sized(self, obj: T) -> T:
        """Keep a size-dependent GL object; freed by ``release_sized`` (resize) or ``release``."""
        self._sized.append(obj)
        return obj

    def float_texture(self, size: tuple[int, int], divisor: int = 1) -> moderngl.Texture:
        """A half-float, linearly filtered, edge-clamped texture of ``size / divisor``, owned
        as a size-dependent target."""
        w, h = max(1, size[0] // divisor), max(1, size[1] // divisor)
        tex = self.own_sized(self.ctx.texture((w, h), 4, dtype="f2"))
        tex.filter = moderngl.LINEAR, moderngl.LINEAR
        tex.repeat_x = tex.repeat_y = False
        return tex

    def float_target(
        self, size: tuple[int, int], divisor: int = 1
    ) -> tuple[moderngl.Texture, moderngl.Framebuffer]:
        """A ``float_texture`` and its framebuffer, both owned as size-dependent targets."""
        tex = self.float_texture(size, divisor)
        return tex, self.own_sized(self.ctx.framebuffer([tex]))

    def resize(self, size: tuple[int, int]) -> None:
        """Passes with size-dependent targets remake them here."""

    def draw(self, f: FrameInputs) -> None:
        raise NotImplementedError

    def framebuffers(self) -> list[moderngl.Framebuffer]:
        """The framebuffers this pass draws into that follow the frame size."""
        return [o for o in self._sized if isinstance(o, moderngl.Framebuffer)]

    def release_sized(self) -> None:
        for obj in self._sized:
            obj.release()
        self._sized.clear()

    def fullscreen(self, name: str) -> moderngl.VertexArray:
        """The buffer-less VAO of a full-screen-triangle program (vertices from gl_VertexID)."""
        return self.vao(name, lambda p: self.ctx.vertex_array(p, []))

    def additive_overlay(self) -> None:
        """Glow added onto the scene: depth-tested against solid things, writing no depth.
        Call ``end_overlay`` after drawing."""
        self.ctx.enable(moderngl.DEPTH_TEST | moderngl.BLEND)
        self.ctx.fbo.depth_mask = False
        self.ctx.blend_func = moderngl.ONE, moderngl.ONE

    def end_overlay(self) -> None:
        self.ctx.fbo.depth_mask = True

    def _declared(self) -> frozenset[str]:
        """Every uniform any program declares, recomputed only after a program reloads."""
        key = tuple(hp.version for hp in self.programs.values())
        if getattr(self, "_declared_key", None) != key:
            self._declared_key = key
            self._declared_names = frozenset().union(
                *(hp.declared for hp in self.programs.values())
            )
        return self._declared_names

    def prog(self, name: str) -> moderngl.Program:
        return self.programs[name].program

    def vao(
        self,
        name: str,
        make: Callable[[moderngl.Program], moderngl.VertexArray],
        key: str | None = None,
    ) -> moderngl.VertexArray:
        """The VAO for program ``name`` (one of several for it when ``key`` names which),
        rebuilt (and the old one released) after a reload."""
        hp = self.programs[name]
        key = key or name
        cached = self._vaos.get(key)
        if cached is not None and cached[0] == hp.version:
            return cached[1]
        if cached is not None:
            cached[1].release()
        v = make(hp.program)
        self._vaos[key] = (hp.version, v)
        return v

    def uniforms(self, name: str, values: Mapping[str, object]) -> moderngl.Program:
        if STRICT_UNIFORMS:  # in tests: a name no program declares is a typo rendering zero
            check_declared(values, self._declared(), f"pass {self.NAME}, program {name}")
        p = self.prog(name)
        set_uniforms(p, dict(values))
        return p

    def release(self) -> None:
        for _, v in self._vaos.values():
            v.release()
        self._vaos.clear()
        self.release_sized()


class SizedPass(Pass):
    """A pass whose targets follow the frame size (sky, post): made at a size, remade in
    ``resize``, which each such pass defines."""

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], size: tuple[int, int]
    ) -> None:
        super().__init__(ctx, programs)
        self.resize(size)

    @classmethod
    def create(
        cls,
        ctx: moderngl.Context,
        programs: Mapping[str, HotProgram],
        size: tuple[int, int],
        capacities: Mapping[str, int],
    ) -> Self:
        return cls(ctx, programs, size)


class InstancedPass(Pass):
    """A pass drawn once per simulation record: ``DTYPE``'s field names are the attributes."""

    DTYPE: ClassVar[np.dtype[Any]]

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], capacity: int
    ) -> None:
        super().__init__(ctx, programs)
        self.capacity = max(1, capacity)
        self.instances = ctx.buffer(reserve=self.capacity * self.DTYPE.itemsize, dynamic=True)
        self._static: list[moderngl.Buffer] = []
        self._quad_geometry: tuple[moderngl.Buffer, moderngl.Buffer] | None = None

    @classmethod
    def create(
        cls,
        ctx: moderngl.Context,
        programs: Mapping[str, HotProgram],
        size: tuple[int, int],
        capacities: Mapping[str, int],
    ) -> Self:
        return cls(ctx, programs, capacities.get(cls.NAME, 1))

    def static_buffer(self, data: NDArray[Any]) -> moderngl.Buffer:
        """Geometry allocated once (a quad, a mesh), released with the pass."""
        b = self.ctx.buffer(data)
        self._static.append(b)
        return b

    def instance_buffer(self) -> moderngl.Buffer:
        """A second buffer of records, as large as ``instances``, released with the pass."""
        b = self.ctx.buffer(reserve=self.capacity * self.DTYPE.itemsize, dynamic=True)
        self._static.append(b)
        return b

    def upload(
        self,
        records: NDArray[np.void],
        limit: int | None = None,
        into: moderngl.Buffer | None = None,
    ) -> int:
        """Write the first records (at most capacity, and ``limit``) once; returns how many."""
        n = min(len(records), self.capacity, len(records) if limit is None else limit)
        if n > 0:
            (into or self.instances).write(records[:n])
        return n

    def instanced_vao(
        self,
        name: str,
        *per_vertex: tuple[moderngl.Buffer, str, *tuple[str, ...]],
        instances: moderngl.Buffer | None = None,
        index_buffer: moderngl.Buffer | None = None,
        key: str | None = None,
        per_instance: bool = True,
    ) -> moderngl.VertexArray:
        """The VAO of program ``name``: ``per_vertex`` geometry (indexed by ``index_buffer``,
        32-bit, when given) plus the instance records (of ``instances``, by default the pass's
        own buffer); ``key`` tells apart one program's VAOs over different buffers. With
        ``per_instance`` False the records are the vertices themselves (one point each)."""
        records = instances or self.instances

        def make(p: moderngl.Program) -> moderngl.VertexArray:
            fmt, names = attribute_format(self.DTYPE, p, "i" if per_instance else "")
            content = [*per_vertex, (records, fmt, *names)]
            return self.ctx.vertex_array(p, content, index_buffer=index_buffer)

        return self.vao(name, make, key)

    def upload_quads(self, records: NDArray[np.void], into: moderngl.Buffer) -> int:
        """Each of the first records (at most capacity) four times, the vertices of its quad,
        into a buffer from ``quad_buffer``; returns how many quads."""
        n = min(len(records), self.capacity)
        if n > 0:
            into.write(np.repeat(records[:n], 4))
        return n

    def quad_buffer(self) -> moderngl.Buffer:
        """A buffer for ``upload_quads``: four vertices' records for each of capacity."""
        b = self.ctx.buffer(reserve=4 * self.capacity * self.DTYPE.itemsize, dynamic=True)
        self._static.append(b)
        return b

    def quads_vao(
        self, name: str, quads: moderngl.Buffer, key: str | None = None
    ) -> moderngl.VertexArray:
        """The VAO of program ``name`` drawing ``quads`` (``upload_quads``' records, corner
        by corner) as indexed triangles: ``render(TRIANGLES, vertices=6 * n)`` draws the
        first n. The same quads as CORNERS strips instanced once per record, but one draw of
        many vertices: llvmpipe runs its vertex pipeline once per instance, which for 2,500
        particle quads cost a fifth of their draw (3.4 -> 2.8 ms at 720p)."""
        if self._quad_geometry is None:  # every quad's corners and triangles, made once
            n = self.capacity
            triangles = (np.arange(n, dtype=np.int32)[:, None] * 4 + QUAD_TRIANGLES).ravel()
            corners = self.static_buffer(np.tile(CORNERS, n))
            self._quad_geometry = (corners, self.static_buffer(triangles))
        corners, indices = self._quad_geometry

        def make(p: moderngl.Program) -> moderngl.VertexArray:
            fmt, names = attribute_format(self.DTYPE, p)
            content = [(corners, "2f", "in_corner"), (quads, fmt, *names)]
            return self.ctx.vertex_array(p, content, index_buffer=indices, index_element_size=4)

        return self.vao(name, make, key)

    def release(self) -> None:
        super().release()
        self.instances.release()
        for b in self._static:
            b.release()
        self._static.clear()
