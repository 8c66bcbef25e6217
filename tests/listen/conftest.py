"""The listening tests' material: sentences spoken by espeak-ng, tones and noise made here, and
JACK clients that are not ours playing them into a JACK dummy server (tests/conftest.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

PLAYER = Path(__file__).with_name("player.py")
SENTENCES = (
    "As I draw nearer, their features coalesce, revealing the faces of people I know and love.",
    "Each of them shares, and threads of light weave between us.",
    "I tell them what I saw in the dream.",
)


def read_wav(path: Path) -> tuple[NDArray[np.float32], int]:
    with wave.open(str(path)) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768.0
        return x, w.getframerate()


def write_wav(path: Path, x: NDArray[np.float32], rate: int) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The sentences as WAV files, spoken by espeak-ng (22050 Hz mono)."""
    assert shutil.which("espeak-ng"), "espeak-ng is missing: run scripts/setup.sh"
    folder = tmp_path_factory.mktemp("speech")
    out = []
    for k, text in enumerate(SENTENCES):
        path = folder / f"sentence{k}.wav"
        subprocess.run(["espeak-ng", "-w", str(path), text], check=True, timeout=60)
        out.append(path)
    return out


def play(
    name: str, wav: Path, *, gain: float = 1.0, delay: float = 0.0, seconds: float | None = None
) -> subprocess.Popen[str]:
    cmd = [sys.executable, str(PLAYER), name, str(wav), "--gain", str(gain), "--delay", str(delay)]
    if seconds is not None:
        cmd += ["--seconds", str(seconds)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert p.stdout is not None
    line = p.stdout.readline()
    assert "playing" in line, line
    return p
