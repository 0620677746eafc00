"""Throughput of the procedural math generators (problems generated per second, one core).

Run: ``.venv/bin/pytest benchmarks/test_bench_math_generation.py`` (add ``--benchmark-disable`` for a
quick smoke run; the table is still measured with ``time.perf_counter``). The table is printed at the
end of the module and written to ``benchmarks/results/math_generation.md``. The arithmetic family
must sustain >= 2,000 problems/s at level 3 (the Math env samples problems on the rollout hot path).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from rlvr_envs.tasks.math.generators import GENERATORS

from .conftest import machine_lines, publish

LEVELS = (0, 3, 8)
FAMILIES = sorted(GENERATORS)
TARGET_BATCH_S = 0.1  # size each timed batch to roughly this long
ROUNDS = 5
ARITHMETIC_L3_MIN = 2_000.0
RESULTS = Path(__file__).parent / "results" / "math_generation.md"

_rates: dict[tuple[str, int], float] = {}


def _batch_fn(family: str, level: int, n: int, seed: int = 0) -> Callable[[], None]:
    gen = GENERATORS[family]
    rng = np.random.default_rng(np.random.SeedSequence([seed, level]))

    def run() -> None:
        for _ in range(n):
            gen.generate(rng, level)

    return run


def _calibrate(family: str, level: int) -> int:
    """Batch size so that one batch takes about ``TARGET_BATCH_S``."""
    probe = 10
    fn = _batch_fn(family, level, probe, seed=99)
    t0 = time.perf_counter()
    fn()
    per = max((time.perf_counter() - t0) / probe, 1e-7)
    return max(5, min(20_000, int(TARGET_BATCH_S / per)))


def _measure_wall(family: str, level: int, n: int) -> float:
    """Median problems/s over ``ROUNDS`` batches, timed directly (works with --benchmark-disable)."""
    fn = _batch_fn(family, level, n, seed=1)
    rates = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        fn()
        rates.append(n / (time.perf_counter() - t0))
    return float(np.median(rates))


@pytest.fixture(scope="module", autouse=True)
def _report(pytestconfig: pytest.Config) -> Iterator[None]:
    yield
    if _rates:
        publish(pytestconfig, RESULTS, _render_table())


def _render_table() -> str:
    lines = [
        "# Math problem generation throughput",
        "",
        "Problems generated per second on one core (median of "
        f"{ROUNDS} batches of ~{TARGET_BATCH_S:.1f} s each), measured by "
        "`benchmarks/test_bench_math_generation.py`.",
        "",
        *machine_lines(),
        "",
        "| family | " + " | ".join(f"level {lv} (/s)" for lv in LEVELS) + " |",
        "|---|" + "---:|" * len(LEVELS),
    ]
    for fam in FAMILIES:
        cells = [f"{_rates[(fam, lv)]:,.0f}" if (fam, lv) in _rates else "-" for lv in LEVELS]
        lines.append(f"| {fam} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("family", FAMILIES)
def test_generation_throughput(benchmark: BenchmarkFixture, family: str, level: int) -> None:
    n = _calibrate(family, level)
    benchmark.group = f"math-generation-level-{level}"
    benchmark.extra_info.update({"family": family, "level": level, "batch": n})
    benchmark.pedantic(  # type: ignore[no-untyped-call]
        _batch_fn(family, level, n), rounds=ROUNDS, warmup_rounds=1, iterations=1
    )
    stats = getattr(benchmark, "stats", None)
    if stats is not None and getattr(stats, "stats", None) is not None:
        rate = n / stats.stats.median
    else:  # --benchmark-disable: time it ourselves
        rate = _measure_wall(family, level, n)
    benchmark.extra_info["problems_per_s"] = rate
    _rates[(family, level)] = rate
    assert rate > 0


def test_arithmetic_level3_meets_target() -> None:
    """Hot-path requirement, measured independently of the benchmark plugin."""
    n = _calibrate("arithmetic", 3)
    rate = _measure_wall("arithmetic", 3, n)
    _rates.setdefault(("arithmetic", 3), rate)
    assert rate >= ARITHMETIC_L3_MIN, f"arithmetic level 3: {rate:,.0f}/s < {ARITHMETIC_L3_MIN:,.0f}/s"
