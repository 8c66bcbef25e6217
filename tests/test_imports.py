"""The rules the layout promises (docs/architecture.md), checked two ways: in a fresh interpreter
the way vispy's test_import does (what importing a layer loads), and by reading every import in
the source, lazy ones and type-only ones included (what a layer names):

- ``sim`` imports no GL, window, events or sinks; ``render`` no pygame, app or sink;
- ``control`` and ``gallery`` import neither ``app`` nor ``output``;
- the ground floor imports nothing above it;
- nothing but the CLI imports the CLI; no import cycle exists inside nebula/;
- no module is over MAX_LINES lines: one that grows past it has two jobs.

Each rule is shown to fail on a planted import (``test_each_rule_catches_a_planted_import``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "nebula"


def modules_loaded_by(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return set(r.stdout.split())


def library_modules() -> list[str]:
    names = []
    for p in sorted(PACKAGE.rglob("*.py")):
        rel = p.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] == "__main__" or parts[:2] == ["nebula", "cli"]:
            continue
        names.append(".".join(parts))
    return names


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("nebula.sim", {"moderngl", "pygame", "glcontext"}),
        ("nebula.scene", {"moderngl", "pygame", "glcontext"}),
        ("nebula.files", {"moderngl", "pygame", "glcontext"}),
        ("nebula.review.scan", {"pygame"}),
        ("nebula.control", {"pygame"}),
        ("nebula.gallery.watchdog", {"moderngl", "pygame"}),
        ("nebula.render", {"pygame"}),
        ("nebula.piece", {"pygame"}),
        # The farm's client makes no GL context (its workers do): it must not even load GL.
        ("nebula.farm", {"moderngl", "glcontext", "pygame"}),
    ],
)
def test_a_layer_loads_nothing_it_must_not(package: str, forbidden: set[str]) -> None:
    # Every submodule, not just the package: a lazy import inside one counts only when run.
    subs = [m for m in library_modules() if m == package or m.startswith(package + ".")]
    loaded = modules_loaded_by("; ".join(f"import {m}" for m in subs))
    assert not forbidden & {m.split(".")[0] for m in loaded}


#: The ground floor: settings and parameters, presets, time, the scene's geometry, errors,
#: resources, file writes and a frame's signature. It imports nothing above it.
GROUND = frozenset(
    {
        "nebula",
        "nebula.config",
        "nebula.clock",
        "nebula.scene",
        "nebula.errors",
        "nebula.resources",
        "nebula.presets",
        "nebula.files",
        "nebula.signature",
        "nebula.wall",
        "nebula.wall.file",
        "nebula.wall.geometry",
        "nebula.wall.layout",
    }
)
GL = ("moderngl", "glcontext")
#: Layer -> what no module in it may import (a package forbids its modules too).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "nebula.sim": (*GL, "pygame", "nebula.render", "nebula.app", "nebula.control", "nebula.output"),
    "nebula.render": ("pygame", "nebula.app", "nebula.output"),
    "nebula.control": ("nebula.app", "nebula.output"),
    "nebula.gallery": ("nebula.app", "nebula.output"),
}
MAX_LINES = 400


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def imports_by_module() -> dict[str, set[str]]:
    """Module -> every module it names in an import, anywhere in its source (absolute names; a
    ``from nebula import files`` names ``nebula`` and ``nebula.files``)."""
    out: dict[str, set[str]] = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
            ".__init__"
        )
        names: set[str] = set()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                if node.module == "nebula":
                    names |= {f"nebula.{a.name}" for a in node.names}
        out[name] = names
    return out


def rule_violations(imports: dict[str, set[str]]) -> list[str]:
    """Every import that breaks a layer rule, as "module imports name (rule)"."""
    found = []
    for module, names in sorted(imports.items()):
        for name in sorted(names):
            for layer, forbidden in FORBIDDEN.items():
                if within(module, layer) and any(within(name, f) for f in forbidden):
                    found.append(f"{module} imports {name} ({layer} may not)")
            if module in GROUND and within(name, "nebula") and name not in GROUND:
                found.append(f"{module} imports {name} (the ground floor imports nothing above)")
            # `python -m nebula` (nebula.__main__) is the CLI's entry point.
            cli_user = within(module, "nebula.cli") or module == "nebula.__main__"
            if within(name, "nebula.cli") and not cli_user:
                found.append(f"{module} imports {name} (only the CLI imports the CLI)")
    return found


def test_every_layer_keeps_its_rules() -> None:
    assert rule_violations(imports_by_module()) == []


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("nebula.sim.world", "moderngl"),
        ("nebula.sim.threads", "pygame"),
        ("nebula.sim.world", "nebula.control.events"),
        ("nebula.sim.particles", "nebula.output.sinks"),
        ("nebula.render.renderer", "pygame"),
        ("nebula.render.frame", "nebula.app.show"),
        ("nebula.render.passes.post", "nebula.output.png"),
        ("nebula.control.midi", "nebula.app.show"),
        ("nebula.control.osc.feedback", "nebula.output"),
        ("nebula.gallery.health", "nebula.output.png"),
        ("nebula.gallery.installation", "nebula.app.show"),
        ("nebula.presets", "nebula.output"),
        ("nebula.config", "nebula.sim.world"),
        ("nebula.files", "nebula.render.context"),
        ("nebula.piece", "nebula.cli.args"),
    ],
)
def test_each_rule_catches_a_planted_import(module: str, planted: str) -> None:
    imports = imports_by_module()
    assert module in imports, f"{module} moved: plant the import in its new home"
    imports[module] = imports[module] | {planted}
    assert [v for v in rule_violations(imports) if v.startswith(f"{module} imports {planted} ")]


def module_lengths() -> dict[str, int]:
    return {
        str(p.relative_to(PACKAGE.parent)): len(p.read_text(encoding="utf-8").splitlines())
        for p in sorted(PACKAGE.rglob("*.py"))
    }


def too_long(lengths: dict[str, int]) -> list[str]:
    return [f"{p}: {n} lines (at most {MAX_LINES})" for p, n in lengths.items() if n > MAX_LINES]


def test_no_module_is_over_the_limit() -> None:
    lengths = module_lengths()
    assert too_long(lengths) == []
    assert too_long(lengths | {"nebula/planted.py": MAX_LINES + 1})  # and the check can fail


def test_no_library_module_loads_the_command_line() -> None:
    loaded = modules_loaded_by("; ".join(f"import {m}" for m in library_modules()))
    assert not {m for m in loaded if m == "nebula.cli" or m.startswith("nebula.cli.")}
    # ...nor names it anywhere, even in a function's lazy import.
    for p in sorted(PACKAGE.rglob("*.py")):
        if "cli" in p.relative_to(PACKAGE).parts or p.name == "__main__.py":
            continue  # the command line itself, and `python -m nebula`, its entry point
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("nebula.cli"), f"{p}: imports {node.module}"
                names = {a.name for a in node.names}
                assert not (node.module == "nebula" and "cli" in names), f"{p}: imports cli"


def import_graph() -> dict[str, set[str]]:
    """Module -> the nebula modules it imports (at the top or inside functions)."""
    known = set(library_modules()) | {
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for p in PACKAGE.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
            ".__init__"
        )
        edges: set[str] = set()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            edges |= {t for t in targets if t in known and t != name}
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_there_is_no_import_cycle_inside_nebula() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_check_finds_a_planted_cycle() -> None:
    graph = import_graph()
    graph["nebula.sim.world"] = graph["nebula.sim.world"] | {"nebula.cli"}
    graph["nebula.cli"] = graph.get("nebula.cli", set()) | {"nebula.sim.world"}
    assert any("nebula.sim.world" in c and "nebula.cli" in c for c in cycles(graph))
