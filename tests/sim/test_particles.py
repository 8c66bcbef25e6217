"""The particle pool: preallocated, stepped in place, exact along threads, bounded."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

from nebula.config import Settings, min_particles, thread_pairs
from nebula.sim import world as world_mod
from nebula.sim.particles import FLOW_LIFE, KIND_BIRD, KIND_FLOW, PARTICLE_DTYPE, ParticlePool
from nebula.sim.threads import THREAD_DTYPE
from nebula.sim.world import World

#: The shader attribute names the renderer binds by: renaming one breaks the GPU side.
PARTICLE_FIELDS: tuple[str, ...] = ("in_pos", "in_vel", "in_acc", "in_birth", "in_life")
PARTICLE_FIELDS += ("in_size", "in_kind", "in_seed", "in_hue", "in_bright")


def test_particle_dtype_is_the_shader_contract() -> None:
    assert PARTICLE_DTYPE.names == PARTICLE_FIELDS
    assert PARTICLE_DTYPE.itemsize == 64
    assert all(PARTICLE_DTYPE[n].base == np.float32 for n in PARTICLE_FIELDS)
    assert all(THREAD_DTYPE[n].base == np.float32 for n in THREAD_DTYPE.names or ())


def test_count_never_exceeds_capacity() -> None:
    s = Settings(seed=2, particles=min_particles(8), flowers=0, sim_hz=20.0)
    w = World(s)
    w.advance_to(95.0)
    for k in range(600):
        if k % 10 == 0:
            w.request_share(k % 9)  # far more light and birds than a cycle makes
        w.step(share_rate=3.0)
        assert len(w.particles) == s.particles
        assert 0 <= w.pool.head < s.particles
        assert w.pool.alive(w.cycle_t) <= s.particles
    assert w.pool.alive(w.cycle_t) > 0.5 * s.particles
    pool = ParticlePool(100)
    pool.spawn_birds(np.zeros(3, np.float32), 250, 1.0, np.random.default_rng(0))
    assert pool.alive(1.0) == 100
    assert (pool.data["in_kind"] == KIND_BIRD).all()


def test_min_particles_covers_what_the_sim_spawns() -> None:
    flows = world_mod.FLOW_PER_SECOND * 4.0 * FLOW_LIFE[1]  # a fresh share's flash: x4
    need = thread_pairs(8) * flows + 2 * world_mod.BIRDS_PER_SHARE
    assert min_particles(8) >= need


def test_step_is_in_place_and_views_are_contiguous() -> None:
    w = World(Settings(particles=4000, flowers=300))
    arrays = (w.particles, w.pool.origin, w.figures, w.flowers, w.web.data)
    addresses = [a.ctypes.data for a in arrays]
    w.advance_to(120.0)
    now = (w.particles, w.pool.origin, w.figures, w.flowers, w.web.data)
    assert [a.ctypes.data for a in now] == addresses
    for view in (w.particles, w.figures, w.flowers, w.threads):
        assert view.flags.c_contiguous
    assert w.threads.ctypes.data == w.web.data.ctypes.data  # a prefix of the one array
    assert np.shares_memory(w.particles, w.pool.data)


def test_flow_light_traces_its_thread_exactly() -> None:
    pool = ParticlePool(8)
    rng = np.random.default_rng(1)
    p0 = np.array([[0.0, 1.2, -2.0]], np.float32)
    p1 = np.array([[1.5, 3.0, -5.0]], np.float32)
    p2 = np.array([[3.0, 1.3, -9.0]], np.float32)
    pool.spawn_flow(p0, p1, p2, np.zeros(1, np.float32), np.ones(1, np.float32), 0.0, rng)
    life = float(pool.data["in_life"][0])
    dt = 1 / 60
    n = round(life / dt)
    for k in range(1, n + 1):
        pool.move_to(k * dt)
        s = k * dt / life  # the Bezier parameter at this moment
        want = (1 - s) ** 2 * p0[0] + 2 * s * (1 - s) * p1[0] + s * s * p2[0]
        assert np.abs(pool.data["in_pos"][0] - want).max() < 1e-4 * (1 + k * dt)
    assert pool.data["in_kind"][0] == KIND_FLOW


def test_pool_holds_all_three_kinds_during_speaking() -> None:
    w = World(Settings(seed=0, particles=4000, flowers=0, sim_hz=20.0))
    w.advance_to(80.0)
    d = w.particles
    alive = (d["in_life"] > 0) & (w.cycle_t - d["in_birth"] < d["in_life"])
    kinds = set(np.unique(d["in_kind"][alive]).tolist())
    assert kinds == {0.0, 1.0, 2.0}


def test_a_spawn_that_wraps_round_the_ring_lands_in_both_ends() -> None:
    pool = ParticlePool(10)
    rng = np.random.default_rng(0)
    pool.head = 8
    pool.spawn_birds(np.zeros(3, np.float32), 4, 1.0, rng)
    assert pool.head == 2
    kinds = pool.data["in_kind"]
    assert (kinds[[8, 9, 0, 1]] == KIND_BIRD).all()
    assert (pool.data["in_life"][[8, 9, 0, 1]] > 0).all()
    assert (pool.data["in_life"][2:8] == 0).all()
    pool.spawn_motes(2.0, 40.0, rng, 1.0)  # 40 s of motes at once: more than the pool holds
    assert (pool.data["in_life"] > 0).all()
    assert pool.alive(2.0) == 10


@pytest.mark.slow
def test_steps_keep_no_memory_once_warm() -> None:
    """The bench's alloc figure as a test: a leak of one small object per step fails it."""
    w = World(Settings(seed=0, particles=4000, flowers=0))
    w.advance_to(118.0)
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(1000):
            w.step()
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (after - before) / 1000 <= 64


def test_positions_are_a_function_of_birth_and_now() -> None:
    """move_to is the closed form of constant acceleration: what seeking relies on."""
    w = World(Settings(seed=3, particles=4000, flowers=0, sim_hz=20.0))
    w.advance_to(85.0)
    d = w.particles.copy()
    tau = (np.float32(w.cycle_t) - d["in_birth"]).astype(np.float64)[:, None]
    p0 = w.pool.origin.astype(np.float64)
    want = p0 + d["in_vel"] * tau + 0.5 * d["in_acc"] * tau * tau
    used = d["in_life"] > 0
    assert used.sum() > 3000
    assert np.abs(d["in_pos"][used] - want[used]).max() < 1e-3
    w.pool.move_to(w.cycle_t)  # idempotent: nothing accumulates
    assert w.particles.tobytes() == d.tobytes()
