"""The offline pipeline shared by `nebula still`, `nebula record`, the benchmark and the soak:
settings + params + a time -> simulation -> renderer (EGL) -> RGB pixels.

Frame k of a recording and `nebula still --time t` go through exactly this code, which is why
they are the same picture.
"""

from __future__ import annotations

from collections.abc import Mapping

import moderngl
import numpy as np
from numpy.typing import NDArray

from nebula.config import Params, Settings
from nebula.render.context import headless_context
from nebula.render.frame import FrameTime
from nebula.render.renderer import PASS_NAMES, Renderer
from nebula.sim.world import World


def renderer_capacities(settings: Settings) -> dict[str, int]:
    return {
        "figures": settings.figures + 1,
        "flowers": settings.flowers,
        "threads": settings.threads,
        "particles": settings.particles,
    }


class HeadlessPiece:
    """The piece without a window. ``render(t)`` returns (height, width, 3) uint8, top row first.

    The returned array is reused by the next call: copy it if you keep it.
    """

    def __init__(
        self,
        settings: Settings,
        params: Mapping[str, float] | None = None,
        size: tuple[int, int] = (1280, 720),
        *,
        ctx: moderngl.Context | None = None,
    ) -> None:
        self.settings = settings
        p = Params()
        if params:
            p.apply(params, immediate=True)
        self.params = p
        self.size = size
        self.ctx = ctx or headless_context()
        self._own_ctx = ctx is None
        self.world = World(settings)
        self.renderer = Renderer(self.ctx, size, capacities=renderer_capacities(settings))

    def draw(self, t: float, passes: tuple[str, ...] = PASS_NAMES) -> moderngl.Framebuffer:
        """Bring the world to run time t and draw it (on the GPU; nothing read back yet)."""
        self.world.advance_to(t, share_rate=self.params["share_rate"])
        return self.renderer.draw(
            self.world, self.params.values, FrameTime(t, self.settings.cycle_seconds), passes
        )

    def render(self, t: float, passes: tuple[str, ...] = PASS_NAMES) -> NDArray[np.uint8]:
        self.draw(t, passes)
        return self.renderer.read()

    def close(self) -> None:
        self.renderer.release()
        if self._own_ctx:
            self.ctx.release()

    def __enter__(self) -> HeadlessPiece:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
