"""Nebula's test suite. Shared helpers are in tests/helpers.py, fixtures in conftest.py."""
