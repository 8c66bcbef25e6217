"""What the room sounds like, block by block: pure numpy (and WebRTC's voice detector), no
device, no clock; the sound comes in as float samples and the features go out.

The input is mixed to mono, its DC removed, and brought to 16 kHz. Then, for each frame of
30 ms, the analyzer gives:

- **level:** the RMS in dBFS, over a noise floor that follows the room. The floor falls at
  once to a quieter frame and rises 3 dB a second, so a steady hum becomes the floor.
- **gain:** an automatic gain from a slow peak, so a quiet room and a loud one both swing the
  same.
- **bands:** bass (20-250 Hz), mid (250-2000 Hz) and treble (2-8 kHz), each as its loudness
  relative to its own slow average (1.0 is usual, as projectM's bass/mid/treb), with a fast
  attack and a slow decay.
- **onset:** a jump in spectral flux above its recent spread.
- **voice:** WebRTC's detector agrees (aggressiveness 2: at 3 it missed a sentence at
  -22 dB), most of the frame's energy lies in speech's band (300-3400 Hz), and it is not one
  tone (a sine, mains hum).

``Phrases`` turns voiced frames into phrases: voice for at least ``min_seconds`` that ends
with ``gap`` seconds of none, accepted only if its loudness moved as syllables do (pink noise
and a sine hold steady, speech does not).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

RATE = 16000  # the analysis rate: WebRTC's detector takes 8, 16, 32 or 48 kHz
FRAME = 480  # 30 ms at 16 kHz
FFT = 512
BANDS = {"bass": (20.0, 250.0), "mid": (250.0, 2000.0), "treble": (2000.0, 8000.0)}
SPEECH_BAND = (300.0, 3400.0)
SILENCE_DB = -70.0  # below this a frame is silence, whatever the floor
FLOOR_RISE_DB_PER_S = 3.0
#: Voice needs the frame this far over the room's floor.
VOICE_OVER_FLOOR_DB = 9.0
#: Of the frame's energy, at least this share in speech's band.
SPEECH_SHARE = 0.55
#: A frame whose strongest bin holds this share of the energy is a tone, not a voice.
TONAL_SHARE = 0.45
AVERAGE_SECONDS = 4.0  # the bands' slow average
ATTACK_SECONDS, DECAY_SECONDS = 0.03, 0.35
GAIN_SECONDS = 6.0  # how slowly the automatic gain's peak falls
CLIP = 0.999


@dataclass(frozen=True)
class Features:
    """One 30 ms frame of the room."""

    db: float  # RMS in dBFS
    floor_db: float  # the room's noise floor
    level: float  # 0..1: over the floor, with the automatic gain
    bass: float
    mid: float
    treble: float
    onset: bool
    voice: bool
    clipped: bool


def _alpha(seconds: float, frame_s: float = FRAME / RATE) -> float:
    """A one-pole smoother's step for a time constant of ``seconds``."""
    return 1.0 - math.exp(-frame_s / max(seconds, 1e-6))


class Resampler:
    """Linear interpolation from ``rate`` to RATE that carries its phase across blocks
    (speech sits well under 8 kHz; the detector needs no better)."""

    def __init__(self, rate: float) -> None:
        self.step = rate / RATE
        self.pos = 0.0  # the next output sample's place in the input, from the last kept one
        self.last = 0.0

    def __call__(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        if self.step == 1.0:
            return x
        src = np.concatenate([[self.last], x]).astype(np.float32)
        n = math.floor((len(src) - 1 - self.pos) / self.step) + 1
        if n <= 0:
            self.pos -= len(x)
            self.last = float(src[-1])
            return np.zeros(0, np.float32)
        at = self.pos + self.step * np.arange(n)
        out: NDArray[np.float32] = np.interp(at, np.arange(len(src)), src).astype(np.float32)
        self.pos = at[-1] + self.step - (len(src) - 1)
        self.last = float(src[-1])
        return out


class Analyzer:
    """Features of each 30 ms frame of the sound fed to it at ``rate`` Hz; ``vad`` (16-bit
    mono PCM of one frame -> speech?) is WebRTC's by default."""

    def __init__(self, rate: float, vad: Callable[[bytes], bool] | None = None) -> None:
        self.resample = Resampler(rate)
        self.vad = vad or webrtc_vad()
        self._pending = np.zeros(0, np.float32)
        self._dc = 0.0
        self.floor_db = -60.0
        self._peak = 1e-3
        freqs = np.fft.rfftfreq(FFT, 1.0 / RATE)
        self._bins = {k: (freqs >= lo) & (freqs < hi) for k, (lo, hi) in BANDS.items()}
        self._speech = (freqs >= SPEECH_BAND[0]) & (freqs < SPEECH_BAND[1])
        self._window = np.hanning(FRAME).astype(np.float32)
        self._avg = dict.fromkeys(BANDS, 1e-8)
        self._rel = dict.fromkeys(BANDS, 1.0)
        self._last_mag: NDArray[np.float32] | None = None
        self._flux: list[float] = []
        self.frames = 0

    def feed(self, block: NDArray[np.float32]) -> list[Features]:
        """Samples as (frames,) or (frames, channels) floats in -1..1: the features of each
        whole 30 ms frame they complete."""
        x = np.asarray(block, dtype=np.float32)
        if x.ndim == 2:
            x = x.mean(axis=1)  # mono: every channel counts alike
        clipped = bool(np.any(np.abs(x) >= CLIP))
        x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
        x = self._remove_dc(x)
        self._pending = np.concatenate([self._pending, self.resample(x)])
        out = []
        while len(self._pending) >= FRAME:
            frame, self._pending = self._pending[:FRAME], self._pending[FRAME:]
            out.append(self._frame(frame, clipped))
        return out

    def _remove_dc(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        """A DC offset (a cheap interface's) taken out by a slow running mean."""
        if not len(x):
            return x
        a = 1e-3
        mean = float(x.mean())
        self._dc += (mean - self._dc) * min(1.0, a * len(x))
        return x - np.float32(self._dc)

    def _frame(self, x: NDArray[np.float32], clipped: bool) -> Features:
        self.frames += 1
        frame_s = FRAME / RATE
        rms = float(np.sqrt(np.mean(x * x)) + 1e-12)
        db = max(20.0 * math.log10(rms), -120.0)  # digital silence: a floor, not -240
        # The floor: down at once, up slowly.
        self.floor_db = min(db, self.floor_db + FLOOR_RISE_DB_PER_S * frame_s)
        self.floor_db = max(self.floor_db, -96.0)
        self._peak = max(rms, self._peak * math.exp(-frame_s / GAIN_SECONDS), 1e-4)
        over = max(0.0, db - self.floor_db)
        level = min(1.0, (rms / self._peak) * min(1.0, over / 30.0))
        mag = np.abs(np.fft.rfft(x * self._window, FFT)).astype(np.float32)
        power = mag * mag
        total = float(power.sum()) + 1e-20
        # The slow average starts as the plain mean of the frames so far: it is 1.0 from the
        # first second on, not after a long climb from nothing.
        slow = max(_alpha(AVERAGE_SECONDS), 1.0 / self.frames)
        for name, bins in self._bins.items():
            e = float(power[bins].sum())
            self._avg[name] += (e - self._avg[name]) * slow
            target = e / max(self._avg[name], 1e-12)
            rel = self._rel[name]
            k = _alpha(ATTACK_SECONDS if target > rel else DECAY_SECONDS)
            self._rel[name] = rel + (min(target, 8.0) - rel) * k
        onset = self._onset(mag, db)
        voice = False
        if db > SILENCE_DB and over >= VOICE_OVER_FLOOR_DB:
            speechy = float(power[self._speech].sum()) / total >= SPEECH_SHARE
            tonal = float(power.max()) / total >= TONAL_SHARE
            if speechy and not tonal:
                pcm = (np.clip(x, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
                voice = self.vad(pcm)
        return Features(
            db,
            self.floor_db,
            level,
            self._rel["bass"],
            self._rel["mid"],
            self._rel["treble"],
            onset,
            voice,
            clipped,
        )

    def _onset(self, mag: NDArray[np.float32], db: float) -> bool:
        """Spectral flux (the rise of each bin since the last frame) above its recent mean by
        three spreads, on a frame louder than silence."""
        last, self._last_mag = self._last_mag, mag
        if last is None:
            return False
        flux = float(np.maximum(mag - last, 0.0).sum())
        recent = self._flux[-33:]  # a second
        self._flux = [*recent, flux]
        if len(recent) < 8 or db <= SILENCE_DB:
            return False
        mean, spread = float(np.mean(recent)), float(np.std(recent))
        return flux > mean + 3.0 * spread + 1e-6


def webrtc_vad(aggressiveness: int = 2) -> Callable[[bytes], bool]:
    """WebRTC's voice activity detector on 30 ms of 16 kHz 16-bit mono."""
    import webrtcvad

    vad = webrtcvad.Vad(aggressiveness)

    def is_speech(pcm: bytes) -> bool:
        return bool(vad.is_speech(pcm, RATE))

    return is_speech


@dataclass(frozen=True)
class Phrase:
    """A phrase the room spoke: how long, how loud (0..1), and its onsets."""

    seconds: float
    loudness: float
    onsets: int


@dataclass
class Phrases:
    """Voiced frames to phrases. A phrase starts on ``start_frames`` voiced frames of the last
    ``start_window``, ends after ``gap`` seconds without voice, and counts if it lasted
    ``min_seconds`` and its loudness moved by ``min_swing_db`` (the 10th to the 90th
    percentile of its frames): syllables do, steady noise and tones do not."""

    min_seconds: float = 0.4
    gap: float = 0.35
    min_swing_db: float = 9.0
    start_frames: int = 3
    start_window: int = 5
    _recent: list[bool] = field(default_factory=list)
    _frames: list[Features] = field(default_factory=list)
    _quiet: int = 0

    @property
    def speaking(self) -> bool:
        return bool(self._frames)

    def feed(self, f: Features) -> Phrase | None:
        """One frame; the phrase it ends, if it ends one that counts."""
        frame_s = FRAME / RATE
        self._recent = ([*self._recent, f.voice])[-self.start_window :]
        if not self._frames:
            if sum(self._recent) >= self.start_frames:
                self._frames = [f]
                self._quiet = 0
            return None
        self._frames.append(f)
        self._quiet = 0 if f.voice else self._quiet + 1
        if self._quiet * frame_s < self.gap:
            return None
        frames = self._frames[: len(self._frames) - self._quiet]
        self._frames, self._quiet = [], 0
        seconds = len(frames) * frame_s
        dbs = np.array([x.db for x in frames])
        swing = float(np.percentile(dbs, 90) - np.percentile(dbs, 10)) if len(dbs) else 0.0
        if seconds < self.min_seconds or swing < self.min_swing_db:
            return None
        loudness = float(np.clip(np.mean([x.level for x in frames]) * 1.5, 0.0, 1.0))
        return Phrase(seconds, loudness, sum(x.onset for x in frames))
