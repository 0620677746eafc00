"""Realistic model outputs, end to end: extraction policy + verifier against the expected verdict.

The corpus (``tests/math/corpus/``, built by ``python -m tests.math.corpus.build``) holds full
responses in the styles real model families write (``<think>`` + ``\\boxed{}``, markdown headings,
Minerva's "The final answer is", GSM8K's "The answer is", ``<answer>`` tags, self-corrections,
hedges), each with a hand-judged expected verdict.  ``heldout.jsonl`` was never looked at while
tuning the extractor or the verifier; its agreement is reported on its own.  Every disagreement is
printed with the answer extracted and the verifier's method and reason.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from rlvr_envs.core.parsing import extract_answer
from rlvr_envs.verifiers.math import check_answer, check_antiderivative

CORPUS = Path(__file__).parent / "corpus"
REQUIRED = 0.995


def _load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (CORPUS / name).read_text(encoding="utf-8").splitlines() if line]


def grade(item: dict[str, Any]) -> tuple[bool, str]:
    """The verdict our stack gives one corpus item, and why (as MathFamily grades a response)."""
    found = extract_answer(item["response"], item["sources"])
    if found.answer is None:
        return False, "no answer extracted"
    checker = check_antiderivative if item["task"] == "antiderivative" else check_answer
    check = checker(item["gold"], found.answer, problem=item["problem"] or None)
    return check.equal, f"extracted {found.answer!r} via {found.source}; {check.method}: {check.detail}"


def _agreement(name: str) -> tuple[float, list[str], int]:
    items = _load(name)
    misses = []
    for item in items:
        got, why = grade(item)
        if got != item["expected"]:
            misses.append(
                f"{item['id']} [{item['style']}] gold={item['gold']!r} expected={item['expected']} got={got}: {why}"
            )
    return 1 - len(misses) / len(items), misses, len(items)


def test_corpus_makeup() -> None:
    items = _load("corpus.jsonl") + _load("heldout.jsonl")
    assert len(items) >= 1000
    right = sum(item["expected"] for item in items)
    assert 0.4 <= right / len(items) <= 0.6
    datasets = Counter(item["dataset"] for item in items)
    assert {"gsm8k", "math", "aime", "ours"} <= set(datasets)


@pytest.mark.parametrize("name", ["corpus.jsonl", "heldout.jsonl"])
def test_agreement(name: str) -> None:
    agreement, misses, n = _agreement(name)
    print(f"\n{name}: agreement {agreement:.2%} ({n - len(misses)}/{n})")
    for line in misses:
        print("  " + line)
    assert agreement >= REQUIRED, "\n".join(misses)
