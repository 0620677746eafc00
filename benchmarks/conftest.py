"""Benchmarks print their side-by-side ratios and write a markdown table to benchmarks/results/."""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
from pathlib import Path

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
