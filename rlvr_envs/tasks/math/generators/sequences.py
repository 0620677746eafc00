"""Sequences and series: arithmetic / geometric n-th terms and sums, linear recurrences, infinite
geometric series, sums of powers, and "how many terms" questions.

Exact int / ``Fraction`` math (no sympy). Exponentially growing sequences have their index capped so
the answer stays below about ``10^(9 + level // 4)``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from rlvr_envs.tasks.math.generators import register
from rlvr_envs.tasks.math.generators._common import (
    check_level,
    choice,
    latex_frac,
    latex_operand,
    nonzero,
    ordinal,
    rint,
    sample_distinct,
    weighted,
)
from rlvr_envs.tasks.math.problem import MathProblem


def _listing(terms: list[Fraction] | list[int]) -> str:
    return ", ".join(latex_frac(t) for t in terms) + ", \\ldots"


@register
class SequencesGenerator:
    """``3, 7, 11, ...``: find the 40th term; sum the first 20 terms; ``a_n = 2a_{n-1} + a_{n-2}``; ..."""

    name = "sequences"

    def knobs(self, level: int) -> dict[str, int | float]:
        level = check_level(level)
        return {
            "n_max": 10 + 5 * level,  # largest term index asked about
            "coef_max": 5 + 2 * level,  # first term / difference magnitude
            "ratio_max": 2 + level // 3,  # geometric ratio magnitude
            "recurrence_order": 1 + level // 4,
            "templates": min(7, 2 + level),
        }

    def generate(self, rng: np.random.Generator, level: int) -> MathProblem:
        level = check_level(level)
        kn = self.knobs(level)
        names = ["arith_term", "arith_sum", "geom_term", "geom_sum", "recurrence", "infinite", "power_sum"]
        kind = weighted(rng, [(nm, 1.0 if i < int(kn["templates"]) else 0.0) for i, nm in enumerate(names)])
        bound = 10 ** (9 + level // 4)
        question, value, solution = getattr(self, f"_{kind}")(rng, kn, bound)
        value = Fraction(value)
        ans = latex_frac(value)
        form = "an integer" if value.denominator == 1 else "a reduced fraction"
        return MathProblem(
            family=self.name,
            question=f"{question} Give your answer as {form}.",
            answer=ans,
            answer_kind="integer" if value.denominator == 1 else "rational",
            knobs=kn,
            solution=f"{solution} The answer is ${ans}$.",
        )

    @staticmethod
    def _arith_term(rng: np.random.Generator, kn: dict[str, int | float], bound: int) -> tuple[str, int, str]:
        cm = int(kn["coef_max"])
        a, d = rint(rng, -cm, cm), nonzero(rng, -cm, cm)
        n = rint(rng, 5, int(kn["n_max"]))
        value = a + (n - 1) * d
        if kn["templates"] >= 4 and rng.random() < 0.5:
            p, q = sorted(sample_distinct(rng, 1, 8, 2))
            n = rint(rng, 10, int(kn["n_max"]))
            value = a + (n - 1) * d
            q_text = (
                f"In an arithmetic sequence, the {ordinal(p)} term is ${a + (p - 1) * d}$ and the "
                f"{ordinal(q)} term is ${a + (q - 1) * d}$. What is the {ordinal(n)} term?"
            )
            return q_text, value, f"The common difference is ${d}$ and the first term is ${a}$."
        listing = _listing([a + i * d for i in range(4)])
        return (
            f"What is the {ordinal(n)} term of the arithmetic sequence ${listing}$?",
            value,
            f"$a_n = {a} + (n - 1) \\cdot {latex_operand(d)}$.",
        )

    @staticmethod
    def _arith_sum(rng: np.random.Generator, kn: dict[str, int | float], bound: int) -> tuple[str, int, str]:
        cm = int(kn["coef_max"])
        a, d = rint(rng, -cm, cm), nonzero(rng, -cm, cm)
        n = rint(rng, 5, int(kn["n_max"]))
        value = n * (2 * a + (n - 1) * d) // 2
        listing = _listing([a + i * d for i in range(4)])
        return (
            f"Find the sum of the first ${n}$ terms of the arithmetic sequence ${listing}$.",
            value,
            f"$S_n = \\frac{{n}}{{2}}(2a + (n-1)d)$ with $a = {a}$, $d = {d}$, $n = {n}$.",
        )

    @staticmethod
    def _geom_setup(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[int, Fraction]:
        rm = int(kn["ratio_max"])
        a = nonzero(rng, -int(kn["coef_max"]), int(kn["coef_max"]))
        if kn["templates"] >= 5 and rng.random() < 0.3:
            den = rint(rng, 2, rm + 1)
            num = nonzero(rng, -rm - 1, rm + 1)
            while num in (den, -den) or num == 0:
                num = nonzero(rng, -rm - 1, rm + 1)
            r = Fraction(num, den)
            a *= den**3  # keep the first few terms integers
        else:
            r = Fraction(choice(rng, [v for v in range(-rm, rm + 1) if v not in (-1, 0, 1)]))
        return a, r

    @staticmethod
    def _max_index(a: int, r: Fraction, n: int, bound: int) -> int:
        """Largest index <= n whose term (and partial sum) stays within ``bound``."""
        term = Fraction(a)
        k = 1
        while k < n:
            nxt = term * r
            # bound numerator and denominator (not just the value): with r = 5/3 the value grows
            # slowly while the fraction's digits explode
            if abs(nxt.numerator) * 4 * len(str(n)) >= bound or nxt.denominator * 4 >= bound:
                break
            term = nxt
            k += 1
        return k

    def _geom_term(self, rng: np.random.Generator, kn: dict[str, int | float], bound: int) -> tuple[str, Fraction, str]:
        a, r = self._geom_setup(rng, kn)
        n = max(4, self._max_index(a, r, rint(rng, 5, int(kn["n_max"])), bound))
        value = a * r ** (n - 1)
        listing = _listing([a * r**i for i in range(3)])
        return (
            f"What is the {ordinal(n)} term of the geometric sequence ${listing}$?",
            value,
            f"$a_n = a r^{{n-1}}$ with $a = {a}$, $r = {latex_frac(r)}$.",
        )

    def _geom_sum(self, rng: np.random.Generator, kn: dict[str, int | float], bound: int) -> tuple[str, Fraction, str]:
        a, r = self._geom_setup(rng, kn)
        target = rint(rng, 4, int(kn["n_max"]))
        value = Fraction(a) + a * r + a * r**2
        n = 3
        term = a * r**2
        while n < target:  # stop before the partial sum's numerator/denominator exceed the bound
            nxt = value + term * r
            if abs(nxt.numerator) >= bound or nxt.denominator >= bound:
                break
            term *= r
            value = nxt
            n += 1
        listing = _listing([a * r**i for i in range(3)])
        return (
            f"Find the sum of the first ${n}$ terms of the geometric sequence ${listing}$.",
            value,
            f"$S_n = a\\frac{{1 - r^n}}{{1 - r}}$ with $a = {a}$, $r = {latex_frac(r)}$.",
        )

    @staticmethod
    def _recurrence(rng: np.random.Generator, kn: dict[str, int | float], bound: int) -> tuple[str, int, str]:
        order = rint(rng, 1, int(kn["recurrence_order"]))
        coeffs = [nonzero(rng, -3, 3) for _ in range(order)]
        const = rint(rng, -int(kn["coef_max"]), int(kn["coef_max"])) if rng.random() < 0.5 else 0
        init = [rint(rng, -5, 5) for _ in range(order)]
        if all(v == 0 for v in init) and const == 0:
            init[-1] = 1
        seq = list(init)
        target = rint(rng, order + 3, order + 3 + int(kn["n_max"]) // 5)
        while len(seq) < target:
            nxt = const + sum(c * seq[-1 - i] for i, c in enumerate(coeffs))
            if abs(nxt) > bound:
                break
            seq.append(nxt)
        n = len(seq)
        rhs_parts: list[str] = []
        for i, c in enumerate(coeffs):
            idx = "n-1" if i == 0 else f"n-{i + 1}"
            coef = "" if c == 1 else ("-" if c == -1 else str(c))
            term = f"{coef}a_{{{idx}}}"
            if rhs_parts:
                term = f"- {term[1:]}" if term.startswith("-") else f"+ {term}"
            rhs_parts.append(term)
        if const:
            rhs_parts.append(f"- {-const}" if const < 0 else f"+ {const}")
        inits = ", ".join(f"$a_{{{i + 1}}} = {v}$" for i, v in enumerate(init))
        q = f"A sequence is defined by {inits}, and $a_n = {' '.join(rhs_parts)}$ for $n > {order}$. Find $a_{{{n}}}$."
        return q, seq[-1], "Compute the terms one at a time from the recurrence."

    def _infinite(self, rng: np.random.Generator, kn: dict[str, int | float], bound: int) -> tuple[str, Fraction, str]:
        rm = int(kn["ratio_max"]) + 1
        den = rint(rng, 2, rm + 1)
        num = nonzero(rng, -(den - 1), den - 1)
        r = Fraction(num, den)
        a = nonzero(rng, -int(kn["coef_max"]), int(kn["coef_max"])) * r.denominator**2
        value = a / (1 - r)
        series = latex_frac(a)
        for i in range(1, 4):
            t = a * r**i
            series += f" - {latex_frac(-t)}" if t < 0 else f" + {latex_frac(t)}"
        series += " + \\cdots"
        return (
            f"Find the sum of the infinite geometric series ${series}$.",
            value,
            f"Since $|r| = |{latex_frac(r)}| < 1$, the sum is $\\frac{{a}}{{1 - r}}$.",
        )

    @staticmethod
    def _power_sum(rng: np.random.Generator, kn: dict[str, int | float], bound: int) -> tuple[str, int, str]:
        p = rint(rng, 1, 3)
        n = rint(rng, 10, 10 + 2 * int(kn["n_max"]))
        value = sum(k**p for k in range(1, n + 1))
        body = {1: "1 + 2 + 3 + \\cdots", 2: "1^{2} + 2^{2} + 3^{2} + \\cdots", 3: "1^{3} + 2^{3} + 3^{3} + \\cdots"}
        last = f"{n}" if p == 1 else f"{n}^{{{p}}}"
        return f"Compute ${body[p]} + {last}$.", value, "Use the closed-form formula for sums of powers."
