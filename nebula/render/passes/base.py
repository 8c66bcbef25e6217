"""What every pass shares: its programs (hot-reloadable) and VAOs rebuilt when a program reloads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import moderngl

from nebula.render.shaders import HotProgram, set_uniforms

T = TypeVar("T")


class Pass:
    #: Program name -> (vertex file, fragment file) under shaders/.
    PROGRAMS: ClassVar[Mapping[str, tuple[str, str]]] = {}

    def __init__(self, ctx: moderngl.Context, programs: Mapping[str, HotProgram]) -> None:
        self.ctx = ctx
        self.programs = programs
        self._vaos: dict[str, tuple[int, moderngl.VertexArray]] = {}
        self._sized: list[Any] = []  # render targets that follow the frame size

    def own_sized(self, obj: T) -> T:
        """Keep a size-dependent GL object; freed by ``release_sized`` (resize) or ``release``."""
        self._sized.append(obj)
        return obj

    def float_target(
        self, size: tuple[int, int], divisor: int = 1
    ) -> tuple[moderngl.Texture, moderngl.Framebuffer]:
        """A half-float, linearly filtered, edge-clamped texture of ``size / divisor`` and its
        framebuffer, both owned as size-dependent targets."""
        w, h = max(1, size[0] // divisor), max(1, size[1] // divisor)
        tex = self.own_sized(self.ctx.texture((w, h), 4, dtype="f2"))
        tex.filter = moderngl.LINEAR, moderngl.LINEAR
        tex.repeat_x = tex.repeat_y = False
        return tex, self.own_sized(self.ctx.framebuffer([tex]))

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

    def prog(self, name: str) -> moderngl.Program:
        return self.programs[name].program

    def vao(
        self, name: str, make: Callable[[moderngl.Program], moderngl.VertexArray]
    ) -> moderngl.VertexArray:
        """The VAO for program ``name``, rebuilt (and the old one released) after a reload."""
        hp = self.programs[name]
        cached = self._vaos.get(name)
        if cached is not None and cached[0] == hp.version:
            return cached[1]
        if cached is not None:
            cached[1].release()
        v = make(hp.program)
        self._vaos[name] = (hp.version, v)
        return v

    def uniforms(self, name: str, values: Mapping[str, object]) -> moderngl.Program:
        p = self.prog(name)
        set_uniforms(p, dict(values))
        return p

    def release(self) -> None:
        for _, v in self._vaos.values():
            v.release()
        self._vaos.clear()
        self.release_sized()
