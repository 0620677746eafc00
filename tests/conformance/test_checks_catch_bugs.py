"""`rlvr_envs.checks` must fail on broken envs, with a message that says what to fix.

Each family below has one bug a newcomer writes (a generator that ignores its rng, an oracle that
is wrong, a verifier that raises, a lenient verifier, an unpicklable attribute); the matching
check must fail and the others that do not involve the bug must pass. The CLI test runs
``rlvr-envs check`` on the documented example file, as a user would.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import rlvr_envs
from rlvr_envs import Task, TaskFamily, Verdict, final_text
from rlvr_envs.checks import CONFORMANCE, CheckContext, run_checks

ROOT = Path(__file__).resolve().parents[2]
BY_NAME = {check.name: check for check in CONFORMANCE}
QUICK = {"levels": (0, 2), "oracle_seeds": 3, "random_episodes": 20, "fuzz_actions": 40}


class Good(TaskFamily):
    name = "good"

    def generate(self, rng: Any, level: int, *, task_id: str) -> Task:
        word = "".join(rng.choice(list("abcdefgh"), size=4 + level))
        return Task(task_id=task_id, family=self.name, level=level, prompt=f"Reverse {word}", data={"gold": word[::-1]})

    def verify(self, task: Task, transcript: Any) -> Verdict:
        ok = final_text(transcript).strip() == task.data["gold"]
        return Verdict(reward=float(ok), correct=ok)

    def oracle_action(self, state: Any) -> str:
        return str(state.task.data["gold"])


class IgnoresRng(Good):
    name = "ignores_rng"

    def generate(self, rng: Any, level: int, *, task_id: str) -> Task:
        word = "".join(random.choice("abcdefgh") for _ in range(4 + level))  # the global RNG: not seeded
        return Task(task_id=task_id, family=self.name, level=level, prompt=f"Reverse {word}", data={"gold": word[::-1]})


class WrongOracle(Good):
    name = "wrong_oracle"

    def oracle_action(self, state: Any) -> str:
        return str(state.task.data["gold"])[::-1]


class RaisingVerify(Good):
    name = "raising_verify"

    def verify(self, task: Task, transcript: Any) -> Verdict:
        raise ValueError("bug in verify")


class Lenient(Good):
    name = "lenient"

    def verify(self, task: Task, transcript: Any) -> Verdict:
        return Verdict(reward=1.0, correct=True)


class Unpicklable(Good):
    name = "unpicklable"

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.lock = threading.Lock()


def results_for(family: type[TaskFamily], names: list[str]) -> dict[str, tuple[bool, str]]:
    env_id = f"test/{family.__name__}-v0"
    rlvr_envs.register(env_id, family=family, override=True)
    ctx = CheckContext(env_id=env_id, **QUICK)  # type: ignore[arg-type]
    return {r.name: (r.passed, r.message) for r in run_checks(ctx, [BY_NAME[name] for name in names])}


def test_a_good_family_passes() -> None:
    names = ["check_env", "info", "seeding", "reset_options", "knobs", "pickle", "oracle", "random", "fuzz"]
    results = results_for(Good, names)
    assert all(passed for passed, _ in results.values()), results


@pytest.mark.parametrize(
    ("family", "check", "hint"),
    [
        (IgnoresRng, "seeding", "rng"),
        (WrongOracle, "oracle", "oracle_action() must earn reward 1"),
        (RaisingVerify, "info", "internal_error"),
        (RaisingVerify, "oracle", "verify() raised"),
        (Lenient, "random", "too lenient"),
        (Unpicklable, "pickle", "cannot be pickled"),
    ],
)
def test_each_bug_fails_its_check(family: type[TaskFamily], check: str, hint: str) -> None:
    passed, message = results_for(family, [check])[check]
    assert not passed and hint in message


def test_cli_check_on_the_example_file() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rlvr_envs.cli", "check", "examples/custom_env.py", "--quick", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    results = json.loads(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    assert {r["env"] for r in results} == {"demo/ReverseWord-v0"}
    conformance = {r["name"] for r in results if not r["name"].startswith("shortcut:")}
    assert conformance == set(BY_NAME) and all(r["passed"] for r in results)
    assert any(r["name"].startswith("shortcut:") for r in results)  # the shortcut group runs by default


def test_cli_check_exit_code_and_table_on_failure(capsys: pytest.CaptureFixture[str]) -> None:
    from rlvr_envs import cli

    rlvr_envs.register("test/WrongOracle-v0", family=WrongOracle, override=True)
    code = cli.main(["check", "test/WrongOracle-v0", "--only", "oracle", "--only", "info", "--quick"])
    out = capsys.readouterr().out
    assert code == 1 and "FAIL" in out and "1 of 2 checks passed" in out and "oracle_action()" in out


def test_cli_check_unknown_check_name_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    from rlvr_envs import cli

    assert cli.main(["check", "rlvr/Math-v0", "--only", "oracel"]) == 2
    assert "Did you mean 'oracle'?" in capsys.readouterr().out
