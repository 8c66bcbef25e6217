"""What the piece makes of what it hears: ``Ear`` takes each frame's features (nebula.listen
.analysis) and posts events, as a key, OSC or MIDI would, through the show's one door:

- **a phrase spoken is a share from the dreamer**, its intensity from its loudness and length,
  its words (onsets) a flock of word-birds each, at most one every ``min_gap`` seconds (the
  arc's own shares keep their timing: a requested share is one more, not one of theirs);
- **the bands and the level move parameters** around the value they have, by ``depth`` per
  unit of swing, smoothed, within the parameter's range, at most ``rate`` events a second;
  a parameter someone else moved (a key, OSC, MIDI, a preset) becomes the new centre after
  ``hold`` seconds left alone, as a MIDI knob's pickup waits for the hand.

No device here, no GL: features in, events out, the time passed in. ``Ear`` is fed from the
audio thread and told of the show's events from the frame's, so it keeps a lock.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping

from nebula.config import PARAMS_BY_NAME
from nebula.control.events import Event
from nebula.listen.analysis import FRAME, RATE, Features, Phrases
from nebula.listen.mapping import ListenMap

SOURCE = "listen"
#: A parameter's event is sent when it would move by this share of its range.
MIN_STEP = 0.002
METER_WIDTH = 12


class Ear:
    def __init__(
        self,
        mapping: ListenMap,
        post: Callable[[Event], object],
        wanted: Callable[[], Mapping[str, float]],
    ) -> None:
        self.map = mapping
        self.post = post
        self.phrases = Phrases(min_seconds=mapping.min_phrase)
        self._lock = threading.Lock()
        targets = wanted()
        #: Each moved parameter's centre: its value as whoever else set it last had it.
        self.centre = {m.param: float(targets[m.param]) for m in mapping.moves}
        self._held_until = dict.fromkeys(self.centre, -math.inf)
        self._smooth = {m.param: (1.0 if m.feature != "level" else 0.0) for m in mapping.moves}
        self._sent = dict(self.centre)
        self._sent_at = dict.fromkeys(self.centre, -math.inf)
        self.last_share = -math.inf
        self.shares = 0  # phrases that became shares
        self.spaced = 0  # phrases too soon after the last share: heard, not shared
        self.frames = 0
        self.last: Features | None = None

    # ------------------------------------------------------------------ the audio thread

    def hear(self, features: list[Features], now: float) -> None:
        """Frames of features, the last ending at ``now`` (seconds, monotonic)."""
        frame_s = FRAME / RATE
        with self._lock:
            for k, f in enumerate(features):
                t = now - (len(features) - 1 - k) * frame_s
                self.frames += 1
                self.last = f
                self._phrase(f, t)
                self._move(f, frame_s)
            self._send_moves(now)

    def _phrase(self, f: Features, t: float) -> None:
        phrase = self.phrases.feed(f)
        if phrase is None:
            return
        if t - self.last_share < self.map.min_gap:
            self.spaced += 1
            return
        self.last_share = t
        self.shares += 1
        intensity = self.map.intensity(phrase.loudness, phrase.seconds)
        self.post(Event(SOURCE, "share", {"intensity": intensity, "words": phrase.onsets}))

    def _move(self, f: Features, frame_s: float) -> None:
        for m in self.map.moves:
            x = f.level if m.feature == "level" else getattr(f, m.feature)
            k = 1.0 - math.exp(-frame_s / max(m.smoothing, frame_s))
            self._smooth[m.param] += (x - self._smooth[m.param]) * k

    def _send_moves(self, now: float) -> None:
        for m in self.map.moves:
            p = m.param
            if now < self._held_until[p] or now - self._sent_at[p] < 1.0 / self.map.rate:
                continue
            spec = PARAMS_BY_NAME[p]
            swing = self._smooth[p] - (0.0 if m.feature == "level" else 1.0)
            value = min(spec.hi, max(spec.lo, self.centre[p] + m.depth * swing))
            if abs(value - self._sent[p]) < MIN_STEP * (spec.hi - spec.lo):
                continue
            self._sent[p], self._sent_at[p] = value, now
            self.post(Event(SOURCE, f"param:{p}", round(value, 5)))

    # ------------------------------------------------------------------ the frame's thread

    def heard_event(self, ev: Event, wanted: Mapping[str, float], now: float) -> None:
        """An event the show applied: one that moved a parameter of ours and was not ours
        makes its value the new centre, left alone for ``hold`` seconds."""
        if ev.source == SOURCE:
            return
        moved = {ev.param} if ev.param else set(self.centre) if ev.target in (
            "preset", "reset", "settle") else set()  # fmt: skip
        with self._lock:
            for p in moved & set(self.centre):
                self.centre[p] = self._sent[p] = float(wanted[p])
                self._held_until[p] = now + self.map.hold

    def meter(self) -> str:
        """The HUD's line: a level meter, the level in dB, and whether a voice is heard."""
        with self._lock:
            f = self.last
            speaking = self.phrases.speaking
        if f is None:
            return "listen: waiting for sound"
        n = round(f.level * METER_WIDTH)
        bar = "#" * n + "-" * (METER_WIDTH - n)
        voice = "  VOICE" if speaking else ""
        clip = "  CLIP" if f.clipped else ""
        return f"listen [{bar}] {f.db:5.1f} dB{voice}{clip}  shares {self.shares}"
