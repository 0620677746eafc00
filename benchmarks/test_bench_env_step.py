"""`RLVREnv.step` overhead with the family's own cost excluded (target <= 50 us per step).

A no-op family makes `respond` nearly free; we time (a) the family hook called directly and
(b) a full `RLVREnv.step` on the same family, in the same run, and report the difference (the
env's own overhead) plus the overhead of `gym.make`'s default wrappers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

from rlvr_envs import EpisodeState, Feedback, RLVREnv, Task, TaskFamily, Verdict
from rlvr_envs.core.family import Transcript

from .conftest import RESULTS

STEPS = 20_000


class NoOp(TaskFamily):
    name = "noop"

    def generate(self, rng: np.random.Generator, level: int, *, task_id: str) -> Task:
        return Task(task_id=task_id, family=self.name, level=level, prompt="p")

    def respond(self, state: EpisodeState, action: str) -> Feedback | Verdict:
        return _FEEDBACK

    def verify(self, task: Task, transcript: Transcript) -> Verdict:
        return Verdict(reward=0.0, correct=False)

    def oracle_action(self, state: EpisodeState) -> str:
        return ""


_FEEDBACK = Feedback(message="ok")


def _per_call_us(fn: Callable[[], Any], calls: int, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e6


def _episode_stepper(env: gym.Env[Any, str]) -> Callable[[], Any]:
    """Step a long episode; reset every 500 steps so the transcript stays realistic in size."""
    counter = {"n": 0}
    env.reset(seed=0)

    def step() -> Any:
        counter["n"] += 1
        if counter["n"] % 500 == 0:
            env.reset(seed=0)
        return env.step("an action")

    return step


def test_step_overhead(benchmark: Any) -> None:
    family = NoOp()
    raw_env = RLVREnv(family, max_turns=10**9)
    state = EpisodeState(task=family.generate(np.random.default_rng(0), 0, task_id="t"), messages=[])
    direct = _per_call_us(lambda: family.respond(state, "an action"), STEPS)
    unwrapped = _per_call_us(_episode_stepper(raw_env), STEPS)
    gym.register("bench/NoOp-v0", entry_point=lambda **kw: RLVREnv(NoOp(), max_turns=10**9))
    wrapped = _per_call_us(_episode_stepper(gym.make("bench/NoOp-v0")), STEPS)
    overhead = unwrapped - direct
    lines = [
        "| measurement | us per step |",
        "|---|---|",
        f"| family.respond called directly (no-op family) | {direct:.2f} |",
        f"| RLVREnv.step (unwrapped) | {unwrapped:.2f} |",
        f"| gym.make(...).step (default wrappers) | {wrapped:.2f} |",
        f"| **env overhead** (unwrapped - direct) | **{overhead:.2f}** |",
        f"| gymnasium wrapper overhead (wrapped - unwrapped) | {wrapped - unwrapped:.2f} |",
    ]
    table = "\n".join(lines)
    (RESULTS / "env_step_overhead.md").write_text(
        "# RLVREnv.step overhead\n\n`make bench` (benchmarks/test_bench_env_step.py)\n\n" + table + "\n"
    )
    print("\n" + table)
    benchmark.pedantic(_episode_stepper(raw_env), rounds=2000, iterations=1)
    assert overhead <= 50.0, f"RLVREnv.step overhead {overhead:.1f} us exceeds 50 us"


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-s"])
