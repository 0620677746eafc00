"""Env steps per second on `rlvr/Math-v0`: SyncVectorEnv vs AsyncVectorEnv vs `RayEnvPool`, one run.

Every backend runs the same 4 envs at level 2 with gymnasium's ``SAME_STEP`` autoreset (what the
Ray pool does), so one vector step is 4 finished episodes (reset + answer + verdict) in all of
them. The action is a fixed wrong answer, so the verifier's work is the same everywhere and no
policy time is counted. Ray's start-up is timed separately and excluded. Ratios are to the
SyncVectorEnv measured in the same run.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import pytest

import rlvr_envs

from .conftest import RESULTS, machine_lines, publish

ENV_ID, LEVEL, NUM_ENVS, SECONDS = "rlvr/Math-v0", 2, 4, 4.0
ACTIONS = tuple(["\\boxed{0}"] * NUM_ENVS)


def _steps_per_s(step: Callable[[], Any], seconds: float = SECONDS) -> float:
    """Env steps per second (vector steps x NUM_ENVS) over ``seconds`` after a short warm-up."""
    for _ in range(20):
        step()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        count += 1
    return count * NUM_ENVS / (time.perf_counter() - start)


def _vector(kind: str) -> gym.vector.VectorEnv[Any, Any, Any]:
    fns = [functools.partial(rlvr_envs.make, ENV_ID, level=LEVEL) for _ in range(NUM_ENVS)]
    mode = gym.vector.AutoresetMode.SAME_STEP
    if kind == "sync":
        return gym.vector.SyncVectorEnv(fns, autoreset_mode=mode)
    return gym.vector.AsyncVectorEnv(fns, autoreset_mode=mode)


def test_bench_vector_backends(request: pytest.FixtureRequest) -> None:
    ray = pytest.importorskip("ray")
    from rlvr_envs.integrations.ray_pool import RayEnvPool

    rows: list[tuple[str, float]] = []
    for kind in ("sync", "async"):
        vec = _vector(kind)
        vec.reset(seed=0)
        rows.append(
            (
                f"{'Sync' if kind == 'sync' else 'Async'}VectorEnv (4 envs, {kind})",
                _steps_per_s(lambda v=vec: v.step(ACTIONS)),
            )
        )
        vec.close()
    start = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray_start = time.perf_counter() - start
    try:
        for workers, per_worker, shared in ((4, 1, False), (2, 2, False), (2, 2, True)):
            kwargs: dict[str, Any] = {} if shared else {"level": LEVEL}
            curriculum = {"kind": "fixed", "level": LEVEL} if shared else None
            with RayEnvPool(
                ENV_ID, workers, envs_per_worker=per_worker, num_cpus=0.5, curriculum=curriculum, **kwargs
            ) as pool:
                pool.reset(seed=0)
                label = f"RayEnvPool ({workers} actors x {per_worker} envs{', curriculum actor' if shared else ''})"
                rows.append((label, _steps_per_s(lambda p=pool: p.step(ACTIONS))))
    finally:
        ray.shutdown()
    base = rows[0][1]
    lines = [
        "# Env steps per second: vector envs vs the Ray pool",
        "",
        '`make bench` (`pytest benchmarks/test_bench_integrations.py -q -s -o addopts=""`); '
        f"`{ENV_ID}` level {LEVEL}, {NUM_ENVS} envs, SAME_STEP autoreset, fixed wrong answer, {SECONDS:.0f} s per row.",
        *machine_lines(),
        f"- local Ray start-up (excluded): {ray_start:.1f} s",
        "",
        "| backend | env steps/s | x SyncVectorEnv |",
        "|---|---:|---:|",
        *[f"| {name} | {rate:,.0f} | {rate / base:.2f} |" for name, rate in rows],
        "",
    ]
    publish(request.config, RESULTS / "integrations.md", "\n".join(lines))
    assert all(rate > 0 for _, rate in rows)
