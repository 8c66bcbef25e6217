"""One preallocated particle pool: motes drifting over the plain, word-birds rising from a
speaker's heart, and light flowing along threads.

Field names are the shader's attribute names; the renderer uploads the array as it is. Every
particle moves with constant acceleration from its birth, so its position is a closed form of
its age: pos = p0 + v0 tau + a tau^2 / 2 with tau = now - birth, which for flow particles traces
the thread's quadratic Bezier exactly. ``move_to(now)`` writes that position for the whole pool;
it depends only on what each particle was born with and on ``now``, never on the steps before, so
the world computes it once at the end of a seek instead of at every step on the way (a frame
30 days in costs what a frame 200 s in costs, and both cost little). ``in_vel`` is the velocity
at birth; ``p0`` lives beside the records (12 bytes a particle), as the shaders do not need it.
Age is not stepped either: the shader derives age and fade from ``in_birth``. Spawning writes
into a ring: the oldest slot goes first.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from nebula import scene

KIND_MOTE, KIND_BIRD, KIND_FLOW = 0.0, 1.0, 2.0

PARTICLE_DTYPE = np.dtype(
    [
        ("in_pos", np.float32, 3),
        ("in_vel", np.float32, 3),  # velocity at birth
        ("in_acc", np.float32, 3),
        ("in_birth", np.float32),  # seconds into the cycle; the shader's age = u_cycle_t - birth
        ("in_life", np.float32),  # seconds; 0 for a slot never used
        ("in_size", np.float32),
        ("in_kind", np.float32),
        ("in_seed", np.float32),
        ("in_hue", np.float32),  # colour offset in turns (flow light takes its thread's hue)
        ("in_bright", np.float32),  # brightness multiplier
    ]
)
assert PARTICLE_DTYPE.itemsize == 64

#: Motes live this long on average; the spawn rate keeps a steady share of the pool alive.
MOTE_LIFE = (9.0, 16.0)
MOTE_SHARE = 0.55  # of the pool, in steady state
#: The nearest motes float this far ahead of the resting eye (metres).
MOTES_AHEAD = 5.4
BIRD_LIFE = (3.5, 6.0)
FLOW_LIFE = (2.4, 4.0)
#: Records per block of the step: 8192 x 64 B = 512 KiB, which stays in a 1 MiB L2 cache.
CHUNK = 8192


class ParticlePool:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.data = np.zeros(capacity, dtype=PARTICLE_DTYPE)
        self.head = 0  # next slot to write
        #: Where each particle was at its birth (p0): the records hold its position now.
        self.origin = np.zeros((capacity, 3), dtype=np.float32)
        # move_to runs over blocks of CHUNK records, each seen as (3, n) float32 arrays (x, y, z
        # rows) iterated along the particles: the block stays in cache across the ufunc calls,
        # and numpy's inner loops are long. A plain (n, 3) view would iterate 3 floats at a
        # time, several times slower. Views and scratch are made once, here.
        flat = self.data.view(np.float32).reshape(capacity, PARTICLE_DTYPE.itemsize // 4)
        m = min(capacity, CHUNK)
        self._tmp = np.zeros((3, m), dtype=np.float32)
        self._tau = np.zeros(m, dtype=np.float32)
        self._htau = np.zeros(m, dtype=np.float32)
        self._chunks = []
        for a in range(0, capacity, CHUNK):
            n = min(CHUNK, capacity - a)
            rec = flat[a : a + n]
            self._chunks.append(
                (
                    rec[:, 0:3].T,  # pos
                    rec[:, 3:6].T,  # v0
                    rec[:, 6:9].T,  # acc
                    rec[:, 9],  # birth
                    self.origin[a : a + n].T,
                    self._tmp[:, :n],
                    self._tau[:n],
                    self._htau[:n],
                )
            )
        self._mote_credit = 0.0

    @property
    def nbytes(self) -> int:
        """All the pool's state: the records the renderer uploads and the birth positions."""
        return int(self.data.nbytes + self.origin.nbytes)

    def clear(self) -> None:
        self.data[:] = 0
        self.origin[:] = 0
        self.head = 0
        self._mote_credit = 0.0

    def alive(self, cycle_t: float) -> int:
        d = self.data
        return int(np.count_nonzero((d["in_life"] > 0) & (cycle_t - d["in_birth"] < d["in_life"])))

    def _claim(self, n: int) -> tuple[NDArray[np.void], NDArray[np.intp] | slice]:
        """A zeroed block for up to n new particles and the ring slots it goes to (the oldest,
        from head on). Fill the block, then ``_commit`` it: a block that wraps round the end of
        the ring is two runs of slots, and fancy indexing would hand back a copy, not a view."""
        n = min(n, self.capacity)
        h = self.head
        self.head = (h + n) % self.capacity if self.capacity else 0
        block = np.zeros(n, dtype=PARTICLE_DTYPE)
        if h + n <= self.capacity:
            return block, slice(h, h + n)
        wrapped = np.concatenate([np.arange(h, self.capacity), np.arange(0, h + n - self.capacity)])
        return block, wrapped

    def _commit(self, block: NDArray[np.void], slots: NDArray[np.intp] | slice) -> None:
        """Write a filled block into its slots; its in_pos is where each particle was born."""
        self.origin[slots] = block["in_pos"]
        self.data[slots] = block

    def move_to(self, now: float) -> None:
        """Every particle's position at cycle time ``now``, in place:
        pos = p0 + tau (v0 + a tau / 2), tau = now - birth (float32, as the shader's age)."""
        t = np.float32(now)
        mul, add = np.multiply, np.add
        for pos, vel, acc, birth, p0, tmp, tau, htau in self._chunks:
            np.subtract(t, birth, out=tau)
            mul(tau, np.float32(0.5), out=htau)
            mul(acc, htau, out=tmp, order="C")  # order="C": iterate along particles
            add(tmp, vel, out=tmp, order="C")
            mul(tmp, tau, out=tmp, order="C")
            add(p0, tmp, out=pos, order="C")

    # ---------------------------------------------------------------- spawning

    def spawn_motes(self, now: float, dt: float, rng: np.random.Generator, density: float) -> None:
        mean_life = 0.5 * (MOTE_LIFE[0] + MOTE_LIFE[1])
        self._mote_credit += self.capacity * MOTE_SHARE * density * dt / mean_life
        n = int(self._mote_credit)
        if n <= 0:
            return
        self._mote_credit -= n
        self._write_motes(n, now, rng, age=None)

    def prewarm_motes(self, now: float, rng: np.random.Generator, density: float) -> None:
        """Fill the pool as if motes had been drifting for a while: a cycle never opens empty."""
        n = int(self.capacity * MOTE_SHARE * density)
        if n > 0:
            self._write_motes(n, now, rng, age=rng.uniform(0.0, MOTE_LIFE[0], n))

    def _write_motes(
        self,
        n: int,
        now: float,
        rng: np.random.Generator,
        age: NDArray[np.float64] | None,
    ) -> None:
        p, slots = self._claim(n)
        n = len(p)
        if age is not None:
            age = age[:n]
        # Scattered through the air over the plain the camera sees, denser far away: from
        # MOTES_AHEAD metres ahead of where the eye rests, never at the lens (a mote there is
        # a blot as large as the frame allows, and the most costly thing drawn).
        depth = rng.power(0.6, n) * 70.0
        z = scene.CAMERA_REST[2] - MOTES_AHEAD - depth
        x = rng.uniform(-1.0, 1.0, n) * (4.0 + (2.0 + depth) * 1.1)
        y = rng.uniform(0.05, 1.0, n) ** 1.6 * (1.5 + (2.0 + depth) * 0.35)
        vel = rng.normal(0.0, 0.08, (n, 3))
        vel[:, 1] += 0.05
        acc = rng.normal(0.0, 0.01, (n, 3))
        pos = np.stack([x, y, z], axis=1)
        # Prewarmed motes were born ``age`` ago: move_to places them where they are by now.
        p["in_birth"] = now if age is None else now - age
        p["in_pos"], p["in_vel"], p["in_acc"] = pos, vel, acc
        p["in_life"] = rng.uniform(*MOTE_LIFE, n)
        p["in_size"] = rng.uniform(0.02, 0.06, n)
        p["in_kind"] = KIND_MOTE
        p["in_seed"] = rng.random(n)
        p["in_hue"] = rng.random(n)
        p["in_bright"] = rng.uniform(0.3, 1.0, n)
        self._commit(p, slots)

    def spawn_birds(
        self, origin: NDArray[np.float32], n: int, now: float, rng: np.random.Generator
    ) -> None:
        """Word-birds: small fragile lights that flutter up and away from a speaker's heart."""
        p, slots = self._claim(n)
        m = len(p)
        p["in_pos"] = origin + rng.normal(0.0, 0.06, (m, 3))
        ang = rng.uniform(0.0, 2.0 * np.pi, m)
        spread = rng.uniform(0.2, 0.9, m)
        vel = np.stack([np.cos(ang) * spread, rng.uniform(0.6, 1.4, m), np.sin(ang) * spread], 1)
        p["in_vel"] = vel
        p["in_acc"] = np.stack([np.zeros(m), rng.uniform(0.05, 0.25, m), np.zeros(m)], 1)
        p["in_birth"] = now
        p["in_life"] = rng.uniform(*BIRD_LIFE, m)
        p["in_size"] = rng.uniform(0.05, 0.09, m)
        p["in_kind"] = KIND_BIRD
        p["in_seed"] = rng.random(m)
        p["in_hue"] = rng.random(m)
        p["in_bright"] = 1.0
        self._commit(p, slots)

    def spawn_flow(
        self,
        p0: NDArray[np.float32],
        p1: NDArray[np.float32],
        p2: NDArray[np.float32],
        hue: NDArray[np.float32],
        bright: NDArray[np.float32],
        now: float,
        rng: np.random.Generator,
    ) -> None:
        """Light flowing along threads: one particle per row of (p0, p1, p2) control points.

        Constant acceleration 2 (p0 - 2 p1 + p2) / T^2 from velocity 2 (p1 - p0) / T traces the
        quadratic Bezier from p0 to p2 in T seconds.
        """
        n = len(p0)
        if n == 0:
            return
        p, slots = self._claim(n)
        m = len(p)
        life = rng.uniform(*FLOW_LIFE, m)
        t = life[:, None]
        p["in_pos"] = p0[:m]
        p["in_vel"] = 2.0 * (p1[:m] - p0[:m]) / t
        p["in_acc"] = 2.0 * (p0[:m] - 2.0 * p1[:m] + p2[:m]) / (t * t)
        p["in_birth"] = now
        p["in_life"] = life
        p["in_size"] = rng.uniform(0.03, 0.06, m)
        p["in_kind"] = KIND_FLOW
        p["in_seed"] = rng.random(m)
        p["in_hue"] = hue[:m]
        p["in_bright"] = bright[:m]
        self._commit(p, slots)
