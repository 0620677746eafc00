"""The server under load, side by side with in-process envs, in one run.

1. WebSocket vs in-process: the same Math-v0 episodes (same seeds, same actions) through
   `RemoteEnv` against ``rlvr-envs serve`` in a subprocess, and through `RLVREnv` in this process:
   per-step latency (median, p99), the latency the server adds, and episodes/s.
2. Load: ``RLVR_BENCH_LOAD_SESSIONS`` (1000) concurrent sessions for ``RLVR_BENCH_LOAD_SECONDS`` (60):
   errors (must be 0), episodes lost from ``--record`` (must be 0), p99 step latency.
3. Idle memory: server RSS per idle session (each connected, with an episode reset), and
   ``RLVR_BENCH_IDLE_SESSIONS`` (10,000) idle sessions must fit in 2 GiB.
4. Killed clients: a client process holding 1,000 sessions mid-episode is SIGKILLed (twice); every
   session must be released; the first time the server may keep its one-time growth (under 16 MiB
   + 10% of what the sessions held), the second time its RSS must come back to the baseline (within
   4 MiB + 10% of the held memory).

Run: ``make bench`` or ``.venv/bin/python -m pytest benchmarks/test_bench_server.py -q -s -o addopts=""``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("fastapi")

import rlvr_envs
from rlvr_envs.remote import RemoteEnv
from rlvr_envs.server.loadtest import (
    count_recorded,
    kill_clients,
    open_idle,
    rss_bytes,
    run_load,
    server_process,
    summary,
)

from .conftest import RESULTS, machine_lines

EPISODES = 400
LOAD_SESSIONS = int(os.environ.get("RLVR_BENCH_LOAD_SESSIONS", "1000"))
LOAD_SECONDS = float(os.environ.get("RLVR_BENCH_LOAD_SECONDS", "60"))
IDLE_SESSIONS = int(os.environ.get("RLVR_BENCH_IDLE_SESSIONS", "10000"))
KILLED_SESSIONS = 1000
LINES: list[str] = []


def _quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1e3, ordered[int(0.99 * (len(ordered) - 1))] * 1e3


def _active(url: str) -> int:
    return int(httpx.get(url + "/health", timeout=30).json()["active_sessions"])


@pytest.fixture(scope="module", autouse=True)
def _publish() -> object:
    yield
    if LINES:
        text = "\n".join(["# Server benchmark", "", *machine_lines(), "", *LINES, ""])
        (RESULTS / "server.md").write_text(text)
        print("\n" + text)


def test_websocket_vs_in_process() -> None:
    local = rlvr_envs.unwrap(rlvr_envs.make("rlvr/Math-v0"))
    actions = []
    times_local: list[float] = []
    start_local = time.perf_counter()
    for seed in range(EPISODES):
        local.reset(seed=seed, options={"level": seed % 4})
        action = local.oracle_action() if seed % 2 else "\\boxed{7}"
        actions.append(action)
        t = time.perf_counter()
        local.step(action)
        times_local.append(time.perf_counter() - t)
    local_eps = EPISODES / (time.perf_counter() - start_local)
    with server_process(["rlvr/Math-v0"]) as (url, _), RemoteEnv(url, "rlvr/Math-v0") as remote:
        remote.reset(seed=10_000)
        remote.step("warm-up")
        times_remote: list[float] = []
        rewards_match = True
        start_remote = time.perf_counter()
        for seed in range(EPISODES):
            remote.reset(seed=seed, options={"level": seed % 4})
            t = time.perf_counter()
            result = remote.step(actions[seed])
            times_remote.append(time.perf_counter() - t)
            rewards_match &= result.done
        remote_eps = EPISODES / (time.perf_counter() - start_remote)
    (lm, lp), (rm, rp) = _quantiles(times_local), _quantiles(times_remote)
    LINES.extend(
        [
            f"## WebSocket vs in-process (Math-v0, {EPISODES} episodes, one session, same seeds and actions)",
            "",
            "| | step median (ms) | step p99 (ms) | episodes/s |",
            "|---|---:|---:|---:|",
            f"| in-process `RLVREnv.step` | {lm:.3f} | {lp:.3f} | {local_eps:.0f} |",
            f"| `RemoteEnv` over WebSocket | {rm:.3f} | {rp:.3f} | {remote_eps:.0f} |",
            f"| added by the server | {rm - lm:.3f} | {rp - lp:.3f} | x{local_eps / remote_eps:.1f} slower |",
            "",
        ]
    )
    assert rewards_match


def test_load_concurrent_sessions(tmp_path: Path) -> None:
    record = tmp_path / "episodes.jsonl"
    with server_process(["rlvr/Math-v0", "--record", str(record), "--max-sessions", str(2 * LOAD_SESSIONS)]) as (
        url,
        process,
    ):
        report = run_load(url, sessions=LOAD_SESSIONS, duration_s=LOAD_SECONDS)
        peak = rss_bytes(process.pid)
    recorded = count_recorded(record)
    lost = sum(max(0, n - recorded.get(s, 0)) for s, n in report.episodes_by_session.items())
    LINES.extend(
        [
            f"## Load: {LOAD_SESSIONS} concurrent Math-v0 sessions for {LOAD_SECONDS:g} s (one server process)",
            "",
            f"- {summary(report)}",
            f"- errors: {report.errors} {report.error_codes or ''}; episodes lost from --record: {lost} "
            f"({sum(recorded.values())} recorded); server RSS at the end: {peak / 2**20:.0f} MiB",
            "",
        ]
    )
    assert report.errors == 0 and lost == 0 and len(report.episodes_by_session) == LOAD_SESSIONS


def test_idle_session_memory() -> None:
    with server_process(["rlvr/Math-v0", "--max-sessions", str(IDLE_SESSIONS + 10), "--idle-timeout", "3600"]) as (
        url,
        process,
    ):

        async def main() -> tuple[int, int, int]:
            warm = await open_idle(url, 50)  # imports and caches, not sessions
            for env in warm:
                await env.close()
            await asyncio.sleep(1.0)
            baseline = rss_bytes(process.pid)
            first = await open_idle(url, 1000)
            at_1000 = rss_bytes(process.pid)
            rest = await open_idle(url, IDLE_SESSIONS - 1000)
            full = rss_bytes(process.pid)
            assert _active(url) == IDLE_SESSIONS
            for env in [*first, *rest]:
                await env.close()
            return baseline, at_1000, full

        start = time.perf_counter()
        baseline, at_1000, full = asyncio.run(main())
        opened_s = time.perf_counter() - start
    per_session = (at_1000 - baseline) / 1000
    LINES.extend(
        [
            "## Idle sessions (connected, one Math-v0 episode reset, waiting)",
            "",
            f"- server RSS: baseline {baseline / 2**20:.0f} MiB, 1,000 idle {at_1000 / 2**20:.0f} MiB "
            f"({per_session / 1024:.0f} KiB per session), {IDLE_SESSIONS:,} idle {full / 2**20:.0f} MiB "
            f"(opened in {opened_s:.0f} s)",
            "",
        ]
    )
    assert full < 2 * 2**30


def test_killed_clients_are_reaped() -> None:
    with server_process(["rlvr/Math-v0", "--max-sessions", str(2 * KILLED_SESSIONS)]) as (url, process):
        # settle 11 s: two reaper rounds (5 s), the second of which releases the freed heap
        first = kill_clients(url, process.pid, KILLED_SESSIONS, settle_s=11.0, warm=100)
        second = kill_clients(url, process.pid, KILLED_SESSIONS, settle_s=11.0, warm=0)
    LINES.extend(
        [
            f"## Clients killed mid-episode ({KILLED_SESSIONS} sessions, SIGKILL, twice; default allocator)",
            "",
            f"- first: {first.line()}",
            f"- second: {second.line()}",
            "",
        ]
    )
    for report in (first, second):
        assert report.held_active == KILLED_SESSIONS and report.remaining == 0
    # Measured (docs/server.md): the first cycle keeps +12.1 to +12.5 MiB whatever the sessions held (one-time
    # growth: step threads, caches, pages pinned by their ~1,900 objects), so 16 MiB + 10% bounds it. After it,
    # memory returns to the baseline: +3.5 to +4.2 MiB measured, so 4 MiB + 10% is the bound.
    held = first.held_bytes - first.baseline_bytes
    assert first.retained_bytes < 16 * 2**20 + 0.1 * held, first.line()
    assert second.retained_bytes < 4 * 2**20 + 0.1 * (second.held_bytes - second.baseline_bytes), second.line()
