"""The shortcut corpus (`rlvr_envs.checks.shortcuts`) on every registered env.

Cheap task-blind policies must earn at most 0.02 mean reward above the env's format floor and
full reward on at most 0.5% of tasks (2% for answers that may legitimately equal a given number).
The default run plays a small sample (two low levels, a loose allowance for sampling noise); the
slow run plays >= 1,000 tasks at each of five levels across every env's range with the exact bars.
"""

from __future__ import annotations

import pytest

import rlvr_envs
from rlvr_envs.checks.shortcuts import (
    BAR_FULL_LEGIT,
    BAR_MEAN,
    CODE_SHORTCUTS,
    GENERIC,
    applicable,
    judge_code_outputs,
    run_shortcuts,
    sampling_allowance,
)

ENV_IDS = rlvr_envs.list_envs()
FULL_LEVELS = {"rlvr/LongContextQA-v0": [0, 1, 2, 3, 4, 7], "rlvr/LongContextSearch-v0": [0, 1, 2, 4, 7]}
DEFAULT_LEVELS = [0, 2, 4, 6, 8]
FAST_TASKS = {"rlvr/EcomDialogue-v0": 6, "rlvr/LongContextSearch-v0": 8}
#: known open shortcuts (measured, not hidden): the test fails loudly once they are fixed (strict)
OPEN: dict[str, str] = {}
OPEN_FULL = {
    **OPEN,
    "rlvr/MathArith-v0": "one-digit arithmetic (the GRPO demo's graded schedule) has a narrow legitimate answer range: "
    "0, 1, the first or last number and the prior are right on 2.1-3.3% of tasks at levels 0-8; the fixes tried "
    "distort the family (docs/shortcuts.md, 'Open')",
}


def _params(open_ones: dict[str, str]) -> list[object]:
    return [
        pytest.param(e, marks=pytest.mark.xfail(reason=open_ones[e], strict=True)) if e in open_ones else e
        for e in ENV_IDS
    ]


@pytest.mark.parametrize("env_id", _params(OPEN))
def test_fast_sample_of_the_shortcut_corpus(env_id: str) -> None:
    n = FAST_TASKS.get(env_id, 25)
    report = run_shortcuts(env_id, [0, 2], n, seed=11, calibration_tasks=n, sampling_noise=True)
    assert report.passed, f"{env_id} shortcuts over the sampling allowance:\n{report.table()}"


@pytest.mark.slow
@pytest.mark.parametrize("env_id", _params(OPEN_FULL))
def test_full_shortcut_corpus(env_id: str) -> None:
    levels = FULL_LEVELS.get(env_id, DEFAULT_LEVELS)
    report = run_shortcuts(env_id, levels, 1000, seed=0, calibration_tasks=200)
    assert report.passed, f"{env_id} shortcuts over the bar:\n{report.table()}"


def test_the_corpus_can_fail() -> None:
    """Without the VQA grounding gate, a guessed answer beside every object's box earns reward."""
    report = run_shortcuts("rlvr/VQA-v0", [0], 40, seed=3, calibration_tasks=40, reward={"gated": False})
    assert not report.passed and report.best().excess_reward > 0.1


class _ConstantGenerator:
    """A fake Math generator whose every problem has the same answer (a stand-in for a family whose
    generators each have a typical answer, told apart by their wording)."""

    def __init__(self, name: str, answer: str, question: str) -> None:
        self.name, self.answer, self.question = name, answer, question

    def knobs(self, level: int) -> dict[str, int | float]:
        return {"size": level}

    def generate(self, rng: object, level: int) -> object:
        from rlvr_envs.tasks.math.problem import MathProblem

        return MathProblem(
            family=self.name, question=self.question, answer=self.answer, answer_kind="integer", knobs={"size": level}
        )


def test_math_prior_is_learned_per_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Math tasks carry ``metadata["generator"]`` (no ``family`` key): the prior must be keyed by it,
    so two generators with different constant answers are each answered right every time (keyed by
    one shared kind, it would give one answer to both and be right on about half the tasks)."""
    from rlvr_envs.checks.shortcuts import math_prior_key
    from rlvr_envs.core.types import Task
    from rlvr_envs.tasks.math.generators import GENERATORS

    monkeypatch.setitem(GENERATORS, "fake_sum", _ConstantGenerator("fake_sum", "7", "What is $3 + 4$?"))
    monkeypatch.setitem(GENERATORS, "fake_count", _ConstantGenerator("fake_count", "11", "How many are there?"))
    report = run_shortcuts(
        "rlvr/Math-v0",
        [0],
        60,
        seed=2,
        calibration_tasks=60,
        policies=["prior_answer"],
        generators=["fake_sum", "fake_count"],
    )
    assert [r.full_share for r in report.results] == [1.0]
    user = Task(task_id="t", family="math", level=0, prompt="?", metadata={"family": "mine"})
    assert math_prior_key(user) == "mine" and math_prior_key(user.model_copy(update={"metadata": {}})) == ""


def test_generic_shortcuts_apply_to_any_family() -> None:
    names = {s.name for s in applicable("someone_elses_family")}
    assert names == {s.name for s in GENERIC}
    assert {s.name for s in CODE_SHORTCUTS} <= {s.name for s in applicable("code")}


def test_simulated_code_judging_agrees_with_the_sandbox() -> None:
    """The fast Code path (known outputs, the sandbox's comparison) against real sandbox runs."""
    import gymnasium as gym

    from rlvr_envs.checks.shortcuts import _play

    env = gym.make("rlvr/Code-v0")
    inner = env.unwrapped
    checked = 0
    for level in (0, 6):
        for seed in range(3):
            inner.reset(seed=seed, options={"level": level})
            task = inner.task
            for shortcut in CODE_SHORTCUTS:
                assert shortcut.code_output is not None
                simulated = judge_code_outputs(task, inner.family, shortcut.code_output)
                real = _play(inner, task, shortcut, {})
                assert simulated == pytest.approx(real), (shortcut.name, task.task_id)
                checked += 1
    assert checked == 2 * 3 * len(CODE_SHORTCUTS)


def test_simulated_code_judging_pays_a_right_program() -> None:
    """The simulation must not zero everything: the reference's own outputs earn 1.0, as the
    oracle does in the sandbox (a constant-output rule that misread return values did zero both)."""
    import json

    import gymnasium as gym

    from rlvr_envs.tasks.code.templates import Pipeline

    env = gym.make("rlvr/Code-v0", modes=["function"])
    inner = env.unwrapped
    for seed in range(4):
        env.reset(seed=seed, options={"level": 2})
        task = inner.task
        pipeline = Pipeline(tuple(task.data["templates"]))

        def reference(t: object, test_input: object, pipeline: Pipeline = pipeline) -> object:
            return json.loads(json.dumps(pipeline.solve(*json.loads(json.dumps(test_input)))))

        assert judge_code_outputs(task, inner.family, reference) == pytest.approx(1.0)
        _, reward, *_ = env.step(inner.oracle_action())
        assert reward == pytest.approx(1.0)


def test_check_command_runs_the_shortcut_group(capsys: pytest.CaptureFixture[str]) -> None:
    """`rlvr-envs check` runs the shortcut corpus as its own group, a row per policy."""
    import json

    from rlvr_envs import cli

    code = cli.main(["check", "examples/custom_env.py", "--quick", "--group", "shortcuts", "--json"])
    rows = json.loads(capsys.readouterr().out)
    names = {row["name"] for row in rows}
    assert code == 0 and {"shortcut:constant_0", "shortcut:echo_prompt", "shortcut:hedge"} <= names
    assert all(row["passed"] for row in rows)


def test_sampling_allowance_absorbs_noise_but_not_a_shortcut() -> None:
    """20 tasks: one lucky hit (5%) is noise against a 2% bar; a real shortcut on a quarter of them is not."""
    assert sampling_allowance(BAR_FULL_LEGIT, 20) > 0.05
    assert sampling_allowance(BAR_FULL_LEGIT, 20) < 0.25
    assert sampling_allowance(BAR_FULL_LEGIT, 100_000) == pytest.approx(BAR_FULL_LEGIT, abs=0.002)


def test_quick_check_of_math_v0_is_not_failed_by_sampling_noise(capsys: pytest.CaptureFixture[str]) -> None:
    """`check --quick` plays 20 tasks a level; exact bars failed Math-v0 on one or two lucky hits."""
    import json

    from rlvr_envs import cli

    code = cli.main(["check", "rlvr/Math-v0", "--quick", "--group", "shortcuts", "--json"])
    rows = json.loads(capsys.readouterr().out)
    failing = [row["message"] for row in rows if not row["passed"]]
    assert code == 0 and not failing, failing
    allowed = [r["full_bar"] for row in rows for r in row["details"]["results"]]
    assert all(bar > BAR_FULL_LEGIT for bar in allowed if bar >= BAR_FULL_LEGIT)  # the allowance was applied


def test_exact_bars_judge_the_audit() -> None:
    """Without ``sampling_noise`` the bars are the exact ones (the >= 1,000-task audit)."""
    report = run_shortcuts("rlvr/Math-v0", [0], 20, seed=0, calibration_tasks=20, policies=["constant_0"])
    assert [r.full_bar for r in report.results] == [BAR_FULL_LEGIT]
    assert [r.mean_bar for r in report.results] == [BAR_MEAN]


def test_cli_docs_state_the_allowance_the_code_applies() -> None:
    from pathlib import Path

    text = " ".join((Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text().split())
    for n in (20, 100):
        assert f"{sampling_allowance(BAR_FULL_LEGIT, n):.1%} on {n}" in text


def test_prior_shares_break_the_prior_down_by_generator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A generator whose every answer is the same shows a 100% share; the shipped ones do not."""
    from rlvr_envs.checks.shortcuts import main, prior_shares
    from rlvr_envs.tasks.math.generators import GENERATORS

    rows = prior_shares("rlvr/Math-v0", [0], 60, seed=2, calibration_tasks=60)
    assert rows and {r.level for r in rows} == {0}
    assert sum(r.tasks for r in rows) == 60
    assert all(0.0 <= r.hit_share <= 1.0 for r in rows)
    assert max(r.hit_share for r in rows) < 1.0  # no shipped generator has a single answer
    assert main(["--env", "rlvr/Math-v0", "--levels", "0", "--tasks", "30", "--by-kind"]) == 0
    out = capsys.readouterr().out
    assert "| level | kind |" in out and any(f"| 0 | {r.kind} |" in out for r in rows)
    monkeypatch.setitem(GENERATORS, "fake_sum", _ConstantGenerator("fake_sum", "7", "What is $3 + 4$?"))
    fakes = prior_shares("rlvr/Math-v0", [0], 20, seed=2, calibration_tasks=20, generators=["fake_sum"])
    assert [(r.kind, r.prior, r.hit_share) for r in fakes] == [("fake_sum", "7", 1.0)]
