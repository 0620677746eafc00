"""Sandbox and Code-v0 speed, side by side with a naive subprocess runner in the same run.

Run (from the repository root)::

    .venv/bin/pytest benchmarks/test_bench_sandbox.py -p no:cacheprovider -s -o addopts=""

Measured:

* **isolated runs of a trivial stdin/stdout program per second, serially** (one caller thread):
  ``rlvr_envs.verifiers.sandbox.run`` against a naive runner, ``subprocess.run([sys.executable, "-I",
  "-c", code])`` with the same rlimits (CPU, address space, file size, open files, processes, stack)
  set in ``preexec_fn``. Targets: >= 600/s and >= 10x the naive runner.
* **a full Code-v0 episode** (reset + one submission of the reference solution, judged on 10 test
  executions: 2 public + 8 hidden), median over many episodes, stdin/stdout and function-call modes.
  Target: median <= 20 ms.
* **vectorised throughput**: Code-v0 episodes per second with ``AsyncVectorEnv(4)`` (oracle
  actions, the spec's default levels 0..5), next to one env stepping serially.

The table goes to ``benchmarks/results/sandbox.md``; load averages are recorded because this is a
shared 2-core machine.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import gymnasium as gym
import pytest

import rlvr_envs
from rlvr_envs.verifiers import sandbox
from rlvr_envs.verifiers.sandbox.pool import get_pool

from .conftest import RESULTS

PROGRAM = "a, b = map(int, input().split())\nprint(a + b)\n"
STDIN = "20 22\n"
OURS_RUNS = int(os.environ.get("RLVR_BENCH_SANDBOX_RUNS", "3000"))
NAIVE_RUNS = int(os.environ.get("RLVR_BENCH_NAIVE_RUNS", "150"))
EPISODES = int(os.environ.get("RLVR_BENCH_EPISODES", "200"))
LIMITS = sandbox.Limits()
_STATE: dict[str, Any] = {}


def _naive_rlimits() -> None:
    """The rlimits our children get, for the naive runner's child (before exec)."""
    mib = 1 << 20
    cpu = max(1, int(LIMITS.time_limit + 1.999))
    for which, value in [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, ((LIMITS.memory_mb + 48 + 64) * mib,) * 2),
        (resource.RLIMIT_FSIZE, (LIMITS.file_mb * mib,) * 2),
        (resource.RLIMIT_NOFILE, (LIMITS.open_files,) * 2),
        (resource.RLIMIT_NPROC, (LIMITS.processes + 4096,) * 2),  # root ignores it; keep it from failing fork
        (resource.RLIMIT_STACK, (min(LIMITS.memory_mb, 256) * mib,) * 2),
        (resource.RLIMIT_CORE, (0, 0)),
    ]:
        resource.setrlimit(which, value)


def naive_run(code: str, stdin: str) -> str:
    result = subprocess.run(
        [sys.executable, "-I", "-c", code],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=LIMITS.time_limit,
        preexec_fn=_naive_rlimits,
        check=False,
    )
    return result.stdout


def _rate(function: Any, runs: int) -> float:
    start = time.perf_counter()
    for _ in range(runs):
        function()
    return runs / (time.perf_counter() - start)


def test_trivial_program_runs_per_second(benchmark: Any) -> None:
    sandbox.warmup()
    assert sandbox.run(PROGRAM, stdin=STDIN).stdout == "42\n"
    assert naive_run(PROGRAM, STDIN) == "42\n"
    for _ in range(200):
        sandbox.run(PROGRAM, stdin=STDIN)
    ours = [_rate(lambda: sandbox.run(PROGRAM, stdin=STDIN), OURS_RUNS // 3) for _ in range(3)]
    naive = [_rate(lambda: naive_run(PROGRAM, STDIN), NAIVE_RUNS // 3) for _ in range(3)]
    _STATE["runs"] = (ours, naive)
    benchmark.pedantic(lambda: sandbox.run(PROGRAM, stdin=STDIN), rounds=300, iterations=1)


def _episode_times(mode: str, episodes: int) -> list[float]:
    env = gym.make(
        "rlvr/Code-v0",
        level=2,
        modes=[mode],
        public_tests=2,
        hidden_tests=8,
        templates=["max_subarray_sum", "count_inversions", "kth_smallest"],
    )
    inner = rlvr_envs.unwrap(env)
    times = []
    for seed in range(episodes):
        start = time.perf_counter()
        env.reset(seed=seed)
        _, reward, terminated, _, info = env.step(inner.oracle_action())
        times.append(time.perf_counter() - start)
        assert reward == 1.0 and terminated and len(info["verdict"]["details"]["hidden"]) == 8
    return times


def test_code_episode_latency(benchmark: Any) -> None:
    _episode_times("stdio", 20)  # warm up
    _STATE["episode"] = {mode: _episode_times(mode, EPISODES) for mode in ("stdio", "function")}
    benchmark.pedantic(lambda: _episode_times("stdio", 1), rounds=20, iterations=1)


def _vector_throughput(num_envs: int, seconds: float = 8.0) -> tuple[float, float]:
    """(episodes/s, steps/s) playing the oracle on Code-v0 with the spec's defaults."""
    if num_envs == 1:
        env = gym.make("rlvr/Code-v0")
        inner = rlvr_envs.unwrap(env)
        env.reset(seed=0)
        episodes = steps = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            _, _, terminated, truncated, _ = env.step(inner.oracle_action())
            steps += 1
            if terminated or truncated:
                episodes += 1
                env.reset()
        elapsed = time.perf_counter() - start
        return episodes / elapsed, steps / elapsed
    vec = rlvr_envs.make_vec("rlvr/Code-v0", num_envs, mode="async")
    try:
        vec.reset(seed=0)
        episodes = steps = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            actions = vec.call("oracle_action")
            _, _, terminated, truncated, _ = vec.step(tuple(actions))
            steps += num_envs
            episodes += int(sum(terminated) + sum(truncated))
        elapsed = time.perf_counter() - start
        return episodes / elapsed, steps / elapsed
    finally:
        vec.close()


def test_vector_env_throughput(benchmark: Any) -> None:
    _STATE["vector"] = {n: _vector_throughput(n) for n in (1, 4)}
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)


def test_report() -> None:
    if not {"runs", "episode", "vector"} <= set(_STATE):
        pytest.skip("run the whole module: the report needs every measurement")
    ours, naive = _STATE["runs"]
    ours_rate, naive_rate = statistics.median(ours), statistics.median(naive)
    ratio = ours_rate / naive_rate
    episode = {mode: statistics.median(times) * 1000 for mode, times in _STATE["episode"].items()}
    p90 = {mode: statistics.quantiles(times, n=10)[-1] * 1000 for mode, times in _STATE["episode"].items()}
    vector = _STATE["vector"]
    isolation = sandbox.isolation()
    load = os.getloadavg()
    lines = [
        "# Sandbox and Code-v0 speed",
        "",
        'Generated by `.venv/bin/pytest benchmarks/test_bench_sandbox.py -p no:cacheprovider -s -o addopts=""`',
        "(do not edit by hand).",
        "",
        f"- measured: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; python {platform.python_version()} on "
        f"{platform.machine()}, {os.cpu_count()} logical CPUs (shared machine: load average "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} at the end)",
        f"- sandbox: {get_pool().n} server(s) per process, isolation `{isolation.mode}` ({isolation.reason})",
        "",
        "| measurement | value | target |",
        "|---|---:|---|",
        f"| trivial stdin/stdout program, `sandbox.run`, serial (runs/s, median of 3 x {OURS_RUNS // 3}) "
        f"| **{ours_rate:,.0f}** | >= 600 |",
        f"| same program, naive `subprocess.run([python, -I, -c])` + same rlimits (runs/s, median of 3 x "
        f"{NAIVE_RUNS // 3}) | {naive_rate:,.1f} | |",
        f"| **ratio** (ours / naive) | **{ratio:.1f}x** | >= 10x |",
        f"| Code-v0 episode, stdin/stdout: reset + submit + 10 test runs, median (p90) over {EPISODES} "
        f"| **{episode['stdio']:.1f} ms** ({p90['stdio']:.1f}) | <= 20 ms |",
        f"| Code-v0 episode, function calls: reset + submit + 10 tests, median (p90) "
        f"| **{episode['function']:.1f} ms** ({p90['function']:.1f}) | <= 20 ms |",
        f"| Code-v0, one env, oracle, spec defaults (episodes/s; steps/s) | {vector[1][0]:.1f}; {vector[1][1]:.1f} | |",
        f"| Code-v0, `AsyncVectorEnv(4)`, oracle, spec defaults (episodes/s; steps/s) "
        f"| {vector[4][0]:.1f}; {vector[4][1]:.1f} | reported |",
        "",
        f"Individual rounds: ours {', '.join(f'{r:,.0f}' for r in ours)} runs/s; "
        f"naive {', '.join(f'{r:.1f}' for r in naive)} runs/s.",
        "",
        "Vector-env steps include gymnasium's autoreset steps (one per finished episode), so episodes/s is the "
        "useful figure. On 2 cores one env already keeps both busy (its two sandbox servers run tests in "
        "parallel), so 4 workers mostly add contention.",
    ]
    text = "\n".join(lines) + "\n"
    (RESULTS / "sandbox.md").write_text(text, encoding="utf-8")
    print("\n" + text)
    # Regression guards only; the figures above are what we report.
    assert ratio >= 5.0
    assert episode["function"] <= 100.0
