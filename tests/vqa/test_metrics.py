"""ROUGE-L and BLEU (rlvr_envs.verifiers.text), used for caption overlap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rlvr_envs.verifiers.text import bleu, rouge_l


def test_rouge_l_values() -> None:
    assert rouge_l("the large red circle", "the large red circle") == 1.0
    # LCS "large red circle" (3 of 3 predicted, 3 of 4 gold after dropping articles)
    assert rouge_l("the large red circle", "a large red striped circle") == pytest.approx(2 * 1 * 0.75 / 1.75)
    assert rouge_l("circle red large", "large red circle") == pytest.approx(1 / 3)  # order matters
    assert rouge_l("", "large red circle") == 0.0
    assert rouge_l("blue square", "large red circle") == 0.0


def test_bleu_values() -> None:
    assert bleu("large red striped circle", "large red striped circle") == pytest.approx(1.0)
    assert bleu("green square", "large red striped circle") == 0.0
    partial = bleu("large red circle", "large red striped circle")
    assert 0.2 < partial < 0.8
    assert bleu("red", "large red striped circle") < partial  # brevity penalty


@given(st.text(max_size=200), st.text(max_size=200))
def test_metrics_are_total_and_bounded(a: str, b: str) -> None:
    for metric in (rouge_l, bleu):
        assert 0.0 <= metric(a, b) <= 1.0 + 1e-12
