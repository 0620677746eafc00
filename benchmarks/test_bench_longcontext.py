"""Episode assembly time of the long-context envs versus context length (targets: 32k <= 200 ms and
128k <= 1 s, median).

For each length we time, on fresh seeds (so every run builds a new world):

- **QA generate**: `LongContextQAFamily.generate` (world, question, rendering, assembly to the exact
  length) with the level-7 knobs (4 hops, all question types, 90 % high-confusability distractors,
  the costliest mix) and the length pinned;
- **QA reset**: `gym.make("rlvr/LongContextQA-v0").reset(...)` end to end;
- **Search reset + index**: `reset` of LongContextSearch-v0 plus the first `search` call, which
  builds the BM25 index over the collection;
- **QA generate, tokenizer**: the same with an exact tokenizer (a regex word-piece counter standing
  in for a real one; a real BPE tokenizer adds its own cost).

Run: ``.venv/bin/pytest benchmarks/test_bench_longcontext.py -o addopts="" -s`` (add
``--benchmark-disable`` for a quick run: the table is timed with ``time.perf_counter`` either way).
The table is printed and written to ``benchmarks/results/longcontext_assembly.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import rlvr_envs
from rlvr_envs.tasks.longcontext import LongContextQAFamily

from .conftest import RESULTS, machine_lines, median_ms, publish

SIZES = (1024, 4096, 8192, 32768, 65536, 131072)
TARGETS_MS = {32768: 200.0, 131072: 1000.0}
LEVEL = 7
_PIECES = re.compile(r"\w+|[^\w\s]")
_medians: dict[tuple[str, int], float] = {}


def _rounds(size: int) -> int:
    return 25 if size <= 8192 else 11


def _word_pieces(text: str) -> int:
    return sum(1 for _ in _PIECES.finditer(text))


def _generate(family: LongContextQAFamily) -> Callable[[int], Callable[[], Any]]:
    def make_run(seed: int) -> Callable[[], Any]:
        rng = np.random.default_rng(np.random.SeedSequence([seed, LEVEL]))
        return lambda: family.generate(rng, LEVEL, task_id=f"bench:{LEVEL}:{seed}")

    return make_run


def _reset(env_id: str, size: int, search: bool) -> Callable[[int], Callable[[], Any]]:
    env = gym.make(env_id, context_tokens=size)
    search_call = '<tool_call>{"name": "search", "arguments": {"query": "founder of the institute"}}</tool_call>'

    def make_run(seed: int) -> Callable[[], Any]:
        def run() -> None:
            env.reset(seed=seed, options={"level": LEVEL})
            if search:
                env.step(search_call)

        return run

    return make_run


@pytest.fixture(scope="module", autouse=True)
def _report(pytestconfig: pytest.Config) -> Iterator[None]:
    yield
    if _medians:
        publish(pytestconfig, RESULTS / "longcontext_assembly.md", _render())


COLUMNS = ("QA generate", "QA reset", "Search reset + index", "QA generate, tokenizer")


def _render() -> str:
    lines = [
        "# Long-context episode assembly time",
        "",
        "Median milliseconds per episode over fresh seeds (25 rounds up to 8k tokens, 11 above), level-7 knobs",
        "(4 hops, all question types, 90 % high-confusability distractors) with the length pinned; measured by",
        "`benchmarks/test_bench_longcontext.py`. Targets: 32k <= 200 ms, 128k <= 1000 ms (QA reset).",
        "",
        *machine_lines(),
        "",
        "| tokens | " + " | ".join(f"{c} (ms)" for c in COLUMNS) + " |",
        "|---:|" + "---:|" * len(COLUMNS),
    ]
    for size in SIZES:
        cells = [f"{_medians[(c, size)]:.1f}" if (c, size) in _medians else "-" for c in COLUMNS]
        lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    qa = [(size, _medians[("QA reset", size)]) for size in SIZES if ("QA reset", size) in _medians]
    if len(qa) >= 2:
        (s0, t0), (s1, t1) = qa[-2], qa[-1]
        lines += ["", f"Scaling: {s0:,} -> {s1:,} tokens multiplies the QA reset time by {t1 / t0:.2f} "
                  f"({s1 / s0:.0f}x the tokens)."]  # fmt: skip
    lines.append("")
    return "\n".join(lines)


@pytest.mark.parametrize("size", SIZES)
def test_assembly_time(benchmark: Any, size: int) -> None:
    family = LongContextQAFamily(context_tokens=size)
    rounds = _rounds(size)
    benchmark.group = "longcontext-assembly"
    benchmark.extra_info["tokens"] = size
    seeds = iter(range(10**6))
    benchmark.pedantic(  # type: ignore[no-untyped-call]
        lambda: _generate(family)(next(seeds))(), rounds=rounds, warmup_rounds=1, iterations=1
    )
    _medians[("QA generate", size)] = median_ms(_generate(family), rounds)
    _medians[("QA reset", size)] = median_ms(_reset("rlvr/LongContextQA-v0", size, search=False), rounds)
    _medians[("Search reset + index", size)] = median_ms(_reset("rlvr/LongContextSearch-v0", size, True), rounds)
    exact = LongContextQAFamily(context_tokens=size, tokenizer=_word_pieces)
    _medians[("QA generate, tokenizer", size)] = median_ms(_generate(exact), max(5, rounds // 2))
    target = TARGETS_MS.get(size)
    if target is not None:
        assert _medians[("QA reset", size)] <= target, f"{size} tokens: {_medians[('QA reset', size)]:.0f} ms"
    task = rlvr_envs.unwrap(gym.make("rlvr/LongContextQA-v0", context_tokens=size)).family.generate(
        np.random.default_rng(0), LEVEL, task_id="bench:check"
    )
    assert abs(task.metadata["prompt_tokens"] - size) <= 0.05 * size
    benchmark.extra_info["medians_ms"] = json.dumps({c: _medians.get((c, size)) for c in COLUMNS})
