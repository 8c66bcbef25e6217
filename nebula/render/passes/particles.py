"""Particles: additive sprites for motes, word-birds and light flowing along threads. The pool is
uploaded as it is; the vertex shader derives age from birth time and hides retired slots."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.render.passes.base import FrameInputs, InstancedPass
from nebula.render.shaders import HotProgram, ProgramSpec, float_defines
from nebula.sim.particles import KIND_BIRD, KIND_FLOW, KIND_MOTE, PARTICLE_DTYPE

#: Widest point sprite drawn, in pixels: within the 255 that GL drivers (llvmpipe included) give.
MAX_POINT_SIZE = 255.0


_KINDS = float_defines(
    KIND_MOTE=KIND_MOTE, KIND_BIRD=KIND_BIRD, KIND_FLOW=KIND_FLOW, MAX_POINT_SIZE=MAX_POINT_SIZE
)


class ParticlesPass(InstancedPass):
    NAME = "particles"
    DTYPE = PARTICLE_DTYPE
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "particle": ProgramSpec("particle.vert", "particle.frag", _KINDS),
        # The motes alone, as point sprites (see particle.vert).
        "mote": ProgramSpec("particle.vert", "particle.frag", {**_KINDS, "MOTES": 1}),
    }

    def __init__(
        self, ctx: moderngl.Context, programs: Mapping[str, HotProgram], capacity: int
    ) -> None:
        super().__init__(ctx, programs, capacity)
        self.quads = self.quad_buffer()  # the motes' points go in the pass's own buffer

    def draw(self, f: FrameInputs) -> None:
        # particle_density draws a prefix of the pool: the ring spreads every kind through it.
        particles = f.state.particles
        density = max(0.0, min(1.0, f.params.get("particle_density", 1.0)))
        pool = particles[: round(len(particles) * density)]
        w, h = (int(v) for v in f.u["u_resolution"])  # type: ignore[attr-defined]
        motes, others = split_live(pool, f.state.cycle_t, f.view_proj(), h, w, f.reach)
        n_motes = self.upload(motes)
        n_others = self.upload_quads(others, into=self.quads)
        if n_motes + n_others == 0:
            return
        self.additive_overlay()
        if n_others:
            self.uniforms("particle", f.u)
            vao = self.quads_vao("particle", self.quads)
            vao.render(moderngl.TRIANGLES, vertices=6 * n_others)
        if n_motes:
            self.ctx.enable(moderngl.PROGRAM_POINT_SIZE)
            self.uniforms("mote", f.u)
            vao = self.instanced_vao("mote", per_instance=False)
            vao.render(moderngl.POINTS, vertices=n_motes)
            self.ctx.disable(moderngl.PROGRAM_POINT_SIZE)
        self.end_overlay()


def split_live(
    pool: NDArray[np.void],
    cycle_t: float,
    view_proj: NDArray[np.floating],
    height: int,
    width: int,
    reach: tuple[int, int, int, int] | None = None,
) -> tuple[NDArray[np.void], NDArray[np.void]]:
    """The pool's living motes whose sprite lies wholly inside the frame, and every other
    living particle (motes on the frame's edge among them), each in pool order.

    A software rasterizer shades vertices on one thread: handing each program only its own
    living records, instead of the whole pool twice, is most of the pass's time. A point sprite
    is dropped whole when its centre leaves the frame, so a mote that overlaps the edge goes
    with the quads. The shader still hides what is not yet born or has died, so a record on
    the edge of either (where its light is zero anyway) looks the same on either side of it.
    With a ``reach`` (a wall's tile and its guard band, pixels) a mote whose sprite lies wholly
    outside it is left out: it would change no pixel that is drawn.
    """
    age = cycle_t - pool["in_birth"]
    live = (pool["in_life"] > 0.0) & (age >= 0.0) & (age < pool["in_life"])
    mote = live & (np.abs(pool["in_kind"] - KIND_MOTE) < 0.5)  # as is_kind() in lib/kinds.glsl
    m = view_proj.astype(np.float64)
    clip = pool["in_pos"][mote].astype(np.float64) @ m[:, :3].T + m[:, 3]
    w = np.maximum(clip[:, 3], 1e-3)
    # As particle.vert sizes them (half-width in pixels), plus a pixel for rounding.
    half = np.clip(pool["in_size"][mote] * height / (w * 0.85), 1.5, 0.25 * height) + 1.0
    x = (clip[:, 0] / w * 0.5 + 0.5) * width
    y = (clip[:, 1] / w * 0.5 + 0.5) * height
    inside = (x - half >= 0) & (x + half <= width) & (y - half >= 0) & (y + half <= height)
    keep = inside
    if reach is not None:
        rx, ry, rw, rh = reach
        near = (x + half >= rx) & (x - half <= rx + rw) & (y + half >= ry) & (y - half <= ry + rh)
        keep = inside & near
    sprite = np.zeros(len(pool), dtype=bool)
    sprite[np.flatnonzero(mote)[inside]] = True
    kept = np.zeros(len(pool), dtype=bool)
    kept[np.flatnonzero(mote)[keep]] = True
    # take() with indices: a boolean mask over structured records is ten times slower.
    return np.take(pool, np.flatnonzero(kept)), np.take(pool, np.flatnonzero(live & ~sprite))
