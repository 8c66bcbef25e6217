"""Nebula: a realtime generative painting of one dream."""

from importlib.metadata import PackageNotFoundError, version

try:
    #: One version, one place: pyproject.toml, read back from the installed metadata.
    __version__ = version("nebula")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"
