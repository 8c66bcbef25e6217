"""What every section of the bench shares: its figures' type and how it speaks."""

from __future__ import annotations

import sys

#: A section's figures (nebula.bench merges every section's into one object).
Figures = dict[str, float | int | str]


def say(msg: str) -> None:
    """Progress on stderr, so stdout's last line stays the JSON object."""
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def ms(seconds: float) -> float:
    return round(seconds * 1e3, 4)
