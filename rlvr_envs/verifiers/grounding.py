"""Box grounding metrics: IoU, an exact Hungarian assignment, and a matched-box score.

Boxes are ``(x1, y1, x2, y2)`` with ``x2 > x1`` and ``y2 > y1`` in one coordinate system (pixel
edges or normalised). Model boxes are untrusted: `clean_box` turns swapped corners into a proper
box and rejects NaN, infinities and zero-area boxes, and every function here is total on such
input. The assignment is written out (no scipy): box counts per answer are small, and
`matched_iou_score` caps how many predicted boxes enter the assignment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel

Box = tuple[float, float, float, float]

#: Predicted boxes beyond this many are not matched (they still count against the score).
MAX_MATCHED_BOXES = 32


def clean_box(values: Sequence[float]) -> Box | None:
    """A proper box from four numbers (corners put in order), or ``None`` when they are not finite
    or the box has no area. Swapped corners are accepted: they name the same rectangle.
    """
    if len(values) != 4:
        return None
    try:
        x1, y1, x2, y2 = (float(v) for v in values)
    except (TypeError, ValueError, OverflowError):
        return None
    if not all(math.isfinite(v) for v in (x1, y1, x2, y2)):
        return None
    left, right = min(x1, x2), max(x1, x2)
    top, bottom = min(y1, y2), max(y1, y2)
    if right - left <= 0 or bottom - top <= 0 or not math.isfinite((right - left) * (bottom - top)):
        return None
    return (left, top, right, bottom)


def iou(first: Box | None, second: Box | None) -> float:
    """Intersection over union of two boxes (0.0 when either is ``None`` or they do not overlap)."""
    if first is None or second is None:
        return 0.0
    width = min(first[2], second[2]) - max(first[0], second[0])
    height = min(first[3], second[3]) - max(first[1], second[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    union = (first[2] - first[0]) * (first[3] - first[1]) + (second[2] - second[0]) * (second[3] - second[1]) - inter
    if not math.isfinite(union) or union <= 0:
        return 0.0
    return max(0.0, min(1.0, inter / union))


def max_weight_assignment(weights: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Rows matched to columns (each used at most once) maximising the total weight.

    Kuhn-Munkres with potentials, O(n^3) on the padded square matrix; pairs whose weight is not
    positive are dropped from the result (matching them gains nothing).
    """
    rows = len(weights)
    cols = max((len(row) for row in weights), default=0)
    if rows == 0 or cols == 0:
        return []
    n = max(rows, cols)
    top = max((w for row in weights for w in row), default=0.0)
    # minimise cost = top - weight on an n x n matrix (padding costs `top`, i.e. weight 0)
    cost = [[top - (weights[i][j] if i < rows and j < len(weights[i]) else 0.0) for j in range(n)] for i in range(n)]
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (n + 1)
    match = [0] * (n + 1)  # match[j] = row (1-based) assigned to column j
    way = [0] * (n + 1)
    for i in range(1, n + 1):
        match[0] = i
        j0 = 0
        minv = [inf] * (n + 1)
        used = [False] * (n + 1)
        while True:
            used[j0] = True
            i0 = match[j0]
            delta = inf
            j1 = 0
            for j in range(1, n + 1):
                if not used[j]:
                    current = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if current < minv[j]:
                        minv[j] = current
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(n + 1):
                if used[j]:
                    u[match[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    pairs = []
    for j in range(1, n + 1):
        i = match[j] - 1
        if i < rows and j - 1 < len(weights[i]) and weights[i][j - 1] > 0:
            pairs.append((i, j - 1))
    return sorted(pairs)


class BoxMatch(BaseModel):
    """The outcome of matching predicted to gold boxes.

    ``score`` = sum of matched IoUs / max(#predicted, #gold): 1.0 only for a perfect set, lowered
    by every missing, extra or loose box (an extra box costs as much as a missing one).
    """

    score: float
    pairs: list[tuple[int, int]]
    ious: list[float]
    predicted: int
    gold: int


def matched_iou_score(predicted: Sequence[Sequence[float]], gold: Sequence[Sequence[float]]) -> BoxMatch:
    """Hungarian-match ``predicted`` to ``gold`` boxes by IoU and score the set (see `BoxMatch`).

    No gold and no prediction scores 1.0 (nothing to ground, nothing claimed); invalid predicted
    boxes (NaN, zero area, wrong arity) match nothing but still count as predictions.
    """
    gold_boxes = [clean_box(box) for box in gold]
    candidates = [clean_box(box) for box in predicted[:MAX_MATCHED_BOXES]]
    denominator = max(len(predicted), len(gold_boxes))
    if denominator == 0:
        return BoxMatch(score=1.0, pairs=[], ious=[], predicted=0, gold=0)
    table = [[iou(p, g) for g in gold_boxes] for p in candidates]
    pairs = max_weight_assignment(table) if candidates and gold_boxes else []
    ious = [table[i][j] for i, j in pairs]
    return BoxMatch(
        score=min(1.0, sum(ious) / denominator), pairs=pairs, ious=ious, predicted=len(predicted), gold=len(gold_boxes)
    )
