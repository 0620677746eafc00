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


_TAGS = ("$tuple", "$set", "$frozenset", "$dict", "$complex", "$bytes", "$float")
_SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def encode_value(value: Any) -> Any:
    """Python data as the typed JSON `decode_value` reads (the harness's own encoding), so that a
    task stored as JSON keeps tuples and sets in its expected values."""
    from rlvr_envs.verifiers.sandbox._harness import typed

    return typed(value)


def decode_value(data: Any) -> Any:
    """A returned value from the harness's typed JSON (see ``_harness.typed``) as Python data.

    Raises ``ValueError`` on anything the harness would not write (the channel is the program's
    to corrupt, so nothing here trusts it: no ``eval``, no classes, only builtin containers)."""
    if isinstance(data, list):
        return [decode_value(item) for item in data]
    if not isinstance(data, dict):
        return data
    if len(data) != 1 or next(iter(data)) not in _TAGS:
        raise ValueError(f"unexpected object in a returned value: {sorted(data)[:3]}")
    ((tag, body),) = data.items()
    if tag == "$float":
        if body not in _SPECIAL_FLOATS:
            raise ValueError(f"unexpected float tag {body!r}")
        return _SPECIAL_FLOATS[body]
    if tag == "$bytes":
        return bytes.fromhex(str(body))
    if not isinstance(body, list):
        raise ValueError(f"{tag} must hold a list")
    items = [decode_value(item) for item in body]
    try:
        if tag == "$tuple":
            return tuple(items)
        if tag == "$set":
            return set(items)
        if tag == "$frozenset":
            return frozenset(items)
        if tag == "$complex":
            real, imag = items
            return complex(real, imag)
        return {key: value for key, value in (tuple(pair) for pair in items)}  # "$dict": [[k, v], ...]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"malformed {tag} in a returned value ({exc})") from exc


def _numbers_match(expected: float | int, got: float | int, float_tol: float | None) -> bool:
    if isinstance(expected, int) and isinstance(got, int):
        return expected == got
    x, y = float(expected), float(got)
    if not (math.isfinite(x) and math.isfinite(y)):  # nan and inf never match: no free pass for overflow
        return False
    tolerance = float_tol if float_tol is not None else 0.0
    return x == y or abs(x - y) <= tolerance * max(1.0, abs(x))


def _sets_match(expected: set[Any] | frozenset[Any], got: set[Any] | frozenset[Any], float_tol: float | None) -> bool:
    if len(expected) != len(got):
        return False
    if expected == got or float_tol is None:  # members are hashable builtins: Python's own equality
        return expected == got
    left = list(got)
    for item in expected:  # greedy: sets of floats with a tolerance
        match = next((i for i, other in enumerate(left) if values_match(item, other, float_tol=float_tol)), None)
        if match is None:
            return False
        left.pop(match)
    return True


def values_match(expected: Any, got: Any, *, float_tol: float | None = None, tuple_as_list: bool = False) -> bool:
    """Compare Python values as a benchmark's ``assert got == expected`` would, with two exceptions.

    * Types matter as they do to ``==``: a tuple is not a list, a set not a list, ``"1"`` not ``1``;
      ``2`` equals ``2.0``. Stricter than ``==``: ``True`` is not ``1`` (a bool answer to a count
      is wrong), and ``nan`` / ``inf`` match nothing.
    * Floats may differ by ``float_tol`` relative to the expected size (at least 1.0 absolute):
      the tolerance a dataset declares.

    ``tuple_as_list`` accepts a *returned* top-level tuple where a list is expected, as APPS's and
    LiveCodeBench's harnesses do (they call ``list()`` on a tuple before comparing).
    """
    if tuple_as_list and isinstance(got, tuple) and isinstance(expected, list):
        got = list(got)
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return _numbers_match(expected, got, float_tol)
    if isinstance(expected, complex) or isinstance(got, complex):
        return (
            isinstance(expected, complex | int | float)
            and isinstance(got, complex | int | float)
            and _numbers_match(complex(expected).real, complex(got).real, float_tol)
            and _numbers_match(complex(expected).imag, complex(got).imag, float_tol)
        )
    if isinstance(expected, str | bytes) or isinstance(got, str | bytes):
        return type(expected) is type(got) and expected == got
    if expected is None or got is None:
        return expected is None and got is None
    for kind in (list, tuple):
        if isinstance(expected, kind) or isinstance(got, kind):
            return (
                isinstance(expected, kind)
                and isinstance(got, kind)
                and len(expected) == len(got)
                and all(values_match(a, b, float_tol=float_tol) for a, b in zip(expected, got, strict=True))
            )
    if isinstance(expected, set | frozenset) and isinstance(got, set | frozenset):
        return _sets_match(expected, got, float_tol)
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(
            values_match(expected[key], got[key], float_tol=float_tol) for key in expected
        )
    return False
