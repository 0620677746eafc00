"""IoU, the Hungarian assignment (against brute force) and the matched-box score's edge cases."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_envs.verifiers.grounding import (
    MAX_MATCHED_BOXES,
    clean_box,
    iou,
    matched_iou_score,
    max_weight_assignment,
)


def _brute_force(weights: list[list[float]]) -> float:
    rows = len(weights)
    cols = len(weights[0]) if weights else 0
    if not rows or not cols:
        return 0.0
    if rows <= cols:
        return max(sum(weights[i][p[i]] for i in range(rows)) for p in itertools.permutations(range(cols), rows))
    return max(sum(weights[p[j]][j] for j in range(cols)) for p in itertools.permutations(range(rows), cols))


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 6).flatmap(
        lambda rows: st.integers(0, 6).flatmap(
            lambda cols: st.lists(
                st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(0, 1), min_size=cols, max_size=cols),
                min_size=rows,
                max_size=rows,
            )
        )
    )
)
def test_assignment_is_optimal_like_brute_force(weights: list[list[float]]) -> None:
    pairs = max_weight_assignment(weights)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    assert sum(weights[i][j] for i, j in pairs) == pytest.approx(_brute_force(weights), abs=1e-9)


def test_iou_basics() -> None:
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert iou((0, 0, 10, 10), (10, 0, 20, 10)) == 0.0  # touching edges do not overlap
    assert iou((0, 0, 10, 10), (2, 2, 4, 4)) == pytest.approx(4 / 100)
    assert iou(None, (0, 0, 1, 1)) == 0.0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([1, 2, 3, 4], (1.0, 2.0, 3.0, 4.0)),
        ([3, 4, 1, 2], (1.0, 2.0, 3.0, 4.0)),  # swapped corners name the same rectangle
        ([3, 2, 1, 4], (1.0, 2.0, 3.0, 4.0)),
        ([1, 1, 1, 5], None),  # zero width
        ([1, 1, 5, 1], None),  # zero height
        ([float("nan"), 0, 1, 1], None),
        ([0, 0, float("inf"), 1], None),
        ([0, 0, 1e308, 1e308], None),  # finite corners, infinite area
        ([1, 2, 3], None),
        (["a", 0, 1, 1], None),
    ],
)
def test_clean_box(raw: list[float], expected: tuple[float, ...] | None) -> None:
    assert clean_box(raw) == expected


GOLD = [[10, 10, 20, 20], [30, 30, 50, 50]]


def test_matched_score_edge_cases() -> None:
    assert matched_iou_score([], []).score == 1.0  # nothing to ground, nothing claimed
    assert matched_iou_score([[0, 0, 5, 5]], []).score == 0.0  # a box where there is nothing
    assert matched_iou_score([], GOLD).score == 0.0  # no boxes
    assert matched_iou_score(GOLD, GOLD).score == 1.0
    assert matched_iou_score(list(reversed(GOLD)), GOLD).score == 1.0  # order does not matter
    assert matched_iou_score(GOLD[:1], GOLD).score == pytest.approx(0.5)  # a missing box
    assert matched_iou_score([*GOLD, [60, 60, 70, 70]], GOLD).score == pytest.approx(2 / 3)  # an extra box
    assert matched_iou_score([*GOLD, *GOLD], GOLD).score == pytest.approx(0.5)  # duplicates are extras
    assert matched_iou_score([[20, 20, 10, 10], [50, 50, 30, 30]], GOLD).score == 1.0  # swapped corners
    assert matched_iou_score([[10, 10, 10, 20], GOLD[1]], GOLD).score == pytest.approx(0.5)  # degenerate box
    assert matched_iou_score([[math.nan] * 4, GOLD[1]], GOLD).score == pytest.approx(0.5)
    assert matched_iou_score([[0, 0, 1e300, 1e300]], GOLD).score == pytest.approx(0.0, abs=1e-12)  # huge box
    assert matched_iou_score([[1e308, 1e308, -1e308, -1e308]], GOLD).score == 0.0  # overflowing area


def test_covering_everything_with_one_big_box_scores_low() -> None:
    gold = [[0, 0, 10, 10], [100, 100, 110, 110], [200, 0, 210, 10]]
    assert matched_iou_score([[0, 0, 336, 336]], gold).score < 0.01


def test_many_predicted_boxes_stay_fast_and_count_against_the_score() -> None:
    predicted = [[i, i, i + 10, i + 10] for i in range(1000)]
    result = matched_iou_score(predicted, GOLD)
    assert result.predicted == 1000 and result.score <= 2 / 1000
    assert len(result.pairs) <= min(MAX_MATCHED_BOXES, len(GOLD))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=0, max_size=5), max_size=8))
def test_score_is_total_and_bounded(predicted: list[list[float]]) -> None:
    result = matched_iou_score(predicted, GOLD)
    assert 0.0 <= result.score <= 1.0
