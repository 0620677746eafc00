"""The demo's regime: the graded arithmetic schedule, the fixed demonstration pool, the seed summary."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rlvr_envs
from baselines.grpo import seeds
from baselines.grpo.sft import SupervisedStream
from baselines.grpo.worked import solve_arithmetic
from rlvr_envs.tasks.math.arith_graded import MAX_LEVEL, graded_knobs

ROOT = Path(__file__).resolve().parents[2]
_NEGATIVE_LITERAL = re.compile(r"\(-\d+\)")


def _prompts(level: int, n: int, **kwargs: object) -> list[tuple[str, str]]:
    """(prompt, answer) of ``n`` MathArith-v0 tasks at ``level`` (``kwargs``: family options such as ``schedule``)."""
    env = rlvr_envs.make("rlvr/MathArith-v0", **kwargs)
    out = []
    for seed in range(n):
        env.reset(seed=seed, options={"level": level})
        task = rlvr_envs.unwrap(env).task
        out.append((task.prompt, str(task.data["answer"])))
    env.close()
    return out


def test_schedule_changes_one_knob_per_level() -> None:
    for level in range(1, MAX_LEVEL + 1):
        before, after = graded_knobs(level - 1), graded_knobs(level)
        changed = [k for k in after if after[k] != before[k]]
        assert len(changed) == 1, (level, changed)
    assert graded_knobs(MAX_LEVEL + 5) == graded_knobs(MAX_LEVEL)


@pytest.mark.parametrize("level", range(MAX_LEVEL + 1))
def test_every_level_has_exact_worked_solutions(level: int) -> None:
    """The worked-solution evaluator (written for Math-v0's prompts) agrees with every gold answer here."""
    operators = int(graded_knobs(level)["num_ops"])
    for prompt, answer in _prompts(level, 40):
        solved = solve_arithmetic(prompt)
        assert solved is not None and str(solved[0]) == answer, prompt
        assert len(solved[1]) == operators  # one worked step per operator


def test_negative_literals_arrive_gradually() -> None:
    rates = [np.mean([bool(_NEGATIVE_LITERAL.search(p)) for p, _ in _prompts(level, 300)]) for level in (2, 3, 5)]
    assert rates[0] == 0.0 and 0.1 < rates[1] < 0.5 and rates[2] > rates[1] + 0.15


def test_math_v0_arithmetic_is_untouched() -> None:
    """MathArith-v0 is a new id: Math-v0 still jumps to negatives at level 2 (its own schedule)."""
    env = rlvr_envs.make("rlvr/Math-v0", generators=["arithmetic"])
    assert rlvr_envs.unwrap(env).family.knobs(2)["arithmetic.negatives"] == 1.0
    env.close()


def test_pool_is_fixed_distinct_and_reproducible(tokenizer: Any) -> None:
    def stream(exclude: set[str]) -> SupervisedStream:
        return SupervisedStream(
            "rlvr/MathArith-v0", {}, tokenizer, levels=[0, 1, 2], rng=np.random.default_rng(1),
            exclude=exclude, pool=30, validation=8, pool_seed=7,
        )  # fmt: skip

    first = stream(set())
    served = {tuple(first.example()[0]) for _ in range(200)}
    pool = {tuple(tokens) for tokens, _ in first.pool}
    assert len(first.pool) == 30 and len(pool) == 30 and served <= pool
    assert len(first.validation_requests) == 8
    # the control rebuilds the same pool and validation split from the same seed
    again = stream(set())
    assert [t for t, _ in again.pool] == [t for t, _ in first.pool]
    assert again.validation_requests == first.validation_requests
    # validation prompts are never in the pool
    probe = rlvr_envs.make("rlvr/MathArith-v0")
    val_prompts = set()
    for request in first.validation_requests:
        obs, _ = probe.reset(seed=request.seed, options={"level": request.level})
        val_prompts.add(str(obs))
    pool_text = [tokenizer.decode(t, skip_special_tokens=False) for t in pool]
    assert not any(v.split("\n")[0] in text for v in val_prompts for text in pool_text)
    probe.close()
    for s in (first, again):
        s.close()


def test_pool_serves_the_configured_solution_style(tokenizer: Any) -> None:
    """``demo.sft.solution_style = "rewrite"`` reaches the pool: same prompts, the rewritten targets."""

    def targets(style: str) -> list[str]:
        stream = SupervisedStream(
            "rlvr/MathArith-v0", {}, tokenizer, levels=[2], rng=np.random.default_rng(1),
            pool=6, pool_seed=3, solution_style=style,  # type: ignore[arg-type]
        )  # fmt: skip
        stream.close()
        return [tokenizer.decode([t for t, m in zip(*ex, strict=True) if m]) for ex in stream.pool]

    steps, rewrites = targets("steps"), targets("rewrite")
    for step_text, rewrite_text in zip(steps, rewrites, strict=True):
        assert step_text.count(", ") == 2 and ", " not in rewrite_text  # three operators: three steps
        assert rewrite_text.count(" = ") == 2  # three rewrites joined, the last one the value
        assert step_text.split("\\boxed")[1] == rewrite_text.split("\\boxed")[1]


def _results(before: float, after: float, control: float, zv: float, raises: int) -> dict[str, Any]:
    def arm(acc: float) -> dict[str, Any]:
        return {"accuracy": acc, "per_level": {"0": acc}}

    return {
        "before": arm(before), "after_grpo": arm(after), "control_sft": arm(control),
        "grpo": {"zero_variance_share": zv, "zero_variance_share_first_round": zv + 0.1, "level_raises": raises,
                 "frontier": raises, "steps": 10},
        "control_steps": 5, "control_best_step": 3, "demo_wall_s": 100.0,
    }  # fmt: skip


def test_seed_summary_table_and_figure(tmp_path: Path) -> None:
    for seed, (b, a, c) in enumerate([(0.2, 0.4, 0.3), (0.3, 0.5, 0.3), (0.1, 0.3, 0.2)]):
        (tmp_path / f"seed-{seed}").mkdir()
        (tmp_path / f"seed-{seed}" / "results.json").write_text(json.dumps(_results(b, a, c, 0.25, 3)))
    report = seeds.collect(tmp_path, [0, 1, 2])
    gains = [r["grpo_gain"] for r in report["seeds"]]
    assert gains == pytest.approx([20.0, 20.0, 20.0])
    assert report["summary"]["grpo_minus_control"]["mean"] == pytest.approx(100 * (0.1 + 0.2 + 0.1) / 3)
    assert report["summary"]["grpo"]["sd"] == pytest.approx(10.0)
    md = (tmp_path / "seeds.md").read_text()
    assert "| mean ± sd |" in md and "+20.0" in md and "| 35% / 25% |" in md
    assert (tmp_path / "seeds.png").stat().st_size > 10_000
    with pytest.raises(FileNotFoundError, match="seed 5"):
        seeds.collect(tmp_path, [0, 5])


def test_fine_schedule_puts_an_additions_only_level_before_each_new_operator_count() -> None:
    for level in (2, 5):
        prompts = _prompts(level, 60, schedule="fine")
        assert not any("\\times" in p or "\\div" in p for p, _ in prompts), level
        ops = int(graded_knobs(level, "fine")["num_ops"])
        for prompt, answer in prompts:
            solved = solve_arithmetic(prompt)
            assert solved is not None and str(solved[0]) == answer and len(solved[1]) == ops
    # the levels after them bring products back, as the graded levels they mirror
    assert any("\\times" in p or "\\div" in p for p, _ in _prompts(3, 60, schedule="fine"))
    assert graded_knobs(3, "fine") == graded_knobs(2) and graded_knobs(6, "fine") == graded_knobs(4)


def test_default_schedule_is_unchanged_by_the_fine_option() -> None:
    """Seeds of rlvr/MathArith-v0 keep their meaning: no option is the graded schedule, task for task."""
    explicit = rlvr_envs.make("rlvr/MathArith-v0", schedule="graded")
    for level in range(MAX_LEVEL + 1):
        tasks = []
        for seed in range(10):
            explicit.reset(seed=seed, options={"level": level})
            tasks.append((rlvr_envs.unwrap(explicit).task.prompt, str(rlvr_envs.unwrap(explicit).task.data["answer"])))
        assert _prompts(level, 10) == tasks
    explicit.close()
