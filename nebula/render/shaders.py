"""Shader programs from shaders/: ``#include`` resolution, errors that name file:line, and
hot reload that keeps the last good program when an edit does not compile.

Includes are resolved relative to the shaders/ root (``#include "lib/noise.glsl"``), each file at
most once per stage, with a depth guard. The preprocessor remembers where every line came from,
so a driver message like ``0:12(5): error`` maps back to the file and line that hold it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import moderngl

from nebula.resources import shaders_dir

MAX_INCLUDE_DEPTH = 16
_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$')
# Mesa: "0:12(5): error: ..."; NVIDIA: "0(12) : error ..."; ANGLE/others: "ERROR: 0:12: ..."
_DRIVER_LINE = re.compile(r"(?:ERROR:\s*)?(\d+)[:(](\d+)\)?(?:\(\d+\))?\s*:\s*(.*)")


class ShaderError(RuntimeError):
    """A shader that cannot be loaded or compiled; ``str()`` starts with ``file:line:``."""

    def __init__(self, message: str, file: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.file = file
        self.line = line


@dataclass
class Source:
    text: str
    files: list[Path] = field(default_factory=list)
    #: For each line of ``text`` (0-based), the file and 1-based line it came from.
    origin: list[tuple[Path, int]] = field(default_factory=list)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _read_lines(p: Path, root: Path) -> list[str]:
    """A shader file's lines; an unreadable or non-UTF-8 file is a ShaderError naming it."""
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ShaderError(f"{_rel(p, root)}: cannot read: {e.strerror}", _rel(p, root)) from None
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        at = data.count(b"\n", 0, e.start) + 1
        raise ShaderError(
            f"{_rel(p, root)}:{at}: not UTF-8 text (byte 0x{data[e.start]:02x}); "
            "save the file as UTF-8",
            _rel(p, root),
            at,
        ) from None


def _include_path(name: str, p: Path, n: int, root: Path) -> Path:
    """Where ``#include "name"`` on line ``n`` of ``p`` points: under root, else beside p."""
    for base in (root, p.parent):
        inc = (base / name).resolve()
        if inc.is_file():
            return inc
    raise ShaderError(
        f"{_rel(p, root)}:{n}: include {name!r} not found under {_rel(root, root)}/",
        _rel(p, root),
        n,
    )


def preprocess(
    path: Path, root: Path | None = None, defines: Mapping[str, object] | None = None
) -> Source:
    """Inline ``#include`` directives (each file once per stage), keeping a line-origin map.

    No ``#line`` directives are emitted: drivers disagree on source-string numbers (Mesa reports
    the wrong one for some errors), so errors are mapped back through ``origin`` instead.
    """
    root = root or shaders_dir()
    src = Source("")
    out: list[str] = []

    def visit(p: Path, depth: int, chain: tuple[Path, ...]) -> None:
        if depth > MAX_INCLUDE_DEPTH:
            raise ShaderError(
                f"{_rel(p, root)}:1: include depth over {MAX_INCLUDE_DEPTH} "
                f"({' -> '.join(_rel(c, root) for c in chain)})",
                _rel(p, root),
                1,
            )
        lines = _read_lines(p, root)
        src.files.append(p)
        for n, line in enumerate(lines, start=1):
            m = _INCLUDE.match(line)
            if m:
                inc = _include_path(m.group(1), p, n, root)
                if inc not in src.files:
                    visit(inc, depth + 1, (*chain, inc))
                continue
            out.append(line)
            src.origin.append((p, n))

    visit(path.resolve(), 0, (path.resolve(),))
    if defines:
        # Right after `#version` (which must come first): the values Python owns, one source
        # of truth for kinds, limits and variants. Errors on them point at line 1.
        at = 1 if out and out[0].lstrip().startswith("#version") else 0
        lines = [f"#define {k} {v}" for k, v in defines.items()]
        out[at:at] = lines
        src.origin[at:at] = [(path.resolve(), 1)] * len(lines)
    src.text = "\n".join(out) + "\n"
    return src


_UNIFORM = re.compile(r"^\s*uniform\s+\w+\s+(\w+)", re.M)


def declared_uniforms(*sources: Source) -> frozenset[str]:
    """The uniform names a program's sources declare (used or not: the compiler drops those
    a variant does not use, which is fine; a name declared nowhere is a typo)."""
    return frozenset(n for s in sources for n in _UNIFORM.findall(s.text))


def explain(error: str, source: Source, root: Path | None = None) -> ShaderError:
    """Turn a driver's compile log into ``file:line: message`` through the line-origin map."""
    root = root or shaders_dir()
    for raw in error.splitlines():
        m = _DRIVER_LINE.search(raw)
        if m and "error" in raw.lower():
            line, msg = int(m.group(2)), m.group(3).strip()
            if 1 <= line <= len(source.origin):
                path, n = source.origin[line - 1]
                name = _rel(path, root)
            else:
                name, n = _rel(source.files[0], root), line
            return ShaderError(f"{name}:{n}: {msg}", name, n)
    first = next((ln for ln in error.splitlines() if ln.strip()), error)
    name = _rel(source.files[0], root) if source.files else "?"
    return ShaderError(f"{name}: {first.strip()}", name)


def float_defines(**values: float) -> dict[str, str]:
    """``#define`` values as GLSL float literals (``1.0``, never an int ``1``)."""
    return {k: repr(float(v)) for k, v in values.items()}


@dataclass(frozen=True)
class ProgramSpec:
    vertex: str
    fragment: str
    #: ``#define`` name -> value for both stages: variants and the constants Python owns.
    defines: Mapping[str, object] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.vertex, self.fragment, tuple(sorted(self.defines.items()))))


def _strip_moderngl_banner(msg: str) -> str:
    # moderngl prefixes "GLSL Compiler failed\n\nfragment_shader\n===============\n".
    lines = [ln for ln in msg.splitlines() if ln.strip() and not set(ln.strip()) <= {"="}]
    return "\n".join(lines)


def build(
    ctx: moderngl.Context, spec: ProgramSpec, root: Path | None = None
) -> tuple[moderngl.Program, list[Path]]:
    """Compile and link one program; returns it with every file it read (for hot reload)."""
    prog, files, _ = build_declared(ctx, spec, root)
    return prog, files


def build_declared(
    ctx: moderngl.Context, spec: ProgramSpec, root: Path | None = None
) -> tuple[moderngl.Program, list[Path], frozenset[str]]:
    """``build``, plus the uniform names its sources declare."""
    root = root or shaders_dir()
    vs = preprocess(root / spec.vertex, root, spec.defines)
    fs = preprocess(root / spec.fragment, root, spec.defines)
    try:
        prog = ctx.program(vertex_shader=vs.text, fragment_shader=fs.text)
    except moderngl.Error as e:
        msg = _strip_moderngl_banner(str(e))
        if "GLSL Compiler failed" not in str(e):
            raise ShaderError(f"{spec.vertex} + {spec.fragment}: link failed: {msg}") from None
        raise explain(msg, vs if "vertex_shader" in str(e) else fs, root) from None
    return prog, [*vs.files, *fs.files], declared_uniforms(vs, fs)


class HotProgram:
    """A program that reloads when any of its files change; a failed reload keeps the last good
    program and reports the error until an edit fixes it. Replaced programs are released."""

    def __init__(self, ctx: moderngl.Context, spec: ProgramSpec, root: Path | None = None) -> None:
        self.ctx = ctx
        self.spec = spec
        self.root = root or shaders_dir()
        self.program, self._files, self.declared = build_declared(ctx, spec, self.root)
        self._stamps = self._read_stamps()
        self.version = 0  # bumps on every successful reload; passes rebuild their VAOs
        self.error: ShaderError | None = None
        self._fullscreen: tuple[int, moderngl.VertexArray] | None = None

    def _read_stamps(self) -> dict[Path, float]:
        stamps: dict[Path, float] = {}
        for f in self._files:
            try:
                stamps[f] = f.stat().st_mtime
            except OSError:
                stamps[f] = -1.0
        return stamps

    def changed(self) -> bool:
        return self._read_stamps() != self._stamps

    def reload(self) -> bool:
        """Try to rebuild now. True when a new program replaced the old one."""
        try:
            prog, files, declared = build_declared(self.ctx, self.spec, self.root)
        except ShaderError as e:
            self.error = e
            self._stamps = self._read_stamps()  # wait for the next edit
            return False
        self.program.release()
        self.program, self._files, self.declared = prog, files, declared
        self._stamps = self._read_stamps()
        self.version += 1
        self.error = None
        return True

    def poll(self) -> bool:
        return self.changed() and self.reload()

    def fullscreen(self) -> moderngl.VertexArray:
        """The program's buffer-less VAO for a full-screen triangle (its vertices from
        gl_VertexID): made again after a reload, released with the program."""
        if self._fullscreen is None or self._fullscreen[0] != self.version:
            if self._fullscreen is not None:
                self._fullscreen[1].release()
            self._fullscreen = (self.version, self.ctx.vertex_array(self.program, []))
        return self._fullscreen[1]

    def release(self) -> None:
        if self._fullscreen is not None:
            self._fullscreen[1].release()
            self._fullscreen = None
        self.program.release()


#: Tests (and NEBULA_STRICT_UNIFORMS=1) make a uniform that no shader declares an error instead
#: of a silent zero: a typo in a name would otherwise render nothing and pass unnoticed.
STRICT_UNIFORMS = os.environ.get("NEBULA_STRICT_UNIFORMS", "") not in ("", "0")


class UndeclaredUniform(ShaderError):
    """A uniform was set that no shader of the program (or of any program) declares."""


def check_declared(names: Iterable[str], declared: Iterable[str], where: str) -> None:
    """Raise UndeclaredUniform for ``names`` missing from ``declared`` (only when strict)."""
    if not STRICT_UNIFORMS:
        return
    missing = sorted(set(names) - set(declared))
    if missing:
        raise UndeclaredUniform(f"{where}: no shader declares {', '.join(missing)}", where)


def set_uniforms(prog: moderngl.Program, values: dict[str, object]) -> None:
    """Set those uniforms the program uses (the compiler drops unused ones; that is fine)."""
    for name, value in values.items():
        u = prog.get(name, None)
        if u is not None and isinstance(u, moderngl.Uniform):
            u.value = value
