"""The judge: compares what a program produced with what was expected, in the parent process.

Inputs are plain data (text, or values decoded from JSON): a program's objects never reach this
module, so an ``__eq__`` that always says yes, a patched ``print`` or a fake "PASS" line cannot
influence the comparison.
"""

from __future__ import annotations

import math
from typing import Any


def normalise_output(text: str) -> list[str]:
    """Lines with trailing whitespace removed and trailing blank lines dropped (``\\r\\n`` = ``\\n``)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _tokens_match(expected: str, got: str, float_tol: float) -> bool:
    left, right = expected.split(), got.split()
    if len(left) != len(right):
        return False
    for a, b in zip(left, right, strict=True):
        if a == b:
            continue
        try:
            x, y = float(a), float(b)
        except ValueError:
            return False
        if not (math.isfinite(x) and math.isfinite(y)) or abs(x - y) > float_tol * max(1.0, abs(x)):
            return False
    return True


def outputs_match(expected: str, got: str, *, float_tol: float | None = None) -> bool:
    """Stdout comparison: equal after `normalise_output`; with ``float_tol``, numbers compare with a
    relative/absolute tolerance token by token (other tokens must be identical)."""
    left, right = normalise_output(expected), normalise_output(got)
    if left == right:
        return True
    if float_tol is None or len(left) != len(right):
        return False
    return all(_tokens_match(a, b, float_tol) for a, b in zip(left, right, strict=True))


def values_match(expected: Any, got: Any, *, float_tol: float | None = None) -> bool:
    """Strict structural equality of JSON data: ``True`` is not ``1``, ``"1"`` is not ``1``;
    ``2`` equals ``2.0``; floats may differ by ``float_tol`` (relative to the expected size)."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        if isinstance(expected, int) and isinstance(got, int):
            return expected == got
        x, y = float(expected), float(got)
        if not (math.isfinite(x) and math.isfinite(y)):
            return False
        tolerance = float_tol if float_tol is not None else 0.0
        return x == y or abs(x - y) <= tolerance * max(1.0, abs(x))
    if isinstance(expected, str) or isinstance(got, str):
        return type(expected) is type(got) and expected == got
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(
            values_match(a, b, float_tol=float_tol) for a, b in zip(expected, got, strict=True)
        )
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(
            values_match(expected[key], got[key], float_tol=float_tol) for key in expected
        )
    return False
