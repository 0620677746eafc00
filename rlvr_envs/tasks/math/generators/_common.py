"""Shared helpers: exact-number LaTeX rendering and rng shortcuts.

Everything here is sympy-free on purpose: the arithmetic-like families must generate thousands of
problems per second, and sympy's import-time and per-call costs would dominate.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TypeVar

import numpy as np

#: Additive operators, and the LaTeX of every binary operator (shared by expression builders).
ADD_OPS = ("+", "-")
OP_LATEX = {"+": "+", "-": "-", "*": "\\times", "/": "\\div"}

T = TypeVar("T")

Number = int | Fraction
N = TypeVar("N", int, Fraction)


def check_level(level: int) -> int:
    """Reject negative / non-integer levels early: a bad level would otherwise silently skew knobs."""
    if isinstance(level, bool) or not isinstance(level, int | np.integer):
        raise TypeError(f"level must be an int, got {type(level).__name__}")
    if level < 0:
        raise ValueError(f"level must be >= 0, got {level}")
    return int(level)


# ---------------------------------------------------------------------------------------------- rng
def rint(rng: np.random.Generator, lo: int, hi: int) -> int:
    """Uniform integer in ``[lo, hi]`` (inclusive), as a Python int (arbitrary precision)."""
    if hi < lo:
        raise ValueError(f"empty range [{lo}, {hi}]")
    span = hi - lo + 1
    if span < 2**62:
        return lo + int(rng.integers(span))
    # Very high levels: compose from 62-bit chunks so ranges stay unbounded.
    val = 0
    bits = 0
    while (1 << bits) < span * 1024:
        val = (val << 62) | int(rng.integers(2**62))
        bits += 62
    return lo + val % span


def nonzero(rng: np.random.Generator, lo: int, hi: int) -> int:
    """Uniform nonzero integer in ``[lo, hi]`` (which must contain a nonzero value)."""
    while True:
        v = rint(rng, lo, hi)
        if v != 0:
            return v


def signed(rng: np.random.Generator, lo: int, hi: int) -> int:
    """Magnitude uniform in ``[lo, hi]`` (lo >= 1) with a random sign."""
    v = rint(rng, lo, hi)
    return -v if rng.random() < 0.5 else v


def choice(rng: np.random.Generator, seq: Sequence[T]) -> T:
    """Pick one element; avoids ``rng.choice`` which converts to numpy scalars/arrays."""
    return seq[int(rng.integers(len(seq)))]


def weighted(rng: np.random.Generator, options: Sequence[tuple[T, float]]) -> T:
    """Pick among ``(value, weight)`` pairs; zero-weight options are never chosen."""
    total = sum(w for _, w in options)
    x = float(rng.random()) * total
    for value, w in options:
        if w <= 0:
            continue
        x -= w
        if x < 0:
            return value
    return next(v for v, w in reversed(options) if w > 0)


def sample_distinct(rng: np.random.Generator, lo: int, hi: int, k: int) -> list[int]:
    """``k`` distinct integers from ``[lo, hi]`` in random order."""
    if hi - lo + 1 < k:
        raise ValueError("range too small")
    out: list[int] = []
    seen: set[int] = set()
    while len(out) < k:
        v = rint(rng, lo, hi)
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


def digits_range(digits: int) -> tuple[int, int]:
    """Smallest and largest positive integer with exactly ``digits`` digits (1 digit -> 1..9)."""
    return (1 if digits == 1 else 10 ** (digits - 1)), 10**digits - 1


# ------------------------------------------------------------------------------------------- latex
def latex_int(n: int) -> str:
    return str(int(n))


def latex_frac(q: Number) -> str:
    """Reduced fraction: ``\\frac{3}{4}``, ``-\\frac{5}{2}``, or a plain integer."""
    q = Fraction(q)
    if q.denominator == 1:
        return str(q.numerator)
    sign = "-" if q < 0 else ""
    return f"{sign}\\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"


def latex_operand(q: Number) -> str:
    """A number as it appears inside an expression: negatives are parenthesised."""
    s = latex_frac(q)
    return f"\\left({s}\\right)" if q < 0 else s


def terminates(q: Fraction) -> bool:
    """True when ``q`` has a finite decimal expansion (denominator of the form 2^a 5^b)."""
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def decimal_places(q: Fraction) -> int:
    """Number of decimals needed to write ``q`` exactly (``q`` must terminate)."""
    d = q.denominator
    k = 0
    while (10**k) % d:
        k += 1
    return k


def latex_decimal(q: Number, places: int | None = None) -> str:
    """Exact decimal string. With ``places`` the value is rounded half-up to that many decimals and
    always shows them (``12.50``); callers only pass ``places`` when they state it in the question."""
    q = Fraction(q)
    if places is None:
        if not terminates(q):
            raise ValueError(f"{q} has no finite decimal expansion")
        places = decimal_places(q)
    scaled = q * 10**places
    sign = "-" if scaled < 0 else ""
    mag = abs(scaled)
    n = mag.numerator // mag.denominator
    if (mag - n) * 2 >= 1:
        n += 1
    if n == 0:
        sign = ""
    if places == 0:
        return f"{sign}{n}"
    s = str(n).rjust(places + 1, "0")
    return f"{sign}{s[:-places]}.{s[-places:]}"


def latex_set(values: Sequence[str]) -> str:
    """``\\left\\{a, b\\right\\}``; callers pass elements already sorted ascending."""
    return "\\left\\{" + ", ".join(values) + "\\right\\}"


def latex_tuple(values: Sequence[str]) -> str:
    return "\\left(" + ", ".join(values) + "\\right)"


def latex_interval(lo: Number | None, hi: Number | None, lo_closed: bool, hi_closed: bool) -> str:
    """Interval with ``None`` meaning infinite: ``\\left(-\\infty, 3\\right]``."""
    left = "-\\infty" if lo is None else latex_frac(lo)
    right = "\\infty" if hi is None else latex_frac(hi)
    lb = "\\left[" if (lo is not None and lo_closed) else "\\left("
    rb = "\\right]" if (hi is not None and hi_closed) else "\\right)"
    return f"{lb}{left}, {right}{rb}"


def latex_monomial(coef: Number, var: str, power: int, first: bool) -> str:
    """One signed term of a polynomial, e.g. ``- 3 x^{2}`` / ``+ \\frac{1}{2} x`` / ``5``."""
    c = Fraction(coef)
    neg = c < 0
    mag = -c if neg else c
    if power == 0:
        body = latex_frac(mag)
    else:
        vpart = var if power == 1 else f"{var}^{{{power}}}"
        body = vpart if mag == 1 else f"{latex_frac(mag)} {vpart}"
    if first:
        return f"- {body}" if neg else body
    return f"- {body}" if neg else f"+ {body}"


def latex_poly(coeffs: Sequence[Number], var: str = "x") -> str:
    """Polynomial from coefficients listed from the constant term upwards (``coeffs[i]`` * x^i),
    rendered highest degree first in sympy's style (``2 x^{3} - x + 1``)."""
    parts: list[str] = []
    for power in range(len(coeffs) - 1, -1, -1):
        c = coeffs[power]
        if c == 0:
            continue
        parts.append(latex_monomial(c, var, power, first=not parts))
    return " ".join(parts) if parts else "0"


def poly_mul(a: Sequence[N], b: Sequence[N]) -> list[N]:
    """Multiply coefficient lists (constant term first)."""
    out: list[N] = [a[0] * 0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x == 0:
            continue
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def poly_eval(coeffs: Sequence[Number], x: Number) -> Number:
    acc: Number = 0
    for c in reversed(coeffs):
        acc = acc * x + c
    return acc


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``23rd``, ``11th``."""
    suf = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suf}"


def chain_structure(rng: np.random.Generator, n_ops: int, depth: int) -> tuple[int, list[tuple[int, int] | None]]:
    """Shape of a flat operator chain with parenthesised sub-chains (used by arithmetic/fractions).

    Returns ``(m, slots)``: ``m`` operators at this level and ``m + 1`` operand slots, each ``None``
    (a plain number) or ``(ops_inside, depth_inside)`` for a parenthesised group. One group always
    realises the full ``depth``; requires ``n_ops >= depth + 1``.
    """
    groups: list[tuple[int, int]] = []
    if depth > 0:
        spare = max(0, n_ops - 1 - depth)
        c1, c2 = sorted((rint(rng, 0, spare), rint(rng, 0, spare)))
        a, b, c = c1, c2 - c1, spare - c2
        groups.append((depth + a, depth - 1))
        if c >= 1:
            groups.append((c, rint(rng, 0, min(depth - 1, c - 1))))
        else:
            b += c
        m = 1 + b
    else:
        m = max(1, n_ops)
    slots: list[tuple[int, int] | None] = [None] * (m + 1)
    positions = list(range(m + 1))
    for g in groups:
        slots[positions.pop(int(rng.integers(len(positions))))] = g
    return m, slots


def join_and(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"


def article(number: int) -> str:
    """English article before a spoken number: "an 8", "an 11", "an 80", "a 15"."""
    s = str(number)
    return "an" if s.startswith("8") or s in ("11", "18") or (len(s) in (5, 6) and s[:2] in ("11", "18")) else "a"
