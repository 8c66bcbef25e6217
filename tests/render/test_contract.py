"""Python is the one source of truth for the shader contract: the uniforms every pass shares,
the kinds and limits, the variants. Checked both ways, and a uniform that no shader declares
fails (the suite runs with NEBULA_STRICT_UNIFORMS=1, set in conftest)."""

from __future__ import annotations

import re

import moderngl
import pytest

from nebula.config import PARAM_SPECS, Params, Settings
from nebula.render.frame import FrameTime, frame_uniforms
from nebula.render.passes.post import MAX_HAZE_FIGURES
from nebula.render.renderer import PASSES, Renderer
from nebula.render.shaders import STRICT_UNIFORMS, UndeclaredUniform, preprocess
from nebula.resources import shaders_dir
from nebula.sim import story
from nebula.sim.world import World

UNIFORM = re.compile(r"^\s*uniform\s+\w+\s+(\w+)", re.M)


def test_the_shared_header_and_frame_uniforms_agree_both_ways() -> None:
    header = (shaders_dir() / "lib" / "uniforms.glsl").read_text(encoding="utf-8")
    declared = set(UNIFORM.findall(header))
    world = World(Settings(particles=0, flowers=0))
    u = frame_uniforms(world, Params().values, FrameTime(80.0), (64, 36))
    assert set(u) == declared, (sorted(set(u) - declared), sorted(declared - set(u)))
    for spec in PARAM_SPECS:
        assert (f"u_{spec.name}" in declared) == spec.uniform, spec.name
    assert {f"u_{m}" for m in story.MOOD_NAMES} <= declared


def test_a_uniform_no_shader_declares_fails(ctx: moderngl.Context) -> None:
    assert STRICT_UNIFORMS, "the suite runs strict (tests/conftest.py)"
    r = Renderer(ctx, (32, 18))
    try:
        with pytest.raises(UndeclaredUniform, match="u_clodus"):
            r.sky.uniforms("sky", {"u_clodus": 0})  # a typo of u_clouds
        r.sky.uniforms("sky", {"u_clouds": 0})
    finally:
        r.release()


def test_limits_and_kinds_come_from_python(ctx: moderngl.Context) -> None:
    r = Renderer(ctx, (32, 18))
    try:
        haze = r.programs["bloom_haze"].program["u_haze_figures"]
        assert isinstance(haze, moderngl.Uniform) and haze.array_length == MAX_HAZE_FIGURES
    finally:
        r.release()
    for cls in PASSES:
        for spec in cls.PROGRAMS.values():
            for stage in (spec.vertex, spec.fragment):
                text = preprocess(shaders_dir() / stage, shaders_dir(), spec.defines).text
                # Kinds are compared by name (is_kind), never as hand-written float ranges.
                assert not re.search(r"kind\s*[<>]=?\s*\d", text), stage
                for name, value in spec.defines.items():
                    assert f"#define {name} {value}" in text


def test_no_shader_exists_only_to_set_a_define() -> None:
    for f in sorted(shaders_dir().glob("*.frag")) + sorted(shaders_dir().glob("*.vert")):
        assert "void main" in f.read_text(encoding="utf-8"), f.name
