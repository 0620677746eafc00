"""EcomDialogue-v0 timings (targets: generation median <= 20 ms at level 5; a 10-turn oracle episode <= 30 ms).

Measured side by side in one run, median milliseconds over fresh seeds (every round builds a new world):

- **generate**: `EcomFamily.generate` (base world, scenario setup with distractors, goal, opening message)
  at levels 0, 5 and 10;
- **10-turn oracle episode**: the oracle's 10 steps of a multi-intent task whose oracle needs exactly 10
  turns (world cached, as in a live episode), and the same with a cold reset (world rebuilt from the seeds);
- baselines: `rlvr/Math-v0` generation at level 5, a Math-v0 oracle episode (reset + step), and a bare
  copy of a level-5 shop database (`ShopDB(world)`), so the ratios say what the shop costs.

Run: ``.venv/bin/pytest benchmarks/test_bench_ecommerce.py -o addopts="" -s`` (add ``--benchmark-disable``
for a quick run). The table is printed and written to ``benchmarks/results/ecommerce.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import rlvr_envs
from rlvr_envs.policies import oracle, run_episode
from rlvr_envs.tasks.ecommerce import EcomFamily
from rlvr_envs.tasks.ecommerce.agents import oracle_action
from rlvr_envs.tasks.ecommerce.db import ShopDB

from .conftest import RESULTS, machine_lines, median_ms, publish

ROUNDS = 31
TARGET_GENERATE_MS = 20.0
TARGET_EPISODE_MS = 30.0
_rows: dict[str, float] = {}


def _generate(family: Any, level: int) -> Callable[[int], Callable[[], Any]]:
    def make_run(seed: int) -> Callable[[], Any]:
        rng = np.random.default_rng(np.random.SeedSequence([seed, level, 77]))
        return lambda: family.generate(rng, level, task_id=f"bench:{level}:{seed}")

    return make_run


def _ten_turn_tasks(count: int) -> list[Any]:
    """Multi-intent tasks whose oracle episode takes exactly 10 turns."""
    env = rlvr_envs.make("rlvr/EcomDialogue-v0", scenarios=["multi_intent"])
    tasks = []
    for seed in range(2000):
        record = run_episode(env, oracle(env), seed=seed, options={"level": 8})
        if record.turns == 10 and record.reward == 1.0:
            tasks.append(rlvr_envs.unwrap(env).task)
            if len(tasks) == count:
                return tasks
    raise RuntimeError("too few 10-turn oracle episodes")


@pytest.fixture(scope="module", autouse=True)
def _report(pytestconfig: pytest.Config) -> Iterator[None]:
    yield
    if _rows:
        publish(pytestconfig, RESULTS / "ecommerce.md", _render())


def _render() -> str:
    math_gen = _rows.get("Math-v0 generate, level 5")
    copy = _rows.get("bare ShopDB copy, level 5")
    math_ep = _rows.get("Math-v0 oracle episode (reset + 1 step)")
    lines = [
        "# EcomDialogue-v0 timings",
        "",
        "Median milliseconds over fresh seeds, measured side by side by `benchmarks/test_bench_ecommerce.py`.",
        f"Targets: generation at level 5 <= {TARGET_GENERATE_MS:.0f} ms; a 10-turn oracle episode "
        f"<= {TARGET_EPISODE_MS:.0f} ms.",
        "",
        *machine_lines(),
        "",
        "| measurement | median ms | vs Math-v0 generate | vs Math-v0 episode | vs bare ShopDB copy |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, value in _rows.items():
        ratios = [f"{value / base:.1f}x" if base else "-" for base in (math_gen, math_ep, copy)]
        lines.append(f"| {name} | {value:.3f} | " + " | ".join(ratios) + " |")
    lines.append("")
    return "\n".join(lines)


def test_generation_and_ten_turn_episode(benchmark: Any) -> None:
    family = EcomFamily()
    math_family = rlvr_envs.unwrap(rlvr_envs.make("rlvr/Math-v0")).family
    _rows["Math-v0 generate, level 5"] = median_ms(_generate(math_family, 5), ROUNDS)
    for level in (0, 5, 10):
        _rows[f"EcomDialogue generate, level {level}"] = median_ms(_generate(family, level), ROUNDS)

    world = family.new_episode(family.generate(np.random.default_rng(1), 5, task_id="bench:5:1")).world
    _rows["bare ShopDB copy, level 5"] = median_ms(lambda seed: lambda: ShopDB(world), 101)

    math_env = rlvr_envs.make("rlvr/Math-v0")

    def math_episode(seed: int) -> Callable[[], Any]:
        def run() -> None:
            math_env.reset(seed=seed, options={"level": 5})
            math_env.step(rlvr_envs.unwrap(math_env).oracle_action())

        return run

    _rows["Math-v0 oracle episode (reset + 1 step)"] = median_ms(math_episode, ROUNDS)

    tasks = _ten_turn_tasks(11)
    env = rlvr_envs.make("rlvr/EcomDialogue-v0", scenarios=["multi_intent"])
    inner = rlvr_envs.unwrap(env)

    def steps_only(seed: int) -> Callable[[], Any]:
        env.reset(options={"task": tasks[seed % len(tasks)]})
        inner.family.new_episode(inner.task)  # warm the world cache, as a live episode has it from reset

        def run() -> None:
            for _ in range(10):
                env.step(inner.oracle_action())

        return run

    def cold(seed: int) -> Callable[[], Any]:
        task = tasks[seed % len(tasks)]

        def run() -> None:
            inner.family._worlds.clear()
            env.reset(options={"task": task})
            for _ in range(10):
                env.step(inner.oracle_action())

        return run

    _rows["10-turn oracle episode: 10 steps (level 8, multi-intent)"] = median_ms(steps_only, 11)
    _rows["10-turn oracle episode: cold reset + 10 steps"] = median_ms(cold, 11)

    seeds = iter(range(10**6))
    benchmark.group = "ecommerce"
    benchmark.pedantic(  # type: ignore[no-untyped-call]
        lambda: _generate(family, 5)(next(seeds))(), rounds=ROUNDS, warmup_rounds=1, iterations=1
    )
    assert _rows["EcomDialogue generate, level 5"] <= TARGET_GENERATE_MS
    assert _rows["10-turn oracle episode: 10 steps (level 8, multi-intent)"] <= TARGET_EPISODE_MS
    assert oracle_action  # the oracle used above is the family's
