"""Presets: named looks in TOML (shipped in assets/presets, the user's own in ~/.config).

A preset sets parameters (validated as ``Params`` are) and may carry run options; saving one
never overwrites a file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nebula.config import ConfigError, read_toml, validate_param


def shipped_presets_dir() -> Path:
    """The presets that ship with the package (assets/presets)."""
    from nebula.resources import assets_dir

    return assets_dir() / "presets"


@dataclass(frozen=True)
class Preset:
    name: str
    params: dict[str, float]
    #: Run options a preset may carry (for example ``installation = true``).
    options: dict[str, Any]
    path: Path | None = None


PRESET_OPTIONS: dict[str, type] = {"installation": bool}


def user_presets_dir() -> Path:
    import os

    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "nebula" / "presets"


def preset_dirs() -> list[Path]:
    return [user_presets_dir(), shipped_presets_dir()]


def list_presets() -> list[str]:
    names: set[str] = set()
    for d in preset_dirs():
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.toml"))
    return sorted(names)


def resolve_preset(name_or_path: str) -> Path:
    """A path to a .toml file, or the name of one in the user's folder or assets/presets/."""
    p = Path(name_or_path).expanduser()
    if p.suffix == ".toml" or "/" in name_or_path:
        if not p.is_file():
            raise ConfigError(f"preset file {str(p)!r} does not exist")
        return p
    for d in preset_dirs():
        cand = d / f"{name_or_path}.toml"
        if cand.is_file():
            return cand
    known = ", ".join(list_presets()) or "none"
    raise ConfigError(f"unknown preset {name_or_path!r}; available presets: {known}")


#: What a preset asked for by name over the network may be called: no paths, no dots.
PRESET_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def load_named_preset(name: str) -> Preset:
    """A preset by name from the preset folders only (the user's, then the shipped ones): a
    path, ``..`` or anything but letters, digits, ``-`` and ``_`` is refused (ConfigError)."""
    if not PRESET_NAME.fullmatch(name):
        raise ConfigError(
            f"preset name {name!r} refused: a name is letters, digits, - and _ (no paths)"
        )
    for d in preset_dirs():
        cand = d / f"{name}.toml"
        if cand.is_file():
            return parse_preset(read_toml(cand, "preset"), name, cand)
    known = ", ".join(list_presets()) or "none"
    raise ConfigError(f"unknown preset {name!r}; available presets: {known}")


def parse_preset(data: Mapping[str, Any], name: str, path: Path | None = None) -> Preset:
    where = f"preset {name!r}"
    unknown = set(data) - {"params", "options", "name"}
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {sorted(unknown)[0]!r}; allowed: [params], [options], name"
        )
    raw_params = data.get("params", {})
    if not isinstance(raw_params, Mapping):
        raise ConfigError(f"{where}: [params] must be a table")
    params: dict[str, float] = {}
    for k, v in raw_params.items():
        try:
            params[k] = validate_param(k, v)
        except ConfigError as e:
            raise ConfigError(f"{where}: {e}") from None
    raw_opts = data.get("options", {})
    if not isinstance(raw_opts, Mapping):
        raise ConfigError(f"{where}: [options] must be a table")
    options: dict[str, Any] = {}
    for k, v in raw_opts.items():
        want = PRESET_OPTIONS.get(k)
        if want is None:
            raise ConfigError(
                f"{where}: unknown option {k!r}; allowed options: {', '.join(PRESET_OPTIONS)}"
            )
        if not isinstance(v, want):
            raise ConfigError(f"{where}: option {k} = {v!r} must be {want.__name__}")
        options[k] = v
    return Preset(name=str(data.get("name", name)), params=params, options=options, path=path)


def load_preset(name_or_path: str) -> Preset:
    path = resolve_preset(name_or_path)
    return parse_preset(read_toml(path, "preset"), path.stem, path)


def dump_preset(params: Mapping[str, float], name: str) -> str:
    lines = [f'name = "{name}"', "", "[params]"]
    lines += [f"{k} = {float(v)!r}" for k, v in params.items()]
    return "\n".join(lines) + "\n"


def save_new_preset(
    params: Mapping[str, float], folder: Path | None = None, stem: str = "preset"
) -> Path:
    """Write ``params`` to a new numbered file; never overwrites an existing preset, and a
    failure (a full disk) leaves no file behind."""
    from nebula import files

    folder = folder or user_presets_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, 100_000):
        path = folder / f"{stem}-{i:03d}.toml"
        if path.exists():
            continue
        try:
            files.create(path, dump_preset(params, path.stem).encode("utf-8"))
        except FileExistsError:
            continue  # taken between the check and the write
        return path
    raise ConfigError(f"no free preset name left in {folder}")


def preset_slots(user_dir: Path | None = None) -> list[Path]:
    """The presets keys 1-9 load: the shipped names (sorted), then the user's own (sorted).

    A user preset with a shipped name takes that name's slot, as it does for --preset.
    """
    user_dir = user_dir or user_presets_dir()
    shipped = sorted(p.stem for p in shipped_presets_dir().glob("*.toml"))
    mine = sorted(p.stem for p in user_dir.glob("*.toml")) if user_dir.is_dir() else []

    def path(stem: str) -> Path:
        own = user_dir / f"{stem}.toml"
        return own if own.is_file() else shipped_presets_dir() / f"{stem}.toml"

    return [path(n) for n in shipped] + [user_dir / f"{n}.toml" for n in mine if n not in shipped]
