"""Renderer(ctx, size).draw(state, params, time) -> the output framebuffer.

It owns the GL objects (targets, buffers, programs) and releases them on every path that
replaces them. It reads state and writes pixels: no clock, no input, no pygame.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from time import perf_counter
from typing import Any, TypeVar

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula import scene
from nebula.render import region
from nebula.render.context import check_target_size, target_size_error
from nebula.render.frame import FrameTime, SceneState, frame_uniforms
from nebula.render.passes.base import FrameInputs, Pass
from nebula.render.passes.figures import FiguresPass
from nebula.render.passes.flowers import FlowersPass
from nebula.render.passes.particles import ParticlesPass
from nebula.render.passes.plain import PlainPass
from nebula.render.passes.post import PostPass
from nebula.render.passes.sky import SkyPass
from nebula.render.passes.threads import ThreadsPass
from nebula.render.shaders import HotProgram, ShaderError
from nebula.resources import shaders_dir
from nebula.sim.figures import KIND_DREAMER

#: The one pass list, in drawing order: it builds, draws, resizes and releases them.
PASSES: tuple[type[Pass], ...] = (
    PlainPass,  # the whole background (the plain, the sky's clouds brought up with it)
    SkyPass,
    FlowersPass,
    FiguresPass,
    ThreadsPass,
    ParticlesPass,
    PostPass,
)
#: Every pass by name; ``draw(passes=...)`` and tests pick from these.
PASS_NAMES = tuple(cls.NAME for cls in PASSES)


T = TypeVar("T")


def made_(made: list[Any], obj: T) -> T:
    """Keep ``obj`` in ``made`` (to release it if a later allocation fails) and return it."""
    made.append(obj)
    return obj


def _drawable(size: tuple[int, int]) -> tuple[int, int]:
    """At least 1 x 1: a minimised window reports 0 x 0, and GL cannot make a 0-sized target."""
    return max(1, int(size[0])), max(1, int(size[1]))


class Renderer:
    def __init__(
        self,
        ctx: moderngl.Context,
        size: tuple[int, int],
        *,
        capacities: Mapping[str, int] | None = None,
        shader_root: Path | None = None,
    ) -> None:
        self.ctx = ctx
        shader_root = shader_root or shaders_dir()  # read once: every program from one folder
        size = _drawable(size)
        check_target_size(ctx, size)
        self._targets: list[moderngl.Texture | moderngl.Renderbuffer | moderngl.Framebuffer] = []
        self._make_targets(size)  # first: a size that cannot be allocated is refused at once
        caps = {"figures": 33, "flowers": 1, "threads": 1, "particles": 1, **(capacities or {})}
        self.programs: dict[str, HotProgram] = {}
        self.passes: dict[str, Pass] = {}
        try:
            for cls in PASSES:
                for name, spec in cls.PROGRAMS.items():
                    self.programs[name] = HotProgram(ctx, spec, shader_root)
        except ShaderError:
            self.release()
            raise
        self.size = size
        #: The part of the frame to draw (a wall's tile: renderer pixels, GL rows from the
        #: bottom), or None for all of it; see nebula.render.region.
        self.region: region.Rect | None = None
        self._clipped = False
        self.passes = {cls.NAME: cls.create(ctx, self.programs, size, caps) for cls in PASSES}
        # Those the renderer calls beside the pass loop: the sky's clouds and the plain's
        # ground (before it), the flowers' ground light (into the plain's background), post.
        sky, post = self.passes["sky"], self.passes["post"]
        plain, flowers = self.passes["plain"], self.passes["flowers"]
        assert isinstance(sky, SkyPass) and isinstance(post, PostPass)
        assert isinstance(plain, PlainPass) and isinstance(flowers, FlowersPass)
        self.sky: SkyPass = sky
        self.post: PostPass = post
        self.plain: PlainPass = plain
        self.flowers: FlowersPass = flowers

    # ------------------------------------------------------------------ targets

    def _make_targets(self, size: tuple[int, int]) -> None:
        # The old targets go only after the new ones exist and one of them is bound: moderngl
        # rebinds the last-bound framebuffer whenever it makes one, and rebinding a released
        # one is GL_INVALID_OPERATION. A size the driver cannot allocate (llvmpipe caps a
        # target's bytes) keeps the old targets and raises TargetSizeError naming one that fits.
        old = self._targets
        ctx = self.ctx
        made: list[moderngl.Texture | moderngl.Renderbuffer | moderngl.Framebuffer] = []
        try:
            scene_tex = made_(made, ctx.texture(size, 4, dtype="f2"))
            scene_tex.filter = moderngl.LINEAR, moderngl.LINEAR
            scene_tex.repeat_x = scene_tex.repeat_y = False
            depth = made_(made, ctx.depth_renderbuffer(size))
            scene_fbo = made_(made, ctx.framebuffer([scene_tex], depth))
            output_tex = made_(made, ctx.texture(size, 4))
            output_tex.filter = moderngl.LINEAR, moderngl.LINEAR
            output = made_(made, ctx.framebuffer([output_tex]))
        except moderngl.Error:
            # Back to a framebuffer that stays (the old output, last of the old targets).
            keep = old[-1] if old and isinstance(old[-1], moderngl.Framebuffer) else None
            (keep or ctx.detect_framebuffer(0)).use()
            for obj in reversed(made):
                obj.release()
            raise target_size_error(ctx, size) from None
        self.scene_tex, self.depth, self.scene_fbo = scene_tex, depth, scene_fbo
        self.output_tex, self.output = output_tex, output
        self._targets = made
        if old:
            self.output.use()
            for obj in old:
                obj.release()
        self._pixels = np.empty((size[1], size[0], 3), dtype=np.uint8)
        self._redo: Callable[[], None] | None = None  # the last frame's targets are gone

    def resize(self, size: tuple[int, int]) -> None:
        size = _drawable(size)
        if size == self.size:
            return
        check_target_size(self.ctx, size)
        self._make_targets(size)  # raises TargetSizeError, keeping the targets it had
        self.size = size
        for p in self.passes.values():
            p.resize(size)

    # ------------------------------------------------------------------ hot reload

    def poll_shaders(self) -> list[ShaderError]:
        """Reload edited shaders; returns the errors of programs still on their last good build."""
        for hp in self.programs.values():
            hp.poll()
        return [hp.error for hp in self.programs.values() if hp.error is not None]

    # ------------------------------------------------------------------ drawing

    def draw(
        self,
        state: SceneState,
        params: Mapping[str, float],
        time: FrameTime,
        passes: tuple[str, ...] = PASS_NAMES,
        pass_ms: dict[str, float] | None = None,
        output: moderngl.Framebuffer | None = None,
    ) -> moderngl.Framebuffer:
        """Draw one frame into ``output`` (a framebuffer of this size; by default the
        renderer's own, which ``read`` reads). ``pass_ms``, when given, gets each pass's time
        added to it in milliseconds (the sky's clouds count to the sky): the bench's figures.

        The live window passes its own framebuffer, which saves copying every frame; ``read``
        then composites the same frame into the renderer's target first, from the targets
        this frame left (only post runs again), so a screenshot or a heartbeat still sees it.
        """
        ctx = self.ctx
        target = output or self.output
        u = frame_uniforms(state, params, time, self.size)
        if self.region is not None or self._clipped:
            self._clip(u)
        if pass_ms is not None:  # in drawing order, though the sky's clouds come first
            for name in PASS_NAMES:
                if name in passes:
                    pass_ms.setdefault(name, 0.0)
        if "sky" in passes or "plain" in passes:
            with self._timed("sky", pass_ms):
                self.sky.draw_clouds(u)  # half resolution; the plain reflects it too
        haze = self._haze_figures(state) if "post" in passes else []
        sky = self.sky
        f = FrameInputs(
            u,
            state,
            params,
            sky.clouds,
            sky.background_tex,
            sky.background,
            self.scene_tex,
            target,
            haze,
            passes,
            region.reach(self.size, self.region, u) if self.region is not None else None,
        )
        if "plain" in passes:
            # The half-resolution background below the horizon: the plain, then the light and
            # shade the flowers throw on it (soft, like the plain), before it is brought up.
            with self._timed("plain", pass_ms):
                self.plain.draw_ground(f)
            if "flowers" in passes:
                with self._timed("flowers", pass_ms):
                    self.flowers.draw_ground(f, f.background_fbo)
        self.scene_fbo.use()
        ctx.viewport = (0, 0, *self.size)
        if "plain" in passes:  # its background covers every pixel: only the depth to clear
            self.scene_fbo.color_mask = (False, False, False, False)
            self.scene_fbo.clear(depth=1.0)
            self.scene_fbo.color_mask = (True, True, True, True)
            self.scene_fbo.use()  # moderngl applies a framebuffer's mask when it is bound
        else:
            self.scene_fbo.clear(0.0, 0.0, 0.0, 1.0, depth=1.0)
        ctx.disable(moderngl.DEPTH_TEST | moderngl.BLEND | moderngl.CULL_FACE)
        for name, p in self.passes.items():
            if name in passes:
                with self._timed(name, pass_ms):
                    p.draw(f)  # post, last, draws from the scene target into the output
        if "post" not in passes:
            ctx.disable(moderngl.DEPTH_TEST | moderngl.BLEND)
            ctx.copy_framebuffer(target, self.scene_fbo)
        # Drawn elsewhere: how read() brings this frame into the renderer's own target.
        self._redo = None
        if target is not self.output:
            if "post" in passes:
                here = dataclasses.replace(f, output=self.output)
                self._redo = lambda: self.post.draw(here)
            else:
                self._redo = lambda: ctx.copy_framebuffer(self.output, self.scene_fbo)
        return target

    def _clip(self, u: Mapping[str, object]) -> None:
        """Scissor every target to this frame's region and its guard band (or clear them)."""
        clouds = self.sky.clouds_fbo
        banded = [self.scene_fbo]
        for p in self.passes.values():
            banded += [fbo for fbo in p.framebuffers() if fbo is not clouds]
        region.clip(self.size, self.region, u, banded, [clouds], [self.output])
        self._clipped = self.region is not None

    @contextmanager
    def _timed(self, name: str, pass_ms: dict[str, float] | None) -> Iterator[None]:
        # Wall time between two glFinish calls, not GL timer queries: llvmpipe bins draws and
        # rasterises them at the next flush, so a query around a pass closes before its work
        # runs (it read 0 ms for the plain, and post took everyone's time). Finishing around
        # each pass costs a little on a GPU but attributes the work on every driver.
        if pass_ms is None:
            yield
            return
        self.ctx.finish()
        t0 = perf_counter()
        yield
        self.ctx.finish()
        pass_ms[name] = pass_ms.get(name, 0.0) + (perf_counter() - t0) * 1e3

    def _haze_figures(self, state: SceneState) -> list[tuple[float, float, float, float]]:
        """Screen rectangles of the guarded figures, for the heat-haze shimmer in post."""
        f = state.figures[state.figures["in_kind"] != KIND_DREAMER]
        if len(f) == 0:
            return []
        aspect = self.size[0] / self.size[1]
        eye = state.camera
        feet = scene.project(f["in_pos"], aspect, eye)
        heads = f["in_pos"].astype(np.float64)
        heads[:, 1] += f["in_height"]
        top = scene.project(heads, aspect, eye)
        # A figure at or behind the eye has no place on screen: its haze would be inf or nan.
        ok = scene.in_front(f["in_pos"], aspect, eye) & scene.in_front(heads, aspect, eye)
        ok &= np.isfinite(feet).all(axis=1) & np.isfinite(top).all(axis=1)
        ok &= np.isfinite(f["in_shimmer"])
        return [
            (
                float(feet[i, 0]),
                float(feet[i, 1]),
                float(top[i, 1] - feet[i, 1]),
                float(f["in_shimmer"][i]),
            )
            for i in np.flatnonzero(ok)
        ]

    def float_targets(self) -> dict[str, moderngl.Texture]:
        """The half-float targets of the last frame by name: where a NaN or an infinity would
        live (the 8-bit output cannot hold one; bloom spreads one into a black block)."""
        sky = self.sky
        targets = {"scene": self.scene_tex, "clouds": sky.clouds, "background": sky.background_tex}
        for i, (_, _, ta, tb) in enumerate(self.post.levels):
            targets[f"bloom{i}a"] = ta
            targets[f"bloom{i}b"] = tb
        return targets

    def nonfinite_pixels(self) -> dict[str, int]:
        """Pixels holding NaN or infinity in each float target of the last frame (a GL read:
        for checks and the motion scan, not for every frame of a show)."""
        counts = {}
        for name, tex in self.float_targets().items():
            a = np.frombuffer(tex.read(), dtype=np.float16).reshape(-1, tex.components)
            counts[name] = int(np.count_nonzero(~np.isfinite(a).all(axis=1)))
        return counts

    def read(self) -> NDArray[np.uint8]:
        """The last frame as (height, width, 3) uint8 RGB, top row first, into one reused array."""
        if self._redo is not None:  # drawn into another framebuffer: bring it here too
            redo, self._redo = self._redo, None
            redo()
        self.output.read_into(self._pixels, components=3, alignment=1)
        return self._pixels[::-1]

    def release(self) -> None:
        # Bind the default framebuffer first: moderngl rebinds the last-bound framebuffer when
        # it makes a new one, and a deleted one there is a GL error for whoever draws next.
        if getattr(self, "_targets", None):
            self.ctx.detect_framebuffer(0).use()
        for p in getattr(self, "passes", {}).values():
            p.release()
        self.passes = {}
        for obj in getattr(self, "_targets", []):
            obj.release()
        self._targets = []
        for hp in self.programs.values():
            hp.release()
        self.programs.clear()
