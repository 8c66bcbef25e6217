from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from nebula.gallery.health import (
    FrameStats,
    Heartbeat,
    MinuteReport,
    read_heartbeat,
    rss_mb,
    setup_logging,
)
from nebula.signature import frame_signature


def test_rss_is_plausible() -> None:
    mb = rss_mb()
    assert 5.0 < mb < 10_000.0
    before = rss_mb()
    block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
    assert rss_mb() - before > 50.0
    del block


def test_frame_stats_percentiles_and_fps() -> None:
    s = FrameStats(capacity=100)
    for _ in range(99):
        s.add(0.010)
    s.add(0.100)
    assert s.percentile_ms(50) == pytest.approx(10.0)
    assert s.percentile_ms(99) > 10.0
    assert s.fps() == pytest.approx(100 / 1.09)
    for _ in range(500):  # the ring never grows
        s.add(0.02)
    assert s.count == 100
    assert s.percentile_ms(99) == pytest.approx(20.0)


def test_signature_sees_black_frozen_and_live() -> None:
    rng = np.random.default_rng(1)
    black = np.zeros((90, 160, 3), np.uint8)
    a = rng.integers(0, 255, (90, 160, 3), dtype=np.uint8)
    b = a.copy()
    b[40:50, 70:90] ^= 8  # a small change in the middle of the frame
    luma_black, sig_black = frame_signature(black)
    luma_a, sig_a = frame_signature(a)
    assert luma_black == 0.0 and luma_a > 50.0
    assert frame_signature(a.copy())[1] == sig_a  # same picture, same checksum
    assert frame_signature(b)[1] != sig_a
    assert sig_black != sig_a


def test_heartbeat_written_atomically_when_due(tmp_path: Path) -> None:
    hb = Heartbeat(tmp_path / "sub" / "hb.json", every=2.0)
    assert hb.due(0.0)
    hb.write(0.0, frame=7, luma=12.5, sig=123, dark=False)
    data = read_heartbeat(hb.path)
    assert data is not None
    assert data["frame"] == 7 and data["sig"] == 123 and data["dark"] is False
    assert isinstance(data["time"], float)
    assert not hb.due(1.9) and hb.due(2.0)
    assert list((tmp_path / "sub").iterdir()) == [hb.path]  # no temp file left behind
    hb.path.write_text("{half", encoding="utf-8")
    assert read_heartbeat(hb.path) is None
    assert read_heartbeat(tmp_path / "missing.json") is None


def test_log_rotates_and_stays_capped(tmp_path: Path) -> None:
    path = tmp_path / "nebula.log"
    log = setup_logging(path, max_bytes=2000, backups=2)
    try:
        for i in range(500):
            log.info("line %d %s", i, "x" * 40)
        files = sorted(tmp_path.iterdir())
        assert [f.name for f in files] == ["nebula.log", "nebula.log.1", "nebula.log.2"]
        assert sum(f.stat().st_size for f in files) <= 3 * 2000
        assert "line 499" in path.read_text(encoding="utf-8")
    finally:
        setup_logging(None)


def test_minute_report(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.health")
    rep = MinuteReport(log, every=60.0)
    stats = FrameStats()
    for _ in range(120):
        stats.add(1 / 60)
    with caplog.at_level(logging.INFO, logger="test.health"):
        assert rep.maybe_log(1000.0, stats, 42) is False  # starts the minute
        assert rep.maybe_log(1059.0, stats, 42) is False
        assert rep.maybe_log(1060.0, stats, 42, scale=0.85) is True
    line = caplog.records[-1].getMessage()
    assert "fps=60.0" in line and "gl_objects=42" in line and "rss_mb=" in line
    assert "frame_ms_p99=16.67" in line and "scale=0.85" in line
    assert stats.count == 0
    json.dumps(line)
