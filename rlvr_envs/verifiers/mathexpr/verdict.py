"""The verdict vocabulary shared by the fast path, the worker pool and the public API."""

from __future__ import annotations

from typing import Literal, NamedTuple, TypeAlias

Method: TypeAlias = Literal[
    "exact", "numeric", "rational", "sympy", "math_verify", "timeout", "unparseable", "too_long"
]


class Verdict(NamedTuple):
    """One decision: equal or not, who decided (``Method``) and a short reason."""

    equal: bool
    method: Method
    detail: str
