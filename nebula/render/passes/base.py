"""What every pass shares: its programs (hot-reloadable) and VAOs rebuilt when a program reloads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

import moderngl

from nebula.render.shaders import HotProgram, set_uniforms


class Pass:
    #: Program name -> (vertex file, fragment file) under shaders/.
    PROGRAMS: ClassVar[Mapping[str, tuple[str, str]]] = {}

    def __init__(self, ctx: moderngl.Context, programs: Mapping[str, HotProgram]) -> None:
        self.ctx = ctx
        self.programs = programs
        self._vaos: dict[str, tuple[int, moderngl.VertexArray]] = {}

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
