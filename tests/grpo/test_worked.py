"""Worked solutions for the supervised warm-up agree with the env's own gold answers."""

from __future__ import annotations

import pytest

import rlvr_envs
from baselines.grpo.worked import (
    SOLUTION_STYLES,
    SolutionStyle,
    arithmetic_rewrites,
    arithmetic_steps,
    solve_arithmetic,
    worked_solution,
)


@pytest.mark.parametrize("style", SOLUTION_STYLES)
@pytest.mark.parametrize(("env_id", "level"), [*(("rlvr/Math-v0", lv) for lv in range(8)), ("rlvr/MathArith-v0", 9)])
def test_arithmetic_solutions_reach_the_gold_answer(env_id: str, level: int, style: SolutionStyle) -> None:
    env = rlvr_envs.make(env_id, **({"generators": ["arithmetic"]} if env_id == "rlvr/Math-v0" else {}))
    for seed in range(40):
        env.reset(seed=seed, options={"level": level})
        task = rlvr_envs.unwrap(env).task
        solution = worked_solution(task, style)
        assert solution is not None and solution.endswith(f"\\boxed{{{task.data['answer']}}}")
        assert rlvr_envs.verify(env_id, task, solution).correct
        assert arithmetic_steps(task.prompt, task.data["answer"]) is not None
        rewrites = arithmetic_rewrites(task.prompt, task.data["answer"])
        assert rewrites is not None and rewrites[-1] == task.data["answer"]


def test_rewrites_carry_the_whole_expression_left_after_each_operation() -> None:
    prompt = "Compute the value of $(-3) - (-5) \\div 5 + 2^{2}$. Give your answer as an integer."
    assert arithmetic_rewrites(prompt, "2") == [
        "(-3) - (-5) \\div 5 + 4",
        "(-3) - (-1) + 4",
        "(-2) + 4",
        "2",
    ]
    nested = "Compute the value of $2 \\times (3 - (1 + 4)) + 1$."
    assert arithmetic_rewrites(nested, "-3") == ["2 \\times (3 - 5) + 1", "2 \\times (-2) + 1", "(-4) + 1", "-3"]
    assert (
        worked_solution(
            {
                "prompt": "Compute the value of $8 - 6 + 3 \\times 7$.",
                "data": {"answer": "23"},
                "metadata": {"generator": "arithmetic"},
            },
            "rewrite",
        )
        == "8 - 6 + 21 = 2 + 21 = 23. \\boxed{23}"
    )
    assert arithmetic_rewrites("Compute the value of $2 + 2$.", "5") is None  # disagrees with the gold: refused
    assert arithmetic_rewrites("Compute the value of $(2 + 2$.", "4") is None  # unbalanced
    assert arithmetic_rewrites("Compute the value of $2 \\div 0$.", "0") is None
    assert arithmetic_rewrites("no expression here", "0") is None


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
