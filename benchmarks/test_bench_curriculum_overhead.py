"""What a curriculum costs per episode: local controller vs the owner's locked view vs a worker's proxy.

Each "episode" is one ``choose`` plus one ``update`` (what an env does per episode). The three
ways of reaching the same Thompson controller are timed in the same run, and the env's own
reset+step time on `rlvr/Math-v0` is measured beside them so the proxy's cost can be read as a
share of an episode.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from rlvr_envs.curriculum import Controller, SharedCurriculum, Thompson

from .conftest import RESULTS

EPISODES = 3_000


def _controller() -> Thompson:
    controller = Thompson(high=20)
    for level in range(8):
        for k in range(40):
            controller.update(level, float(k % (level + 2) == 0))
    return controller


def _per_episode_us(controller: Controller, episodes: int = EPISODES) -> float:
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(episodes):
        choice = controller.choose(rng)
        controller.update(choice.level, 1.0, None)
    return (time.perf_counter() - start) / episodes * 1e6


def _best(fn: Callable[[], float], repeats: int = 3) -> float:
    return min(fn() for _ in range(repeats))


def _env_episode_us(episodes: int = 300) -> float:
    env: gym.Env[Any, str] = gym.make("rlvr/Math-v0", level=2)
    start = time.perf_counter()
    for seed in range(episodes):
        env.reset(seed=seed)
        env.step("\\boxed{0}")
    env.close()
    return (time.perf_counter() - start) / episodes * 1e6


def test_bench_curriculum_overhead() -> None:
    local = _best(lambda: _per_episode_us(_controller()))
    with SharedCurriculum(_controller()) as shared:
        locked = _best(lambda: _per_episode_us(shared.local))
        remote = _best(lambda: _per_episode_us(shared.client()))
    episode = _best(_env_episode_us)
    rows = [
        ("local controller (choose + update)", local, 1.0),
        ("owner's locked view (SharedCurriculum.local)", locked, locked / local),
        ("worker proxy (RemoteController, Unix socket)", remote, remote / local),
        ("for scale: one Math-v0 episode (reset + step, level 2)", episode, episode / local),
    ]
    lines = [
        "# Curriculum overhead per episode",
        "",
        '`make bench` (`pytest benchmarks -q -s -o addopts=""`), file '
        "`benchmarks/test_bench_curriculum_overhead.py`; Thompson controller with 8 levels of evidence.",
        "",
        "| path | µs per episode | × local |",
        "|---|---:|---:|",
        *[f"| {name} | {us:.1f} | {ratio:.1f} |" for name, us, ratio in rows],
        "",
        f"The proxy adds {remote - local:.0f} µs per episode, {100 * (remote - local) / episode:.1f}% of a "
        "Math-v0 episode's own time.",
    ]
    (RESULTS / "curriculum_overhead.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    assert remote < episode, "the shared curriculum must cost less than the episode it schedules"
