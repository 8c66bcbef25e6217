"""Every program compiles and links; includes resolve; a compile error names file and line."""

from __future__ import annotations

from pathlib import Path

import moderngl
import pytest

from nebula.render.renderer import PASSES
from nebula.render.shaders import HotProgram, ProgramSpec, ShaderError, build, preprocess

ALL_PROGRAMS = {name: spec for cls in PASSES for name, spec in cls.PROGRAMS.items()}


@pytest.mark.parametrize("name", sorted(ALL_PROGRAMS))
def test_program_compiles_and_links(ctx: moderngl.Context, name: str) -> None:
    spec = ALL_PROGRAMS[name]
    prog, files = build(ctx, spec)
    try:
        assert prog.glo > 0
        assert any(f.name == spec.fragment for f in files)
    finally:
        prog.release()


def _write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def test_include_is_inlined_once_with_line_markers(tmp_path: Path) -> None:
    _write(tmp_path, "lib/a.glsl", "float a() { return 1.0; }\n")
    _write(tmp_path, "lib/b.glsl", '#include "lib/a.glsl"\nfloat b() { return a(); }\n')
    main = _write(
        tmp_path,
        "main.frag",
        '#version 330 core\n#include "lib/a.glsl"\n#include "lib/b.glsl"\nvoid main() {}\n',
    )
    src = preprocess(main, tmp_path)
    assert src.text.count("float a()") == 1
    assert [f.name for f in src.files] == ["main.frag", "a.glsl", "b.glsl"]
    assert src.text.splitlines()[0] == "#version 330 core"
    assert src.origin[1] == (tmp_path / "lib" / "a.glsl", 1)


def test_missing_include_names_file_and_line(tmp_path: Path) -> None:
    main = _write(tmp_path, "main.frag", '#version 330 core\n\n#include "lib/nope.glsl"\n')
    with pytest.raises(ShaderError) as e:
        preprocess(main, tmp_path)
    # Named from the shader folder's parent: "<folder>/main.frag:3: ..."
    assert str(e.value).startswith(
        f"{tmp_path.name}/main.frag:3: include 'lib/nope.glsl' not found"
    )
    assert "lib/nope.glsl" in str(e.value)


def test_include_cycle_is_stopped(tmp_path: Path) -> None:
    # a includes b includes a: include-once guard makes it terminate without duplicating.
    _write(tmp_path, "lib/a.glsl", '#include "lib/b.glsl"\nfloat a() { return 1.0; }\n')
    _write(tmp_path, "lib/b.glsl", '#include "lib/a.glsl"\nfloat b() { return 2.0; }\n')
    main = _write(tmp_path, "m.frag", '#version 330 core\n#include "lib/a.glsl"\n')
    src = preprocess(main, tmp_path)
    assert src.text.count("float a()") == 1
    assert src.text.count("float b()") == 1


def test_compile_error_in_include_names_that_file_and_line(
    ctx: moderngl.Context, tmp_path: Path
) -> None:
    _write(tmp_path, "quad.vert", "#version 330 core\nvoid main() { gl_Position = vec4(0.0); }\n")
    _write(tmp_path, "lib/bad.glsl", "float ok() { return 1.0; }\nfloat bad() { return nope; }\n")
    _write(
        tmp_path,
        "bad.frag",
        '#version 330 core\n#include "lib/bad.glsl"\nout vec4 out_color;\n'
        "void main() { out_color = vec4(bad()); }\n",
    )
    with pytest.raises(ShaderError) as e:
        build(ctx, ProgramSpec("quad.vert", "bad.frag"), tmp_path)
    assert e.value.file.endswith("lib/bad.glsl")
    assert e.value.line == 2
    assert str(e.value).startswith(f"{e.value.file}:2:")


def test_hot_program_keeps_last_good_and_releases_replaced(
    ctx: moderngl.Context, tmp_path: Path
) -> None:
    from nebula.render.context import live_objects

    _write(tmp_path, "q.vert", "#version 330 core\nvoid main() { gl_Position = vec4(0.0); }\n")
    frag = _write(
        tmp_path,
        "q.frag",
        "#version 330 core\nout vec4 out_color;\nvoid main() { out_color = vec4(1.0); }\n",
    )
    hp = HotProgram(ctx, ProgramSpec("q.vert", "q.frag"), tmp_path)
    before = live_objects(ctx)
    good = hp.program
    frag.write_text("#version 330 core\nout vec4 out_color;\nvoid main() { out_color = oops; }\n")
    assert hp.reload() is False
    assert hp.program is good
    assert hp.error is not None and hp.error.line == 3
    frag.write_text(
        "#version 330 core\nout vec4 out_color;\nvoid main() { out_color = vec4(0.5); }\n"
    )
    assert hp.reload() is True
    assert hp.program is not good and hp.error is None
    assert live_objects(ctx) == before
    hp.release()
