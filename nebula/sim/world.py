"""World: the whole simulation, stepped in place at a fixed rate.

A frame is a function of (settings, frame time): each cycle starts fresh from (seed, cycle
index), so reaching any moment costs at most one cycle of steps, whether it is 200 s or 30 days
into the run. ``advance_to`` is how every clock drives the world; ``step`` is one fixed step.

What a player changes while it runs (parameters, shares) comes in through ``Controls``: the
world tells them each step it reaches, by its index on the run's one timeline, so a change
takes effect on a step and a replay of the same changes at the same steps is the same run.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from nebula import scene
from nebula.config import Settings
from nebula.sim import figures as figures_mod
from nebula.sim import flowers as flowers_mod
from nebula.sim import poses as poses_mod
from nebula.sim import story
from nebula.sim.particles import ParticlePool
from nebula.sim.shares import Share, ShareProcess
from nebula.sim.story import Phase
from nebula.sim.threads import ThreadWeb

BIRDS_PER_SHARE = 48
#: A voice's share: word-birds for each word (onset) it spoke.
WORD_BIRDS = 12
BIRD_SECONDS = 1.6  # words leave over this long, one small bird at a time
FLOW_PER_SECOND = 5.0  # light particles per second on a fully strong thread
LUMINANCE_STEP = 0.16  # each share lifts the plain this far towards full brightness
SPEAK_SECONDS = 4.0
#: A speaker's words rise over about this long (a time constant): the hand comes to the
#: heart, the others lean in, as a glide, never in one step.
SPEAK_RISE_SECONDS = 0.5
STEP_EPS = 1e-6  # in steps: how close to a step boundary counts as on it


class Controls(Protocol):
    """What steers the world step by step (nebula.control.timeline.Timeline): live input and
    its replay. Indices count fixed steps on the run's timeline (``World.index``)."""

    def reach(self, index: int) -> float:
        """The world stands at step ``index``: apply what takes effect there; the share rate
        for the step from it."""
        ...

    def glide(self) -> None:
        """One step of the parameters' glides (the step from the index last reached)."""
        ...

    def skip(self, start: int, stop: int) -> None:
        """The world jumps from step ``start`` to ``stop`` (a new cycle from its seed): bring
        what they steer there as if each step between had been reached and glided."""
        ...


@dataclass
class _Emitter:
    origin: int
    remaining: float
    rate: float


class World:
    """Everything that moves. Arrays are allocated once and only written in place."""

    def __init__(self, settings: Settings | None = None) -> None:
        s = settings or Settings()  # Settings refuse bad values (ranges, capacities) on creation
        self.settings = s
        self.dt = 1.0 / s.sim_hz
        #: Steps in one cycle; a cycle that is not a whole number of steps ends on the step
        #: that would pass its end (the next cycle then starts on time, within one step).
        self._cycle_steps = max(1, math.ceil(s.cycle_seconds * s.sim_hz - STEP_EPS))
        layout_rng = np.random.default_rng([s.seed, 0xC1C1E])
        self.figures = figures_mod.layout(s.figures, layout_rng)
        self.flowers = flowers_mod.field(s.flowers, self.figures["in_pos"], layout_rng)
        self.web = ThreadWeb(s.threads, s.figures + 1)
        self.pool = ParticlePool(s.particles)
        #: How much each one is saying now (a share sets it to 1, then it dies away), and how
        #: much of it shows (it follows, rising over SPEAK_RISE_SECONDS).
        self._saying = np.zeros(s.figures + 1, dtype=np.float32)
        self._talking = np.zeros(s.figures + 1, dtype=np.float32)
        self.attention = figures_mod.Attention(s.figures)
        #: The figures' bodies, posed from their records when the renderer reads ``parts``.
        self.poser = poses_mod.Poser(self.figures)
        self._pose_stale = True
        #: The eye this moment (float64 metres): a pure function of cycle time (story.approach).
        self.camera = scene.CAMERA_REST.copy()
        self._flow_credit = np.zeros(s.threads, dtype=np.float64)
        self.cycle = -1
        self.steps = 0  # fixed steps taken in the current cycle
        self._begin_cycle(0)

    # ------------------------------------------------------------------ time

    @property
    def cycle_t(self) -> float:
        return self.steps * self.dt

    @property
    def time(self) -> float:
        return self.cycle * self.settings.cycle_seconds + self.cycle_t

    @property
    def index(self) -> int:
        """This step's place on the run's timeline: cycles times their steps, plus the steps
        into this one (monotonic as the run goes forward, across cycle seams too)."""
        return self.cycle * self._cycle_steps + self.steps

    @property
    def cycle_steps(self) -> int:
        return self._cycle_steps

    def index_at(self, t: float) -> int:
        """The timeline index of the step that shows run time ``t``."""
        k, target = self._locate(t)
        return k * self._cycle_steps + target

    def offset_of(self, t: float) -> float:
        """How far run time ``t`` lies past the step that shows it (seconds, in [0, dt))."""
        k, target = self._locate(t)
        k0, ct = story.split_time(t, self.settings.cycle_seconds)
        if k != k0:  # rounded onto the next cycle's first step: t is a hair before it
            return 0.0
        return min(max(ct - target * self.dt, 0.0), self.dt)

    @property
    def phase(self) -> Phase:
        return story.phase_at(self.cycle_t, self.settings.cycle_seconds)

    def _begin_cycle(self, k: int) -> None:
        s = self.settings
        self.cycle = k
        self.steps = 0
        # Two streams: the story (who shares when, the threads' shapes) and the particles. With
        # one, how many particles a thread's light spawned moved every later share, so the
        # pool's size or a change to the light re-timed the whole cycle.
        self.story_rng = np.random.default_rng([s.seed, k, 0])
        self.rng = np.random.default_rng([s.seed, k, 1])
        self.shares = ShareProcess(s.figures, s.cycle_seconds, self.story_rng)
        self.web.clear()
        self.pool.clear()
        self.pool.prewarm_motes(0.0, self.rng, 1.0)
        self._saying[:] = 0.0
        self._talking[:] = 0.0
        self._flow_credit[:] = 0.0
        self._emitters: list[_Emitter] = []
        self.attention.clear()
        self.share_gain = 0.0  # the plain's memory of what has been shared this cycle
        self.last_share: Share | None = None
        self._update_outputs()

    def _locate(self, t: float) -> tuple[int, int]:
        """The cycle and the step into it that show run time ``t``."""
        if not math.isfinite(t) or t < 0:
            raise ValueError(f"time must be a finite number of seconds >= 0 (got {t})")
        k, ct = story.split_time(t, self.settings.cycle_seconds)
        # The tolerance absorbs float64 rounding of t = frame / fps far into a run (the ulp of
        # 30 days is ~5e-10 s), so frame k lands on the same step at any uptime.
        target = math.floor(ct * self.settings.sim_hz + STEP_EPS)
        if target >= self._cycle_steps:  # rounding put us on the next cycle's first step
            k, target = k + 1, 0
        return k, target

    def advance_to(
        self, t: float, share_rate: float = 1.0, controls: Controls | None = None
    ) -> int:
        """Step until the world shows run time t (float64 seconds); returns the steps taken.

        Moving backwards, or to another cycle, starts that cycle afresh from its seed. With
        ``controls``, each step reached is reported to them (the steps a new cycle skips too,
        so glides and changes keep their time) and their share rate replaces ``share_rate``.
        """
        k, target = self._locate(t)
        if k != self.cycle or target < self.steps:
            if controls is not None:
                controls.skip(self.index, k * self._cycle_steps)
            self._begin_cycle(k)
        n = target - self.steps
        # Moods, postures, flower light and particle positions are pure functions of the state
        # the steps leave, and nothing in the simulation reads them back: compute them for the
        # last step only.
        for i in range(n):
            rate = share_rate
            if controls is not None:
                rate = controls.reach(self.index)
                controls.glide()
            if i < n - 1:
                self._advance(self.dt, rate)
            else:
                self.step(share_rate=rate)
        if controls is not None:
            controls.reach(self.index)
        return max(n, 0)

    # ------------------------------------------------------------------ events

    def request_share(
        self,
        speaker: int = figures_mod.DREAMER,
        intensity: float | None = None,
        words: int | None = None,
    ) -> None:
        """Make ``speaker`` (default: the dreamer) share on the next step: the Space key; a
        voice heard gives its ``intensity`` and the ``words`` it spoke (a flock of word-birds
        each)."""
        birds = None if words is None else min(2 * BIRDS_PER_SHARE, WORD_BIRDS * max(1, words))
        self.shares.request(speaker, intensity, birds)

    def _apply_share(self, sh: Share) -> None:
        hearts = self.figures["in_heart"]
        for li in sh.listeners:
            self.web.weave(sh.speaker, li, sh.intensity, hearts, self.story_rng)
        self.share_gain += (1.0 - self.share_gain) * LUMINANCE_STEP * (0.6 + 0.4 * sh.intensity)
        self.attention.listen(sh.speaker, self.cycle_t)
        self._saying[sh.speaker] = 1.0
        n_birds = BIRDS_PER_SHARE * (1.0 if sh.speaker == figures_mod.DREAMER else 0.5)
        if sh.birds is not None:
            n_birds = float(sh.birds)
        self._emitters.append(_Emitter(sh.speaker, n_birds, n_birds / BIRD_SECONDS))
        self.last_share = sh

    # ------------------------------------------------------------------ step

    def step(self, dt: float | None = None, share_rate: float = 1.0) -> Share | None:
        """One fixed step (dt defaults to 1 / sim_hz). Returns the share it started, if any."""
        dt = self.dt if dt is None else dt
        if dt != self.dt:
            raise ValueError(f"the world steps at a fixed dt = 1/{self.settings.sim_hz:g} s")
        sh = self._advance(dt, share_rate)
        self._update_outputs()
        return sh

    def _advance(self, dt: float, share_rate: float) -> Share | None:
        """The step without the derived, write-only outputs (moods, postures, flower light,
        particle positions): spawns, shares, threads and every random draw happen here."""
        if self.steps + 1 >= self._cycle_steps:
            # The step that reaches the cycle's end is the next cycle's first moment, exactly
            # what advance_to gives for that time: stepping and seeking agree at the seam.
            self._begin_cycle(self.cycle + 1)
            return None
        self.steps += 1
        now = self.cycle_t
        sh = self.shares.step(now, dt, share_rate)
        if sh is not None:
            self._apply_share(sh)
        self._step_emitters(now, dt)
        self.web.step(dt)
        self._spawn_flow(now, dt)
        self.pool.spawn_motes(now, dt, self.rng, 1.0)
        self._saying *= np.float32(math.exp(-dt / SPEAK_SECONDS))
        rise = np.float32(1.0 - math.exp(-dt / SPEAK_RISE_SECONDS))
        self._talking += (self._saying - self._talking) * rise
        return sh

    def _step_emitters(self, now: float, dt: float) -> None:
        if not self._emitters:
            return
        hearts = self.figures["in_heart"]
        keep: list[_Emitter] = []
        for e in self._emitters:
            want = min(e.remaining, e.rate * dt)
            n = int(e.remaining) - int(e.remaining - want)
            e.remaining -= want
            if n > 0:
                self.pool.spawn_birds(hearts[e.origin], n, now, self.rng)
            if e.remaining > 1e-9:
                keep.append(e)
        self._emitters = keep

    def _spawn_flow(self, now: float, dt: float) -> None:
        c = self.web.count
        if c == 0:
            return
        live = self.web.active
        credit = self._flow_credit[:c]
        credit += (live["in_strength"] * live["in_grow"] * (1.0 + 3.0 * live["in_flash"])) * (
            FLOW_PER_SECOND * dt
        )
        ready = np.flatnonzero(credit >= 1.0)
        if len(ready) == 0:
            return
        credit[ready] -= 1.0
        t = live[ready]
        # Half the light runs each way: sharing goes both ways along a thread.
        back = self.rng.random(len(ready)) < 0.5
        p0 = np.where(back[:, None], t["in_p2"], t["in_p0"])
        p2 = np.where(back[:, None], t["in_p0"], t["in_p2"])
        self.pool.spawn_flow(
            p0,
            t["in_p1"],
            p2,
            t["in_hue"],
            (0.5 + 0.5 * t["in_strength"]).astype(np.float32),
            now,
            self.rng,
        )

    def _update_outputs(self) -> None:
        """What the renderer reads, derived from the state at this moment (write-only)."""
        s = self.settings
        self.pool.move_to(self.cycle_t)
        base = story.moods_at(self.cycle_t, s.cycle_seconds)
        # Shares lift the plain; the fade returns it to the arc's floor, so the seam is smooth.
        lum = base.luminance + (1.0 - base.luminance) * self.share_gain * (1.0 - base.fade)
        self.moods = dataclasses.replace(base, luminance=min(1.0, max(0.0, lum)))
        ct, cs = self.cycle_t, s.cycle_seconds
        near = story.approach(ct, cs)
        self.camera[:] = scene.camera_position(near, story.camera_sway(ct, cs))
        figures_mod.update(
            self.figures, ct, base.openness, base.haze, near, self.attention, self._talking
        )
        self._pose_stale = True  # posed only when drawn: a seek steps thousands of times
        unity = story.mood("swirl", self.cycle_t, s.cycle_seconds) * base.warmth
        flowers_mod.update(self.flowers, self.cycle_t, base.warmth, unity)

    # ------------------------------------------------------------------ views

    @property
    def parts(self) -> NDArray[np.void]:
        """The figures' solid parts at this step (nebula.sim.poses), posed on first read."""
        if self._pose_stale:
            self.poser.pose(self.figures)
            self._pose_stale = False
        return self.poser.parts

    @property
    def threads(self) -> NDArray[np.void]:
        return self.web.active

    @property
    def particles(self) -> NDArray[np.void]:
        return self.pool.data
