"""Derivatives, indefinite integrals (answer without +C) and definite integrals of polynomials.

Integrals are built backwards: integrand pieces are drawn from a catalogue whose *natural*
antiderivative is known and has no additive constant, so the gold answer is exact and unambiguous
(up to equivalent rewriting) without calling ``sympy.integrate``. Derivatives use ``sympy.diff``.
Definite integrals use exact ``Fraction`` arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np
import sympy

from rlvr_envs.tasks.math.generators import register
from rlvr_envs.tasks.math.generators._common import (
    check_level,
    choice,
    latex_frac,
    latex_poly,
    nonzero,
    poly_eval,
    rint,
    sample_distinct,
    weighted,
)
from rlvr_envs.tasks.math.problem import MathProblem

_X = sympy.Symbol("x")
_UNARY: tuple[Callable[[sympy.Expr], sympy.Expr], ...] = (sympy.sin, sympy.cos, sympy.exp)


def tex(expr: sympy.Expr) -> str:
    """LaTeX with ``\\ln`` (``\\log`` would be read as base 10 by some parsers)."""
    return str(sympy.latex(expr, ln_notation=True))


@register
class CalculusGenerator:
    """Differentiate ``x^2 e^{3x}``, integrate ``2x\\cos(x^2)`` (no +C), evaluate ``\\int_0^2 (x^2+1) dx``."""

    name = "calculus"

    def knobs(self, level: int) -> dict[str, int | float]:
        level = check_level(level)
        return {
            "degree": 2 + level // 2,  # polynomial degree
            "terms": 2 + level // 3,  # summands in the function
            "coef_max": 5 + level,
            "func_tier": min(4, level // 2),  # 0 poly, 1 exp/trig, 2 products, 3 chain rule, 4 quotients
            "nesting": level // 8,  # extra function compositions on top of the tier
            "bound_max": 2 + level // 2,  # |limits| of definite integrals
            "task_types": min(3, 1 + level),  # derivative, + indefinite, + definite
        }

    def generate(self, rng: np.random.Generator, level: int) -> MathProblem:
        kn = self.knobs(level)
        t = int(kn["task_types"])
        kind = weighted(
            rng,
            [("derivative", 1.0), ("indefinite", 1.0 if t >= 2 else 0.0), ("definite", 0.7 if t >= 3 else 0.0)],
        )
        if kind == "derivative":
            return self._derivative(rng, kn)
        if kind == "indefinite":
            return self._indefinite(rng, kn)
        return self._definite(rng, kn)

    # --------------------------------------------------------------------------------- pieces
    def _poly(self, rng: np.random.Generator, kn: dict[str, int | float], n_terms: int) -> list[int]:
        deg = int(kn["degree"])
        cm = int(kn["coef_max"])
        coeffs = [0] * (deg + 1)
        coeffs[deg] = nonzero(rng, -cm, cm)
        for p in sample_distinct(rng, 0, deg - 1, min(deg, max(0, n_terms - 1))):
            coeffs[p] = nonzero(rng, -cm, cm)
        return coeffs

    def _deriv_piece(self, rng: np.random.Generator, kn: dict[str, int | float], tier: int) -> sympy.Expr:
        """One summand for a differentiation problem, using rules up to ``tier``."""
        cm = int(kn["coef_max"])
        c = nonzero(rng, -cm, cm)
        k = nonzero(rng, -3, 3)
        n = rint(rng, 1, max(1, int(kn["degree"]) - 1))
        g = choice(rng, _UNARY)
        if tier <= 0:
            return c * _X ** rint(rng, 1, int(kn["degree"]))
        if tier == 1:
            return c * g(k * _X)
        if tier == 2:  # product rule
            if rng.random() < 0.25:
                return c * _X**n * sympy.log(_X)
            return c * _X**n * g(k * _X)
        if tier == 3:
            inner = rint(rng, 1, 3) * _X**2 + nonzero(rng, -cm, cm) * _X
            if rng.random() < 0.25:
                return c * sympy.log(_X**2 + rint(rng, 1, cm))
            if rng.random() < 0.25:
                return (inner + nonzero(rng, -cm, cm)) ** rint(rng, 2, 4)
            return c * g(inner)
        # quotient
        num = rint(rng, 1, 3) * _X + nonzero(rng, -cm, cm)
        den = _X**2 + rint(rng, 1, cm) if rng.random() < 0.5 else rint(rng, 1, 3) * _X + nonzero(rng, -cm, cm)
        if rng.random() < 0.3:
            return c * g(k * _X) / _X
        return num / den

    def _derivative(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        tier = int(kn["func_tier"])
        n_terms = int(kn["terms"])
        pieces: list[sympy.Expr] = []
        if tier == 0 or rng.random() < 0.5:
            pc = self._poly(rng, kn, n_terms if tier == 0 else max(1, n_terms - 2))
            pieces.append(sum((c * _X**i for i, c in enumerate(pc)), sympy.Integer(0)))
        n_pieces = max(1, n_terms - 1) if tier else 1
        while len(pieces) < n_pieces:
            pieces.append(self._deriv_piece(rng, kn, rint(rng, 1, tier)))
        for _ in range(int(kn["nesting"])):  # open-ended difficulty: more chain-rule layers on one summand
            i = rint(rng, 0, len(pieces) - 1)
            wrap = choice(rng, _UNARY)
            if wrap is sympy.exp and pieces[i].has(sympy.log):
                wrap = sympy.sin  # exp(c log u) would collapse to u^c
            pieces[i] = wrap(pieces[i])
        f = sympy.Add(*pieces)
        d = sympy.diff(f, _X)
        ans = tex(d)
        return MathProblem(
            family=self.name,
            question=f"Find the derivative of $f(x) = {tex(f)}$ with respect to $x$. Give $f'(x)$ as an "
            "expression in $x$.",
            answer=ans,
            answer_kind="expression",
            knobs=kn,
            solution=f"Differentiate term by term (power, product, chain and quotient rules as needed): "
            f"$f'(x) = {ans}$.",
        )

    # ------------------------------------------------------------------------------- integrals
    def _integral_piece(
        self, rng: np.random.Generator, kn: dict[str, int | float], tier: int
    ) -> tuple[sympy.Expr, sympy.Expr]:
        """``(integrand, natural antiderivative)`` whose antiderivative has no additive constant."""
        cm = int(kn["coef_max"])
        c = nonzero(rng, -cm, cm)
        k = nonzero(rng, -3, 3)
        if tier == 1:
            which = rint(rng, 0, 2)
            if which == 0:
                return c * sympy.exp(k * _X), sympy.Rational(c, k) * sympy.exp(k * _X)
            if which == 1:
                return c * sympy.cos(k * _X), sympy.Rational(c, k) * sympy.sin(k * _X)
            return c * sympy.sin(k * _X), -sympy.Rational(c, k) * sympy.cos(k * _X)
        if tier == 2:  # integration by parts
            which = rint(rng, 0, 2)
            if which == 0:
                return c * _X * sympy.exp(_X), c * (_X - 1) * sympy.exp(_X)
            if which == 1:
                return c * _X * sympy.cos(_X), c * (_X * sympy.sin(_X) + sympy.cos(_X))
            return c * _X * sympy.sin(_X), c * (sympy.sin(_X) - _X * sympy.cos(_X))
        # substitution u = a x^m + b
        m = rint(rng, 2, 3)
        a = rint(rng, 1, 3)
        u = a * _X**m + (rint(rng, 1, cm) if tier >= 4 else 0)
        du = sympy.diff(u, _X)
        which = rint(rng, 0, 3)
        if which == 0:
            return c * du * sympy.cos(u), c * sympy.sin(u)
        if which == 1:
            return c * du * sympy.sin(u), -c * sympy.cos(u)
        if which == 2:
            return c * du * sympy.exp(u), c * sympy.exp(u)
        u2 = a * _X**2 + rint(rng, 1, cm)  # positive everywhere, so ln needs no absolute value
        return c * sympy.diff(u2, _X) / u2, c * sympy.log(u2)

    def _indefinite(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        tier = int(kn["func_tier"])
        n_terms = int(kn["terms"])
        integrand: list[sympy.Expr] = []
        anti: list[sympy.Expr] = []
        if tier == 0 or rng.random() < 0.6:
            pc = self._poly(rng, kn, n_terms if tier == 0 else max(1, n_terms - 2))
            integrand.append(sum((c * _X**i for i, c in enumerate(pc)), sympy.Integer(0)))
            anti.append(
                sum(
                    (sympy.Rational(c, i + 1) * _X ** (i + 1) for i, c in enumerate(pc) if c),
                    sympy.Integer(0),
                )
            )
        n_extra = max(1, n_terms - 2 - int(kn["nesting"])) if tier else 0
        if tier and not integrand:
            n_extra = max(n_extra, 1)
        for _ in range(n_extra):
            f, big_f = self._integral_piece(rng, kn, rint(rng, 1, min(tier, 4)))
            integrand.append(f)
            anti.append(big_f)
        f_expr = sympy.Add(*integrand)
        ans = tex(sympy.Add(*anti))
        return MathProblem(
            family=self.name,
            question=f"Find the indefinite integral $\\int \\left({tex(f_expr)}\\right) \\, dx$. "
            "Omit the constant of integration.",
            answer=ans,
            answer_kind="expression",
            knobs=kn,
            solution=f"Integrate term by term (power rule, substitution or integration by parts): ${ans} + C$.",
            answer_form="antiderivative",
        )

    def _definite(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        pc = self._poly(rng, kn, int(kn["terms"]))
        bm = int(kn["bound_max"])
        lo, hi = sorted(sample_distinct(rng, -bm, bm, 2))
        if rng.random() < 0.5:
            lo = max(lo, 0) if hi > 0 else lo
        anti = [Fraction(0)] + [Fraction(c, i + 1) for i, c in enumerate(pc)]
        value = Fraction(poly_eval(anti, hi)) - Fraction(poly_eval(anti, lo))
        ans = latex_frac(value)
        return MathProblem(
            family=self.name,
            question=f"Evaluate $\\int_{{{lo}}}^{{{hi}}} \\left({latex_poly(pc)}\\right) \\, dx$. Give your "
            "answer as a reduced fraction or an integer.",
            answer=ans,
            answer_kind="integer" if value.denominator == 1 else "rational",
            knobs=kn,
            solution=f"An antiderivative is $F(x) = {latex_poly(anti)}$, and $F({hi}) - F({lo}) = {ans}$.",
        )
