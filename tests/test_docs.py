"""The documentation against the code: the README's length and sections, every relative link,
every picture on a page, and every command-line option the pages name, both ways.

The pages name options in two ways, and this is the convention they keep:

- **Options tables.** A table whose header's first cell names one or more subcommands in
  backticks, then the word ``option``, documents their options, one row each::

      | `nebula record`, `nebula farm` option | meaning |
      | --- | --- |
      | `--seconds S` or `--frames N` | length of the span ... |

  Every ``--option`` that opens a backticked span in a row's first cell must be an option of
  every subcommand the header names. `` `nebula` option `` (no subcommand) is for the top-level
  options (``--version``). A subcommand's table may be split over several pages (``nebula run``
  has one for the window, one for OSC and MIDI, one for the gallery).
- **Command lines.** ``nebula SUBCOMMAND ... --opt`` anywhere in a page (a code block, inline
  code, prose; ``.venv/bin/nebula`` too): every ``--opt`` up to the end of the command (a
  backtick, ``|``, ``;``, ``&``, ``#``, ``<``, ``>`` or the end of the line; a line ending in
  ``\\`` goes on) must be an option of that subcommand. ``nebula --opt`` with no subcommand is a
  top-level option or one of ``nebula run``'s, the default command.

Both must name only options the command line has, in README.md and in every page under docs/.
And every option the command line has (``-h``/``--help`` aside) must have a row in an options
table of its subcommand on some page under docs/. The options come from the parser ``nebula``
itself builds (``nebula.cli.build_parser``), so a new option without a row fails here, and so
does a row for an option that went.

No window, no GL and no mkdocs: CI builds the site itself (``mkdocs build --strict``).
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
README = REPO / "README.md"
MKDOCS = REPO / "mkdocs.yml"

MAX_README_LINES = 250
#: The README's sections, in order (the still and the moving preview come before them).
README_SECTIONS = ("## Two commands", "## Install", "## Commands", "## Where to go next")
#: The key for the top-level parser's own options (``nebula --version``).
TOP = "nebula"
PICTURES = (".png", ".webp", ".jpg", ".jpeg", ".gif", ".svg")

_TABLE_HEADER = re.compile(
    r"^\|\s*((?:`nebula(?: [a-z][a-z-]*){0,2}`[\s,]*(?:and\s+)?)+)option\s*\|"
)
_HEADER_COMMAND = re.compile(r"`nebula(?: ([a-z][a-z-]*(?: [a-z][a-z-]*)?))?`")
_ROW_OPTION = re.compile(r"`(--[a-z0-9][a-z0-9-]*)")
#: ``nebula`` as a command: at a line's start or after a space, a backtick, a quote, a bracket
#: or a path's slash, and followed by a blank.
_COMMAND = re.compile(r"(?:^|(?<=[\s`'\"(/]))nebula(?=[ \t])")
_COMMAND_END = re.compile(r"[`|;&#<>]")
_OPTION = re.compile(r"^(--[a-z0-9][a-z0-9-]*)")
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Naming:
    """One option named on a page: where, for which command, and how."""

    page: str
    line: int
    command: str
    option: str
    in_table: bool

    def where(self) -> str:
        how = "options table" if self.in_table else "command line"
        return f"{self.page}:{self.line} ({how})"


def long_options(parser: argparse.ArgumentParser) -> set[str]:
    return {
        s
        for action in parser._actions
        for s in action.option_strings
        if s.startswith("--") and s != "--help"
    }


def cli_options() -> dict[str, set[str]]:
    """Subcommand (or TOP) -> its long options, from the parser `nebula` builds."""
    from nebula.cli import build_parser

    parser = build_parser()
    out = {TOP: long_options(parser)}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out[name] = long_options(sub)
                for verbs in sub._actions:  # `nebula wall check`, `nebula wall lead`
                    if isinstance(verbs, argparse._SubParsersAction):
                        for verb, verb_parser in verbs.choices.items():
                            out[f"{name} {verb}"] = long_options(verb_parser)
    return out


def doc_pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def rel(path: Path) -> str:
    return str(path.relative_to(REPO))


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, line) with backslash continuations joined."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for n, line in enumerate(text.splitlines(), 1):
        if pending is not None:
            start, head = pending
            line, n = head + " " + line.lstrip(), start
            pending = None
        if line.rstrip().endswith("\\"):
            pending = (n, line.rstrip()[:-1])
            continue
        out.append((n, line))
    if pending is not None:
        out.append(pending)
    return out


def table_namings(page: str, text: str) -> list[Naming]:
    """The options the page's options tables name (see the module's docstring)."""
    found: list[Naming] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _TABLE_HEADER.match(line)
        if not m:
            continue
        commands = [c or TOP for c in _HEADER_COMMAND.findall(m.group(1))]
        for j in range(i + 2, len(lines)):  # past the header and its --- line
            row = lines[j].strip()
            if not row.startswith("|"):
                break
            first = row.strip("|").split("|")[0]
            for option in _ROW_OPTION.findall(first):
                found += [Naming(page, j + 1, c, option, True) for c in commands]
    return found


def command_namings(page: str, text: str, subcommands: set[str], top: set[str]) -> list[Naming]:
    """The options the page's `nebula ...` command lines name (see the module's docstring)."""
    found: list[Naming] = []
    for n, line in logical_lines(text):
        for m in _COMMAND.finditer(line):
            rest = line[m.end() :]
            end = _COMMAND_END.search(rest)
            tokens = (rest[: end.start()] if end else rest).split()
            if not tokens:
                continue
            if len(tokens) > 1 and f"{tokens[0]} {tokens[1]}" in subcommands:
                command, tokens = f"{tokens[0]} {tokens[1]}", tokens[2:]
            elif tokens[0] in subcommands:
                command, tokens = tokens[0], tokens[1:]
            elif tokens[0].startswith("-"):
                command = TOP if tokens[0] in top | {"-h", "--help"} else "run"
            else:
                continue  # "nebula" in a sentence, not a command
            for token in tokens:
                o = _OPTION.match(token)
                if o and o.group(1) != "--help":
                    found.append(Naming(page, n, command, o.group(1), False))
    return found


def namings(path: Path, cli: dict[str, set[str]]) -> list[Naming]:
    text = path.read_text(encoding="utf-8")
    subcommands = set(cli) - {TOP}
    return table_namings(rel(path), text) + command_namings(rel(path), text, subcommands, cli[TOP])


def unknown_options(found: list[Naming], cli: dict[str, set[str]]) -> list[str]:
    return [
        f"{n.where()}: `nebula{'' if n.command == TOP else ' ' + n.command}` has no option "
        f"{n.option}"
        for n in found
        if n.option not in cli.get(n.command, set())
    ]


def undocumented_options(found: list[Naming], cli: dict[str, set[str]]) -> list[str]:
    tabled = {(n.command, n.option) for n in found if n.in_table}
    return [
        f"`nebula{'' if command == TOP else ' ' + command} {option}`: no page under docs/ has a "
        f"row for it in a `nebula{'' if command == TOP else ' ' + command}` options table"
        for command, options in sorted(cli.items())
        for option in sorted(options)
        if (command, option) not in tabled
    ]


# ---------------------------------------------------------------------------- the tests


def test_the_readme_is_short_and_has_its_sections() -> None:
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md: {len(lines)} lines (at most 250)"
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == list(README_SECTIONS), f"README.md's sections: {headings}"
    # What the piece is, with the still and the moving preview first.
    body = [line for line in lines[1:] if line.strip()]
    assert lines[0] == "# Nebula"
    assert body[0].startswith("![") and "(docs/still.png)" in body[0], body[0]
    assert body[1].startswith("![") and "(docs/preview.webp)" in body[1], body[1]


def test_the_readme_tours_every_subcommand_and_links_every_page() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [c for c in sorted(set(cli_options()) - {TOP}) if f"`nebula {c}`" not in text]
    assert not missing, f"README.md's tour leaves out: {missing}"
    unlinked = [rel(p) for p in doc_pages() if f"({rel(p)}" not in text]
    assert not unlinked, f"README.md links none of: {unlinked}"


def links(text: str) -> list[tuple[int, str]]:
    """(line number, target) of every Markdown link and image outside fenced code."""
    out: list[tuple[int, str]] = []
    fenced = False
    for n, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        out += [(n, t) for t in _LINK.findall(line)]
        ref = _REF_LINK.match(line)
        if ref:
            out.append((n, ref.group(1)))
    return out


@pytest.mark.parametrize("path", [README, *doc_pages()], ids=rel)
def test_every_relative_link_points_to_a_file(path: Path) -> None:
    broken = []
    for n, target in links(path.read_text(encoding="utf-8")):
        if _SCHEME.match(target) or target.startswith("#"):
            continue  # a web address, or an anchor on the same page (mkdocs --strict checks)
        local = target.split("#")[0].split("?")[0]
        if not (path.parent / local).exists():
            broken.append(f"{rel(path)}:{n}: {target}")
    assert not broken, "links to nothing:\n" + "\n".join(broken)


def test_every_picture_in_docs_is_on_a_page() -> None:
    shown = {
        (p.parent / t).resolve()
        for p in doc_pages()
        for _, t in links(p.read_text(encoding="utf-8"))
        if not _SCHEME.match(t)
    }
    pictures = [p for p in sorted(DOCS.iterdir()) if p.suffix.lower() in PICTURES]
    assert pictures, "docs/ holds no pictures"
    unshown = [rel(p) for p in pictures if p.resolve() not in shown]
    assert not unshown, f"pictures on no page: {unshown}"


def test_every_page_is_in_the_site_navigation() -> None:
    config = MKDOCS.read_text(encoding="utf-8")
    nav = set(re.findall(r"^\s*-\s*[^:\n]+:\s*(\S+\.md)\s*$", config, flags=re.M))
    pages = {p.name for p in doc_pages()}
    assert nav == pages, f"in the nav, not in docs/: {nav - pages}; not in the nav: {pages - nav}"


def test_the_pages_name_only_options_the_command_line_has() -> None:
    cli = cli_options()
    found = [n for p in [README, *doc_pages()] for n in namings(p, cli)]
    assert any(n.in_table for n in found) and any(not n.in_table for n in found)
    bad = unknown_options(found, cli)
    assert not bad, "options the command line does not have:\n" + "\n".join(bad)


def test_every_option_of_the_command_line_is_on_a_page() -> None:
    cli = cli_options()
    found = [n for p in doc_pages() for n in namings(p, cli)]
    missing = undocumented_options(found, cli)
    assert not missing, "options no page documents:\n" + "\n".join(missing)


def test_the_option_checks_can_fail() -> None:
    """A planted table row and command line are caught, and so is an option left out."""
    cli = {TOP: {"--version"}, "run": {"--size", "--osc"}, "record": {"--out"}}
    page = "\n".join(
        [
            "| `nebula run` option | meaning |",
            "| --- | --- |",
            "| `--size WxH` | window size |",
            "| `--nope N` | planted |",
            "",
            "```sh",
            "nebula record --out a.mp4 \\",
            "    --frobnicate",
            ".venv/bin/nebula --fullscreen   # nebula run's, the default command",
            "nebula --version",
            "```",
            "The nebula logger, `nebula COMMAND --x`, pip install 'nebula[farm]': no commands.",
        ]
    )
    found = table_namings("p.md", page) + command_namings(
        "p.md", page, {"run", "record"}, {"--version"}
    )
    assert unknown_options(found, cli) == [
        "p.md:4 (options table): `nebula run` has no option --nope",
        "p.md:7 (command line): `nebula record` has no option --frobnicate",
        "p.md:9 (command line): `nebula run` has no option --fullscreen",
    ]
    assert undocumented_options(found, cli) == [
        "`nebula --version`: no page under docs/ has a row for it in a `nebula` options table",
        "`nebula record --out`: no page under docs/ has a row for it in a `nebula record` "
        "options table",
        "`nebula run --osc`: no page under docs/ has a row for it in a `nebula run` options table",
    ]
