"""NDI on loopback: libndi finds sources on 127.0.0.1 when NDI_CONFIG_DIR holds this config
(without it, and without avahi, its Finder finds nothing and says nothing)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest


@pytest.fixture
def ndi_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("ndi-config")
    (folder / "ndi-config.v1.json").write_text(
        json.dumps({"ndi": {"networks": {"ips": "127.0.0.1"}}})
    )
    monkeypatch.setenv("NDI_CONFIG_DIR", str(folder))
    yield {"NDI_CONFIG_DIR": str(folder)}
