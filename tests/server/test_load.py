"""The short load tests (``make test``) against a served subprocess.

- 100 concurrent sessions for a few seconds: zero errors, every finished episode in ``--record``.
- 200 clients killed mid-episode: every session released, and the server's RSS back at its baseline
  (the baseline is taken after one full open/close cycle of as many sessions, so one-time growth such
  as step threads and caches is not counted; anything a session left behind would be, 200 times).

The full versions (1,000 sessions for 60 s, idle memory, 1,000 killed clients) are
``benchmarks/test_bench_server.py``.
"""

from __future__ import annotations

from pathlib import Path

from rlvr_envs.server import memory
from rlvr_envs.server.loadtest import count_recorded, kill_clients, run_load, server_process, summary

MIB = 2**20


def test_100_concurrent_sessions_no_errors_no_lost_episodes(tmp_path: Path) -> None:
    record = tmp_path / "episodes.jsonl"
    with server_process(["rlvr/Math-v0", "--record", str(record)]) as (url, _):
        report = run_load(url, sessions=100, duration_s=3.0)
    print(summary(report))
    assert report.errors == 0, report.error_codes
    assert len(report.episodes_by_session) == 100 and report.episodes >= 100
    recorded = count_recorded(record)
    assert dict(recorded) == report.episodes_by_session  # every finished episode, no more, no fewer


def test_killed_clients_release_their_memory() -> None:
    # --idle-timeout 4: the reaper (which hands freed heap back to the OS) runs every second
    with server_process(["rlvr/Math-v0", "--idle-timeout", "4"]) as (url, process):
        report = kill_clients(url, process.pid, 200, settle_s=2.5, warm=200)
        environ = Path(f"/proc/{process.pid}/environ").read_bytes().split(b"\0")
    if memory.glibc():  # `rlvr-envs serve` re-executed itself (same pid) with glibc's allocator
        assert b"PYTHONMALLOC=malloc" in environ
    print(report.line())
    assert report.held_active == 200 and report.remaining == 0
    # measured: +1-2 MiB (a leak of 10 KiB per session would add 2 MiB more); the first cycle, where the
    # allocator matters, is the benchmark's
    assert report.retained_bytes < 4 * MIB + 0.1 * (report.held_bytes - report.baseline_bytes), report.line()
