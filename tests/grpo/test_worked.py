"""Worked solutions for the supervised warm-up agree with the env's own gold answers."""

from __future__ import annotations

import pytest

import rlvr_envs
from baselines.grpo.worked import arithmetic_steps, solve_arithmetic, worked_solution


@pytest.mark.parametrize("level", range(8))
def test_arithmetic_steps_reach_the_gold_answer(level: int) -> None:
    env = rlvr_envs.make("rlvr/Math-v0", generators=["arithmetic"])
    for seed in range(40):
        env.reset(seed=seed, options={"level": level})
        task = rlvr_envs.unwrap(env).task
        solution = worked_solution(task)
        assert solution is not None and solution.endswith(f"\\boxed{{{task.data['answer']}}}")
        assert rlvr_envs.verify("rlvr/Math-v0", task, solution).correct
        assert arithmetic_steps(task.prompt, task.data["answer"]) is not None


def test_steps_follow_the_order_of_operations() -> None:
    prompt = "Compute the value of $(-3) - (-5) \\div 5 + 2^{2}$. Give your answer as an integer."
    assert solve_arithmetic(prompt) == (
        2,
        ["2^{2} = 4", "(-5) \\div 5 = -1", "(-3) - (-1) = -2", "(-2) + 4 = 2"],
    )
    assert solve_arithmetic("Compute the value of $2 \\times (3 + 4)$.") == (14, ["3 + 4 = 7", "2 \\times 7 = 14"])


def test_other_families_use_their_solution_and_junk_gives_none() -> None:
    env = rlvr_envs.make("rlvr/Math-v0", generators=["linear"])
    env.reset(seed=0, options={"level": 0})
    task = rlvr_envs.unwrap(env).task
    assert worked_solution(task) == f"{task.data['solution']} \\boxed{{{task.data['answer']}}}"
    assert worked_solution({"data": {}}) is None
    assert arithmetic_steps("Compute the value of $2 + 2$.", "5") is None  # disagrees with the gold: refused
    assert solve_arithmetic("Compute the value of $2 \\div 0$.") is None
    assert solve_arithmetic("no expression here") is None
    assert solve_arithmetic("Compute the value of $2 + x$.") is None
