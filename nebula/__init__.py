"""Nebula: a realtime generative painting of one dream."""

from pathlib import Path

__version__ = "0.1.0"

#: The project root holds shaders/ and assets/ beside the package (an editable install keeps them).
ROOT = Path(__file__).resolve().parent.parent
SHADERS_DIR = ROOT / "shaders"
ASSETS_DIR = ROOT / "assets"
