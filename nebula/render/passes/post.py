"""Post-processing: bloom on everything that glows, heat-haze shimmer around guarded figures,
the watercolor wash of the fade, vignette and fine grain, tone-mapped into the output target."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import moderngl

from nebula.render.passes.base import FrameInputs, SizedPass
from nebula.render.shaders import ProgramSpec

MAX_HAZE_FIGURES = 32
#: What post_bloom.frag's haze gets from Python rather than writing itself.
_LIMITS: dict[str, object] = {"MAX_HAZE_FIGURES": MAX_HAZE_FIGURES}


#: The knot's static is compiled in while its amplitude (display units; u_tension**2 times this
#: at most, per unit of grain) would show: under half a code value it is left out, and the step
#: where it goes is below what an 8-bit frame can carry.
KNOT_AMPLITUDE = 0.05
KNOT_VISIBLE = 0.5 / 255.0
#: Below this hue shift (turns) the hue is left alone: a ten-thousandth of a turn never shows.
HUE_VISIBLE = 1e-4
#: The heat haze's largest sideways offset, in units of the frame's width, per unit of its
#: mask (post_bloom.frag's haze_offset: half a unit of wobble times HAZE_REACH), and the
#: offset in pixels below which it is left out: a quarter of a pixel never shows.
HAZE_REACH = 0.0085
HAZE_VISIBLE_PX = 0.25
_LIMITS["HAZE_REACH"] = repr(HAZE_REACH)


#: The composite's optional parts, by the name suffix of the program that has them compiled in.
_PARTS = {
    "_haze": {"HAZE": 1},
    "_fade": {"HAZE": 1, "WATERCOLOR": 1},
    "_knot": {"KNOT": 1},
    "_hue": {"HUE": 1},
}


def _composites() -> dict[str, ProgramSpec]:
    """composite[_haze | _fade][_knot][_hue]: the final picture with the heat haze, the
    watercolor wash of the fade (and the haze), the knot's static and the hue shift compiled in
    only where they show."""
    out = {}
    for air in ("", "_haze", "_fade"):
        for knot in ("", "_knot"):
            for hue in ("", "_hue"):
                defines: dict[str, int] = {}
                for part in (air, knot, hue):
                    defines.update(_PARTS.get(part, {}))
                out["composite" + air + knot + hue] = ProgramSpec(
                    "fullscreen.vert", "post_composite.frag", defines
                )
    return out


class PostPass(SizedPass):
    NAME = "post"
    PROGRAMS: ClassVar[dict[str, ProgramSpec]] = {
        "bright": ProgramSpec("fullscreen.vert", "post_bright.frag"),
        "blur": ProgramSpec("fullscreen.vert", "post_blur.frag"),
        "bloom": ProgramSpec("fullscreen.vert", "post_bloom.frag"),
        # The bloom map with the heat haze's offsets in its alpha, for the haze's composites.
        "bloom_haze": ProgramSpec("fullscreen.vert", "post_bloom.frag", {"HAZE": 1, **_LIMITS}),
        **_composites(),
    }

    def resize(self, size: tuple[int, int]) -> None:
        self.release_sized()
        # Two blur levels: a tight glow at 1/4 size and a wide one at 1/16.
        self.levels: list[
            tuple[moderngl.Framebuffer, moderngl.Framebuffer, moderngl.Texture, moderngl.Texture]
        ] = []
        for div in (4, 16):
            ta, fa = self.float_target(size, div)
            tb, fb = self.float_target(size, div)
            self.levels.append((fa, fb, ta, tb))
        # The scene read one texel a pixel where no haze moves it: llvmpipe's texture() through
        # a nearest sampler is a millisecond cheaper at 720p than texelFetch or a linear one.
        self.nearest = self.own_sized(self.ctx.sampler(filter=(moderngl.NEAREST,) * 2))

    def draw(self, f: FrameInputs) -> None:
        u, scene, out, haze_figures = f.u, f.scene, f.output, f.haze
        ctx = self.ctx
        ctx.disable(moderngl.DEPTH_TEST | moderngl.BLEND)
        source = scene
        for fa, fb, ta, tb in self.levels:
            # Downsample + keep what glows, then a separable blur back and forth.
            fa.use()
            source.use(0)
            self.uniforms(
                "bright", {**u, "u_source": 0, "u_texel": (1.0 / source.width, 1.0 / source.height)}
            )
            self.fullscreen("bright").render(moderngl.TRIANGLES, vertices=3)
            for direction, (dst, src) in (((1.0, 0.0), (fb, ta)), ((0.0, 1.0), (fa, tb))):
                dst.use()
                src.use(0)
                self.uniforms(
                    "blur",
                    {
                        "u_source": 0,
                        "u_direction": (direction[0] / src.width, direction[1] / src.height),
                    },
                )
                self.fullscreen("blur").render(moderngl.TRIANGLES, vertices=3)
            source = ta
        # Both glows into the tight level's spare target, with the haze's offsets in alpha
        # where the composite wants them: it reads one quarter-resolution texture for both.
        figs = haze_figures[:MAX_HAZE_FIGURES]
        name = self.variant(u, figs)
        hazy = name.startswith(("composite_haze", "composite_fade"))  # reads haze offsets
        near, far = self.levels[0], self.levels[1]
        near[1].use()
        near[2].use(0)
        far[2].use(1)
        bloom = {"u_bloom_near": 0, "u_bloom_far": 1}
        if not hazy:
            self.uniforms("bloom", bloom)
            self.fullscreen("bloom").render(moderngl.TRIANGLES, vertices=3)
        else:
            padded = figs + [(0.0, 0.0, 0.0, 0.0)] * (MAX_HAZE_FIGURES - len(figs))
            haze = {"u_haze_figures": padded, "u_haze_count": len(figs)}
            self.uniforms("bloom_haze", {**u, **bloom, **haze})
            self.fullscreen("bloom_haze").render(moderngl.TRIANGLES, vertices=3)
        out.use()
        scene.use(0)
        near[2].use(1)
        far[2].use(2)
        near[3].use(3)
        if not hazy:
            self.nearest.use(0)
        samplers = {"u_scene": 0, "u_bloom_near": 1, "u_bloom_far": 2, "u_bloom_map": 3}
        self.uniforms(name, {**u, **samplers})
        self.fullscreen(name).render(moderngl.TRIANGLES, vertices=3)
        if not hazy:
            self.nearest.clear(0)  # unit 0 filters by its textures' own settings again

    @staticmethod
    def variant(u: Mapping[str, object], figs: list[tuple[float, float, float, float]]) -> str:
        """The composite program this frame needs: llvmpipe pays for a skipped branch, so the
        haze, the watercolor, the knot's static and the hue shift are compiled in only where
        they show."""

        def num(name: str, default: float) -> float:
            return _number(u, name, default)

        if num("u_fade", 0.0) * num("u_watercolor", 1.0) > 0.001:
            air = "_fade"
        elif haze_px(u, figs) >= HAZE_VISIBLE_PX:
            air = "_haze"
        else:
            air = ""
        knot = num("u_tension", 0.0) ** 2 * num("u_grain", 1.0) * KNOT_AMPLITUDE > KNOT_VISIBLE
        hue = abs(num("u_hue_shift", 0.0)) >= HUE_VISIBLE
        return "composite" + air + ("_knot" if knot else "") + ("_hue" if hue else "")


def haze_px(u: Mapping[str, object], figs: list[tuple[float, float, float, float]]) -> float:
    """The heat haze's largest offset this frame, in pixels: the haziest figure's (its mask is
    its shimmer times the haze mood where it stands)."""
    res = u.get("u_resolution", (0.0, 0.0))
    width = float(res[0]) if isinstance(res, tuple) else 0.0
    shimmer = max((f[3] for f in figs), default=0.0)
    return 0.5 * HAZE_REACH * width * shimmer * _number(u, "u_haze", 0.0)


def _number(u: Mapping[str, object], name: str, default: float) -> float:
    """A numeric uniform's value, or ``default`` where it is missing or not a number."""
    v = u.get(name, default)
    return float(v) if isinstance(v, (int, float)) else default
