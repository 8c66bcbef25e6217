"""The rules the layout promises, checked the way vispy's test_import does: in a fresh
interpreter, ``nebula.sim`` loads no GL or window library and ``nebula.render`` no pygame; no
library module loads the command line; and no import cycle exists anywhere inside nebula/."""

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
        ("nebula.scan", {"pygame"}),
        ("nebula.render", {"pygame"}),
        ("nebula.piece", {"pygame"}),
        ("nebula.gallery.watchdog", {"moderngl", "pygame"}),
        # The farm's client makes no GL context (its workers do): it must not even load GL.
        ("nebula.farm", {"moderngl", "glcontext", "pygame"}),
    ],
)
def test_a_layer_loads_nothing_it_must_not(package: str, forbidden: set[str]) -> None:
    # Every submodule, not just the package: a lazy import inside one counts only when run.
    subs = [m for m in library_modules() if m == package or m.startswith(package + ".")]
    loaded = modules_loaded_by("; ".join(f"import {m}" for m in subs))
    assert not forbidden & {m.split(".")[0] for m in loaded}


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
