"""How narrow MathArith-v0's answers are, and what the two fixes tried would cost (docs/shortcuts.md, 'Open').

``python -m scripts.matharith_answer_range [--draws 8000]`` prints, per level of the graded
schedule: the commonest value's share and those of 0 and 1; the share of draws a "no-work part"
redraw rule would redraw (a factor 1, ``n ÷ n`` as a whole term, two terms that cancel); and the
share of draws a flattening to at most 1.25% per value would keep. Nothing here is used by the env.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from fractions import Fraction

import numpy as np

from rlvr_envs.tasks.math.arith_graded import MAX_LEVEL, graded_problem

_TERM_SPLIT = re.compile(r"\s([+-])\s")


def _terms(expr: str) -> list[tuple[str, list[int], list[str]]] | None:
    """(sign, factors, operators) of each additive term of a flat chain (``None``: parentheses)."""
    if re.search(r"\((?!-\d+\))", expr):  # a parenthesised sub-chain: not split here
        return None
    flat = expr.replace("\\times", "*").replace("\\div", "/")
    pieces = _TERM_SPLIT.split(" " + flat)
    out, sign = [], "+"
    for piece in pieces:
        if piece in ("+", "-"):
            sign = piece
            continue
        if not piece.strip():
            continue
        tokens = piece.replace("(", "").replace(")", "").split()
        out.append((sign, [int(t) for t in tokens if t not in "*/"], [t for t in tokens if t in ("*", "/")]))
    return out


def has_no_work_part(expr: str) -> bool | None:
    """A factor 1, a whole term ``n ÷ n``, or two terms that cancel (``None``: not checked, parentheses)."""
    terms = _terms(expr)
    if terms is None:
        return None
    values = []
    for sign, factors, ops in terms:
        value = Fraction(factors[0])
        if len(factors) > 1 and any(abs(f) == 1 for f in factors):
            return True
        for op, f in zip(ops, factors[1:], strict=True):
            value = value * f if op == "*" else value / f
        if len(factors) == 2 and ops == ["/"] and abs(value) == 1:
            return True
        values.append(value if sign == "+" else -value)
    return any(a == -b != 0 for i, a in enumerate(values) for b in values[i + 1 :])


def flattened_keep(shares: np.ndarray, target: float) -> float:
    """The share of draws kept when values are thinned so that none exceeds ``target`` afterwards."""
    lo, hi = 0.0, float(shares.max())
    for _ in range(60):
        mid = (lo + hi) / 2
        if mid / np.minimum(shares, mid).sum() > target:
            hi = mid
        else:
            lo = mid
    return float(np.minimum(shares, lo).sum())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=8000)
    args = parser.parse_args(argv)
    print("| level | commonest value | 0 | 1 | no-work redraws | 0 / 1 after them | kept by a 1.25% flattening |")
    print("|---|---|---|---|---|---|---|")
    for level in range(MAX_LEVEL + 1):
        rng = np.random.default_rng([2026, level])
        draws = [graded_problem(rng, level)[:2] for _ in range(args.draws)]
        counts = Counter(value for _, value in draws)
        verdicts = [has_no_work_part(expr) for expr, _ in draws]
        kept = Counter(value for (_, value), bad in zip(draws, verdicts, strict=True) if bad is False)
        n_kept = max(1, kept.total())
        checked = sum(v is not None for v in verdicts)
        value, top = counts.most_common(1)[0]
        shares = np.array(list(counts.values())) / args.draws
        no_work = (
            f"{1 - kept.total() / checked:.0%} | {kept[0] / n_kept:.1%} / {kept[1] / n_kept:.1%}"
            if checked == args.draws
            else "not checked (parentheses) | -"
        )
        common = f"{value}: {top / args.draws:.1%} | {counts[0] / args.draws:.1%} | {counts[1] / args.draws:.1%}"
        print(f"| {level} | {common} | {no_work} | {flattened_keep(shares, 0.0125):.0%} |", flush=True)


if __name__ == "__main__":
    main()
