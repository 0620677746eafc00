"""Code-v0 task generation speed against the generator before degenerate tasks were refused.

Issue 22 made `generate_task_data` refuse draws whose hidden tests do not discriminate (one output on
every test, or outputs that echo the input), which needs the hidden tests' expected outputs at
generation. This benchmark times, in the same process on the same fresh seeds, alternating rounds:

- ``pre-change``: `generate_task_data` as of commit ``af0a0f6`` (no check, hidden tests built only
  when judging), loaded from git history into a temporary module;
- ``eager check``: the first version of the check (``34e6b46``), which built all hidden tests of
  every draw;
- ``current``: this checkout (the check reads hidden tests lazily and stops once decided).

Each is timed on generation alone and on generation plus building every hidden test (what judging
the task needs: before the check that happened only at judging). Fresh seeds matter: the hidden
tests are cached per seed, so re-timing the same seeds hides the cost.
Run: ``.venv/bin/pytest benchmarks/test_bench_code_generation.py -q -s``; the table goes to
``benchmarks/results/code_generation.md``. Skipped outside a git checkout that holds those commits.
"""

from __future__ import annotations

import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rlvr_envs.envs.api import make, unwrap
from rlvr_envs.tasks.code import problems

from .conftest import machine_lines, publish

PRE_CHANGE = "af0a0f6"  # parent of 000c056, the commit that added the degenerate-task check
EAGER = "34e6b46"  # main before this change: every draw built all of its hidden tests
LEVELS = (4, 8)
TASKS = 150  # per round and generator
ROUNDS = 5
RESULTS = Path(__file__).parent / "results" / "code_generation.md"
REPO = Path(__file__).resolve().parents[1]


def _module_at(commit: str) -> types.ModuleType:
    """``problems.py`` at ``commit`` as a module, run against today's templates."""
    try:
        source = subprocess.run(
            ["git", "-C", str(REPO), "show", f"{commit}:rlvr_envs/tasks/code/problems.py"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"commit {commit} not available from git: {exc}")
    name = f"_code_problems_{commit}"
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses look their module up while the source runs
    exec(compile(source, f"{commit}:problems.py", "exec"), module.__dict__)  # our own history, not input
    return module


def _rate(module: Any, level: int, base: int, kwargs: dict[str, Any], judged: bool) -> float:
    """Tasks per second; ``judged`` also builds every hidden test (what judging the task needs)."""
    t0 = time.perf_counter()
    for index in range(TASKS):
        rng = np.random.default_rng(np.random.SeedSequence([base, index, level]))
        _, data, _ = module.generate_task_data(rng, level, **kwargs)
        if judged:
            module.hidden_tests(data)
    return TASKS / (time.perf_counter() - t0)


def test_code_generation_against_the_pre_change_generator(pytestconfig: pytest.Config) -> None:
    family = unwrap(make("rlvr/Code-v0")).family
    config = family.config
    kwargs = {
        "names": family._names,
        "modes": list(config.modes),
        "compose": config.compose,
        "public_count": config.public_tests,
        "hidden_count": config.hidden_tests,
        "memory_mb": config.memory_mb,
        "time_limit_s": config.time_limit_s,
    }
    modules = {"pre-change": _module_at(PRE_CHANGE), "eager check": _module_at(EAGER), "current": problems}
    rows = []
    for level in LEVELS:
        for judged in (False, True):
            rates: dict[str, list[float]] = {name: [] for name in modules}
            for round_index in range(ROUNDS):  # alternate, fresh seeds every round (no cache hits)
                for name, module in modules.items():
                    base = 10_000 + 10 * round_index + judged
                    rates[name].append(_rate(module, level, base, kwargs, judged))
            median = {name: float(np.median(values)) for name, values in rates.items()}
            pre = median["pre-change"]
            what = "generate + build hidden tests" if judged else "generate"
            rows.append(
                f"| {level} | {what} | {pre:,.0f} | {median['eager check']:,.0f} ({median['eager check'] / pre:.3f}) "
                f"| {median['current']:,.0f} ({median['current'] / pre:.3f}) |"
            )
            assert median["current"] > 0
    table = "\n".join(
        [
            "# Code-v0 task generation",
            "",
            f"Tasks generated per second (median of {ROUNDS} alternating rounds of {TASKS} fresh seeds), "
            "measured by `benchmarks/test_bench_code_generation.py`; in brackets the ratio to the "
            f"pre-change generator ({PRE_CHANGE}, no degenerate-task check).",
            "",
            *machine_lines(),
            "",
            f"| level | timed | pre-change | eager check ({EAGER}) | current |",
            "|---:|---|---:|---:|---:|",
            *rows,
            "",
        ]
    )
    publish(pytestconfig, RESULTS, table)
