"""Nebula's test suite; REPO is the checkout it runs from (scripts/ and tests/ live there)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
