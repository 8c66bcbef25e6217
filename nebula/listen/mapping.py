"""The listening mapping (assets/listen.toml; a user's copy wins): which parameters the bands
and the level move and how far, and how a voice becomes a share. Checked like a preset: an
unknown key, or a value out of its range, is refused with the key and the range."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nebula.config import PARAMS_BY_NAME, ConfigError, read_toml
from nebula.resources import assets_dir

WHAT = "listening mapping"
FEATURES = ("bass", "mid", "treble", "level")


@dataclass(frozen=True)
class Move:
    """A feature moving a parameter: ``depth`` of it per unit of the feature's swing."""

    feature: str
    param: str
    depth: float
    smoothing: float


@dataclass(frozen=True)
class ListenMap:
    min_gap: float = 6.0
    min_phrase: float = 0.4
    loudness_weight: float = 0.6
    full_length: float = 3.0
    moves: tuple[Move, ...] = ()
    hold: float = 2.0
    rate: float = 4.0

    def intensity(self, loudness: float, seconds: float) -> float:
        """A phrase's share intensity, 0..1, from its loudness and length."""
        length = min(1.0, seconds / self.full_length)
        w = self.loudness_weight
        return round(min(1.0, max(0.0, w * loudness + (1.0 - w) * length)), 4)


def shipped_listen_map() -> Path:
    return assets_dir() / "listen.toml"


def user_listen_map() -> Path:
    from nebula.presets import user_presets_dir

    return user_presets_dir().parent / "listen.toml"


def load_listen_map(path: Path | None = None) -> ListenMap:
    """``path``, else the user's mapping when there is one, else the shipped one."""
    if path is not None:
        return read_listen_map(path.expanduser())
    own = user_listen_map()
    return read_listen_map(own if own.is_file() else shipped_listen_map())


def _number(table: dict[str, Any], key: str, where: str, lo: float, hi: float) -> float:
    v = table[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
        raise ConfigError(f"{where}.{key} = {v!r}: a number from {lo:g} to {hi:g}")
    return float(v)


def _keys(table: object, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"[{where}] must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(f"[{where}] has unknown key {unknown[0]!r}; known: {sorted(allowed)}")
    return table


def _move(feature: str, table: object, where: str) -> Move:
    t = _keys(table, {"param", "depth", "smoothing"}, where)
    missing = {"param", "depth", "smoothing"} - set(t)
    if missing:
        raise ConfigError(f"[{where}] needs {sorted(missing)[0]!r}")
    param = t["param"]
    if param not in PARAMS_BY_NAME:
        raise ConfigError(f"{where}.param = {param!r}: not a parameter (see docs/live.md)")
    span = PARAMS_BY_NAME[param].hi - PARAMS_BY_NAME[param].lo
    depth = _number(t, "depth", where, -span, span)
    return Move(feature, param, depth, _number(t, "smoothing", where, 0.0, 10.0))


def read_listen_map(path: Path) -> ListenMap:
    data = _keys(read_toml(path, WHAT), {"voice", "bands", "level", "take"}, str(path))
    voice = _keys(data.get("voice", {}), {"min_gap", "min_phrase", "loudness_weight",
                                          "full_length"}, "voice")  # fmt: skip
    take = _keys(data.get("take", {}), {"hold", "rate"}, "take")
    bands = _keys(data.get("bands", {}), {"bass", "mid", "treble"}, "bands")
    moves = [_move(name, t, f"bands.{name}") for name, t in bands.items()]
    if "level" in data:
        moves.append(_move("level", data["level"], "level"))
    params = [m.param for m in moves]
    if len(set(params)) != len(params):
        raise ConfigError(f"{path}: two features move the same parameter; give each its own")
    dflt = ListenMap()

    def get(table: dict[str, Any], key: str, where: str, lo: float, hi: float, d: float) -> float:
        return _number(table, key, where, lo, hi) if key in table else d

    return ListenMap(
        min_gap=get(voice, "min_gap", "voice", 0.5, 120.0, dflt.min_gap),
        min_phrase=get(voice, "min_phrase", "voice", 0.1, 5.0, dflt.min_phrase),
        loudness_weight=get(voice, "loudness_weight", "voice", 0.0, 1.0, dflt.loudness_weight),
        full_length=get(voice, "full_length", "voice", 0.5, 30.0, dflt.full_length),
        moves=tuple(moves),
        hold=get(take, "hold", "take", 0.0, 60.0, dflt.hold),
        rate=get(take, "rate", "take", 1.0, 30.0, dflt.rate),
    )
