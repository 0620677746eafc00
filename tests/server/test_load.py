"""The short load test (``make test``): 100 concurrent sessions for a few seconds against a served
subprocess; zero errors and every episode the clients finished is in ``--record``. The full one
(1,000 sessions for 60 s, idle memory, killed clients) is ``benchmarks/test_bench_server.py``."""

from __future__ import annotations

from pathlib import Path

from rlvr_envs.server.loadtest import count_recorded, run_load, server_process, summary


def test_100_concurrent_sessions_no_errors_no_lost_episodes(tmp_path: Path) -> None:
    record = tmp_path / "episodes.jsonl"
    with server_process(["rlvr/Math-v0", "--record", str(record)]) as (url, _):
        report = run_load(url, sessions=100, duration_s=3.0)
    print(summary(report))
    assert report.errors == 0, report.error_codes
    assert len(report.episodes_by_session) == 100 and report.episodes >= 100
    recorded = count_recorded(record)
    assert dict(recorded) == report.episodes_by_session  # every finished episode, no more, no fewer
