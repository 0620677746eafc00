"""Benchmarks print their side-by-side ratios and write a markdown table to benchmarks/results/."""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import rlvr_envs  # noqa: F401

RESULTS = Path(__file__).with_name("results")
RESULTS.mkdir(exist_ok=True)


def machine_lines() -> list[str]:
    """The "measured" and "python on machine" lines that head every results table."""
    return [
        f"- measured: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} logical CPUs visible (shared machine; expect noise)",
    ]


def publish(config: pytest.Config, path: Path, table: str) -> None:
    """Write ``table`` to ``path`` and print it on the terminal, also from a fixture's teardown
    (which runs under output capture, so capture is suspended while printing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(table)
    reporter = config.pluginmanager.getplugin("terminalreporter")
    if reporter is None:
        return
    capman = config.pluginmanager.getplugin("capturemanager")
    suspend = capman.global_and_fixture_disabled() if capman is not None else contextlib.nullcontext()
    with suspend:
        reporter.write_line("")
        for line in table.splitlines():
            reporter.write_line(line)


def median_ms(make_run: Callable[[int], Callable[[], Any]], rounds: int) -> float:
    """Median milliseconds of ``make_run(seed)()`` over seeds ``0..rounds-1`` (after one warm-up run).

    ``make_run`` does its set-up outside the timed call, so each round times only the work itself.
    """
    make_run(10_000)()  # warm-up (imports, caches)
    times = []
    for seed in range(rounds):
        run = make_run(seed)
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000
