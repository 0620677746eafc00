"""Rational arithmetic: sums, products and quotients of fractions, with parentheses at higher levels.

Exact ``fractions.Fraction`` math and hand-written LaTeX (no sympy) so it stays fast. The answer is
the reduced fraction (or an integer when the denominator is 1).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from rlvr_envs.tasks.math.generators import register
from rlvr_envs.tasks.math.generators._common import (
    ADD_OPS as _ADD,
)
from rlvr_envs.tasks.math.generators._common import (
    OP_LATEX as _OP_LATEX,
)
from rlvr_envs.tasks.math.generators._common import (
    chain_structure,
    check_level,
    choice,
    latex_frac,
    rint,
)
from rlvr_envs.tasks.math.problem import MathProblem

_MAX_TRIES = 200


@register
class FractionsGenerator:
    """Evaluate e.g. ``\\frac{2}{3} - \\frac{1}{4} \\times \\left(\\frac{5}{6} + 2\\right)``."""

    name = "fractions"

    def knobs(self, level: int) -> dict[str, int | float]:
        level = check_level(level)
        return {
            "max_den": 4 + 2 * level,  # largest denominator of an operand
            "num_ops": 1 + (level + 1) // 2,  # binary operators
            "depth": level // 4,  # parenthesis nesting depth
            "operators": min(4, 2 + level),  # +-, then x, then div
            "negatives": 1 if level >= 2 else 0,
            "integer_operands": 1 if level >= 3 else 0,  # mix whole numbers in
        }

    def generate(self, rng: np.random.Generator, level: int) -> MathProblem:
        level = check_level(level)
        kn = self.knobs(level)
        limit = 10 ** (5 + level // 2)
        for _ in range(_MAX_TRIES):
            built = _Builder(rng, kn, limit).chain(int(kn["num_ops"]), int(kn["depth"]), group=False)
            # whole-number results are allowed but kept rare: they make the fraction work moot
            if built is not None and (built[1].denominator != 1 or rng.random() < 0.2):
                break
        else:  # pragma: no cover
            raise RuntimeError("fractions: could not build an expression within the size limit")
        assert built is not None
        expr, value = built
        answer = latex_frac(value)
        question = (
            f"Compute ${expr}$. Give your answer as a reduced fraction "
            "(or as an integer if the result is a whole number)."
        )
        solution = (
            "Work inside parentheses first, multiply/divide before adding/subtracting, and bring "
            f"sums to a common denominator. Reducing gives ${answer}$."
        )
        return MathProblem(
            family=self.name,
            question=question,
            answer=answer,
            answer_kind="integer" if value.denominator == 1 else "rational",
            knobs=kn,
            solution=solution,
        )


class _Builder:
    __slots__ = ("kn", "limit", "max_den", "mult_ops", "rng")

    def __init__(self, rng: np.random.Generator, kn: dict[str, int | float], limit: int) -> None:
        self.rng = rng
        self.kn = kn
        self.limit = limit
        self.max_den = int(kn["max_den"])
        ops = int(kn["operators"])
        self.mult_ops: tuple[str, ...] = ("*", "/")[: max(0, ops - 2)]

    def leaf(self) -> tuple[str, Fraction]:
        rng = self.rng
        if self.kn["integer_operands"] and rng.random() < 0.15:
            v = Fraction(rint(rng, 1, max(3, self.max_den // 2)))
            tex = str(v.numerator)
        else:
            while True:
                den = rint(rng, 2, self.max_den)
                num = rint(rng, 1, 2 * den - 1)
                if num % den:
                    break
            v = Fraction(num, den)
            tex = f"\\frac{{{num}}}{{{den}}}"
        if self.kn["negatives"] and rng.random() < 0.25:
            return f"\\left(-{tex}\\right)", -v
        return tex, v

    def chain(self, n_ops: int, depth: int, group: bool) -> tuple[str, Fraction] | None:
        rng = self.rng
        m, slots = chain_structure(rng, n_ops, depth)
        ops = [
            choice(rng, self.mult_ops) if self.mult_ops and rng.random() < 0.45 else choice(rng, _ADD) for _ in range(m)
        ]
        if group and all(o not in _ADD for o in ops):
            ops[int(rng.integers(m))] = choice(rng, _ADD)
        operands: list[tuple[str, Fraction]] = []
        for k, slot in enumerate(slots):
            if slot is None:
                operands.append(self.leaf())
                continue
            inner = self.chain(slot[0], slot[1], group=True)
            if inner is None:
                return None
            if k > 0 and ops[k - 1] == "/" and inner[1] == 0:
                ops[k - 1] = "*"
            operands.append((f"\\left({inner[0]}\\right)", inner[1]))
        # precedence: fold x/div into terms, then add
        pieces = [operands[0][0]]
        total = Fraction(0)
        sign = "+"
        term = operands[0][1]
        for op, (tex, v) in zip(ops, operands[1:], strict=True):
            pieces.append(f" {_OP_LATEX[op]} {tex}")
            if op == "*":
                term *= v
            elif op == "/":
                term /= v
            else:
                total = total + term if sign == "+" else total - term
                sign, term = op, v
            if abs(term.numerator) > self.limit or term.denominator > self.limit:
                return None
        total = total + term if sign == "+" else total - term
        if abs(total.numerator) > self.limit or total.denominator > self.limit:
            return None
        return "".join(pieces), total
