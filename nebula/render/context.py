"""GL contexts and the live-object count.

Stills, recordings and tests render headless through EGL; the window's context is made by pygame
and wrapped with ``moderngl.create_context()`` in nebula.app. Either way ``track_objects``
records every GL object the context creates, so a leak shows up as a count that keeps growing.
"""

from __future__ import annotations

import os
from typing import Any

import moderngl

GL_VERSION = 330

_FACTORIES = (
    "buffer",
    "texture",
    "texture_array",
    "texture3d",
    "depth_texture",
    "renderbuffer",
    "depth_renderbuffer",
    "framebuffer",
    "program",
    "vertex_array",
    "simple_vertex_array",
    "sampler",
    "query",
    "compute_shader",
)


class ContextError(RuntimeError):
    pass


class TargetSizeError(ContextError):
    """This GL cannot allocate render targets of the asked size; the message names the
    largest size of the same shape that it can."""


def _allocates(ctx: moderngl.Context, size: tuple[int, int]) -> bool:
    objs: list[Any] = []
    try:
        tex = ctx.texture(size, 4, dtype="f2")  # the largest target per pixel (8 bytes)
        objs.append(tex)
        objs.append(ctx.framebuffer([tex]))
        return True
    except moderngl.Error:
        return False
    finally:
        for o in reversed(objs):
            o.release()


def check_target_size(ctx: moderngl.Context, size: tuple[int, int]) -> None:
    """Raise TargetSizeError when ``size`` is beyond the driver's largest texture side. Sizes
    within it can still fail on bytes (llvmpipe: a 16384 x 16384 half-float target): the
    renderer finds out by allocating its targets and then asks ``target_size_error``."""
    limit = min(int(ctx.info["GL_MAX_TEXTURE_SIZE"]), int(ctx.info["GL_MAX_RENDERBUFFER_SIZE"]))
    if max(size) > limit:
        raise target_size_error(ctx, size)


def target_size_error(ctx: moderngl.Context, size: tuple[int, int]) -> TargetSizeError:
    """The error for a size this GL cannot allocate, naming the largest of the same shape that
    it can: found by trying (a handful of allocations, on this error path only)."""
    w, h = size
    limit = min(int(ctx.info["GL_MAX_TEXTURE_SIZE"]), int(ctx.info["GL_MAX_RENDERBUFFER_SIZE"]))
    lo, hi = 0.0, min(1.0, limit / max(w, h))
    if _allocates(ctx, _scaled(size, hi)):
        lo = hi
    else:
        for _ in range(6):
            mid = (lo + hi) / 2
            if _allocates(ctx, _scaled(size, mid)):
                lo = mid
            else:
                hi = mid
    best = _scaled(size, lo)
    renderer = ctx.info.get("GL_RENDERER", "this GL")
    return TargetSizeError(
        f"{w}x{h} is too large to render on {renderer} (it cannot allocate the frame's "
        f"half-float target); the largest of that shape that works is about "
        f"{best[0]}x{best[1]}"
    )


def _scaled(size: tuple[int, int], s: float) -> tuple[int, int]:
    return max(1, int(size[0] * s) // 8 * 8 or 1), max(1, int(size[1] * s) // 8 * 8 or 1)


#: The process that made this process's first headless context. A child forked from it
#: inherits the value but not a working EGL display: there, making a context hangs.
_CONTEXT_PID: int | None = None


class ForkedContextError(ContextError):
    """A context asked for in a process forked from one that already held a context."""


def headless_context(device_index: int | None = None) -> moderngl.Context:
    """An offscreen OpenGL 3.3+ core context through EGL (Mesa's llvmpipe where there is no
    GPU); ``device_index`` picks one of several EGL devices (GPUs), as glcontext numbers them.

    Refused, at once and with a way out, in a process forked from one that held a context:
    EGL does not survive a fork, and the context would hang instead of failing.
    """
    global _CONTEXT_PID
    pid = os.getpid()
    if _CONTEXT_PID is not None and pid != _CONTEXT_PID:
        raise ForkedContextError(
            f"this process ({pid}) was forked from process {_CONTEXT_PID}, which holds a GL "
            "context, and EGL hangs after a fork: start rendering processes with spawn "
            "(multiprocessing.get_context('spawn'), Dask's default)"
        )
    kwargs: dict[str, Any] = {} if device_index is None else {"device_index": device_index}
    try:
        ctx = moderngl.create_standalone_context(backend="egl", require=GL_VERSION, **kwargs)  # type: ignore[arg-type]
    except Exception as e:  # glcontext raises plain Exceptions carrying the loader's message
        where = "" if device_index is None else f" on EGL device {device_index}"
        raise ContextError(
            f"cannot create a headless OpenGL 3.3 context through EGL{where} ({e}); "
            "on Debian/Ubuntu: sudo apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri"
        ) from e
    _CONTEXT_PID = pid
    track_objects(ctx)
    ctx._nebula_headless = True  # type: ignore[attr-defined]
    return ctx


def is_headless(ctx: moderngl.Context) -> bool:
    """Made by ``headless_context``: an EGL context, whose glFinish EGL hands out."""
    return bool(getattr(ctx, "_nebula_headless", False))


class ObjectCounter:
    """Holds every GL object made through a context; ``live()`` counts those not released.

    Objects dropped without ``release()`` stay counted: in GL terms they are leaked.
    """

    def __init__(self) -> None:
        self._objects: list[Any] = []

    def add(self, obj: Any) -> Any:
        self._objects.append(obj)
        return obj

    def live(self) -> int:
        self._objects = [o for o in self._objects if not isinstance(o.mglo, moderngl.InvalidObject)]
        return len(self._objects)


def track_objects(ctx: moderngl.Context) -> ObjectCounter:
    """Wrap the context's factories (once) so every object they make is counted."""
    existing = getattr(ctx, "_nebula_counter", None)
    if isinstance(existing, ObjectCounter):
        return existing
    counter = ObjectCounter()
    for name in _FACTORIES:
        make = getattr(ctx, name, None)
        if make is None:
            continue

        def tracked(*args: Any, _make: Any = make, **kwargs: Any) -> Any:
            return counter.add(_make(*args, **kwargs))

        setattr(ctx, name, tracked)
    ctx._nebula_counter = counter  # type: ignore[attr-defined]
    return counter


def live_objects(ctx: moderngl.Context) -> int:
    return track_objects(ctx).live()
