"""Benchmarks print their side-by-side ratios and write a markdown table to benchmarks/results/."""

from __future__ import annotations

from pathlib import Path

import rlvr_envs  # noqa: F401

RESULTS = Path(__file__).with_name("results")
RESULTS.mkdir(exist_ok=True)
