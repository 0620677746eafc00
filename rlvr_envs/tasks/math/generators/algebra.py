"""Symbolic algebra: expand, factor, simplify rational expressions, compose, divide, and quadratic
inequalities.

Problems are built from known factors (so no ``sympy.factor`` / ``simplify`` in the hot path; only
``expand`` and ``latex``). For expand/factor/simplify the gold answer is *equivalent* to the given
expression, so those problems set ``answer_form`` and the env checks the form as well as the value
(``rlvr_envs.verifiers.math_form``): a copied prompt earns nothing.
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from rlvr_envs.tasks.math.generators import register
from rlvr_envs.tasks.math.generators._common import (
    check_level,
    latex_interval,
    latex_poly,
    nonzero,
    rint,
    sample_distinct,
    weighted,
)
from rlvr_envs.tasks.math.problem import AnswerKind, MathProblem

_X = sympy.Symbol("x")
_NAMES = ["x", "y", "z", "a", "b", "c"]
_SYMBOLS: dict[str, sympy.Symbol] = {}


def _sym(i: int) -> sympy.Symbol:
    """i-th variable (cached): x, y, z, a, b, c, then t_{1}, t_{2}, ..."""
    name = _NAMES[i] if i < len(_NAMES) else f"t_{i - len(_NAMES) + 1}"
    if name not in _SYMBOLS:
        _SYMBOLS[name] = sympy.Symbol(name)
    return _SYMBOLS[name]


def _lin_factor(rng: np.random.Generator, cm: int, qmax: int) -> sympy.Expr:
    """``q x - p`` with small coefficients."""
    while True:
        q, p = rint(rng, 1, qmax), nonzero(rng, -cm, cm)
        if math.gcd(p, q) == 1:  # primitive, so the product is factored completely
            return q * _X - p


@register
class AlgebraGenerator:
    """Expand ``(2x - 3)(x + 4)``, factor, simplify, compose ``f(g(x))``, divide, solve ``x^2 - x - 6 < 0``."""

    name = "algebra"

    def knobs(self, level: int) -> dict[str, int | float]:
        level = check_level(level)
        return {
            "coef_max": 3 + level,
            "num_factors": 2 + level // 3,  # linear factors in factor/simplify tasks
            "products": 1 + level // 5,  # summands (products) in expand tasks
            # expansion size is exponential in these two, so they grow like sqrt(level)
            "expand_factors": 2 + math.isqrt(level) // 2,  # factors per product in expand tasks
            "factor_degree": 1 + math.isqrt(level) // 2,  # max degree of each factor being expanded
            "variables": min(3, 1 + level // 4),  # distinct variables in expansion tasks
            "max_leading": 1 + level // 3,  # leading coefficients of linear factors / common factors
            "task_types": min(6, 2 + level // 2),  # unlocked task kinds (expand, factor, ...)
        }

    def generate(self, rng: np.random.Generator, level: int) -> MathProblem:
        kn = self.knobs(level)
        t = int(kn["task_types"])
        kind = weighted(
            rng,
            [
                ("expand", 1.0),
                ("factor", 1.0),
                ("compose", 1.2 if t >= 3 else 0.0),
                ("divide", 1.2 if t >= 4 else 0.0),
                ("inequality", 1.0 if t >= 5 else 0.0),
                ("simplify", 1.0 if t >= 6 else 0.0),
            ],
        )
        return getattr(self, f"_{kind}")(rng, kn)  # type: ignore[no-any-return]

    # -------------------------------------------------------------------------------------------
    def _expand(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        cm = int(kn["coef_max"])
        nvars = int(kn["variables"])
        summands: list[tuple[int, list[sympy.Expr]]] = []
        for j in range(rint(rng, 1, int(kn["products"]))):
            n_factors = rint(rng, 2 if j == 0 else 1, int(kn["expand_factors"]))
            factors = [self._expand_factor(rng, kn, cm, nvars, binomial=n_factors > 2) for _ in range(n_factors)]
            if n_factors > 2 and rng.random() < 0.3:  # a repeated factor renders as a power
                factors[1] = factors[0]
            summands.append((1 if j == 0 else nonzero(rng, -cm, cm), factors))
        question_expr = ""
        total: sympy.Expr = sympy.Integer(0)
        for c, factors in summands:
            body = _latex_product(factors)
            if len(factors) == 1:
                body = f"\\left({sympy.latex(factors[0])}\\right)"
            if not question_expr:
                question_expr = body
            else:
                mag = "" if abs(c) == 1 else f"{abs(c)} "
                question_expr += f" {'-' if c < 0 else '+'} {mag}{body}"
            total += c * sympy.Mul(*factors)
        ans = sympy.latex(sympy.expand(total))
        return MathProblem(
            family=self.name,
            question=f"Expand and simplify ${question_expr}$. Give your answer as a polynomial in expanded form.",
            answer=ans,
            answer_kind="expression",
            knobs=kn,
            solution=f"Distribute every product and collect like terms: ${ans}$.",
            answer_form="expanded",
        )

    @staticmethod
    def _expand_factor(
        rng: np.random.Generator, kn: dict[str, int | float], cm: int, nvars: int, binomial: bool
    ) -> sympy.Expr:
        """A binomial/trinomial whose first term has the chosen degree (no repeated monomials)."""
        deg = rint(rng, 1, int(kn["factor_degree"]))
        n_terms = 2 if binomial or (deg == 1 and nvars == 1) else rint(rng, 2, 3)
        terms: list[sympy.Expr] = []
        used: set[tuple[int, int]] = set()
        while len(terms) < n_terms:
            var = rint(rng, 0, nvars - 1)
            power = rint(rng, 0, deg) if terms else deg
            if power == 0:
                var = -1
            if (var, power) in used:
                continue
            used.add((var, power))
            c = nonzero(rng, -cm, cm) if terms else rint(rng, 1, int(kn["max_leading"]))
            terms.append(sympy.Integer(c) if power == 0 else c * _sym(var) ** power)
        return sympy.Add(*terms)

    def _factor(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        cm = int(kn["coef_max"])
        n = max(2, int(kn["num_factors"]))
        qmax = int(kn["max_leading"])
        factors = [_lin_factor(rng, cm, qmax) for _ in range(n)]
        common = rint(rng, 1, qmax) if qmax > 1 else 1
        if common > 1 and rng.random() < 0.5:
            common = -common
        target = sympy.Integer(common) * sympy.Mul(*factors)  # canonical: sympy orders the factors
        expanded = sympy.expand(target)
        ans = sympy.latex(target)
        return MathProblem(
            family=self.name,
            question=f"Factor completely over the integers: ${sympy.latex(expanded)}$. Give your answer "
            "as a product of factors.",
            answer=ans,
            answer_kind="expression",
            knobs=kn,
            solution=f"Find the roots (rational root theorem) and pull out common factors: ${ans}$.",
            answer_form="factored",
        )

    def _compose(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        cm = int(kn["coef_max"])
        deg_f = rint(rng, 1, 1 + int(kn["factor_degree"]))
        deg_g = rint(rng, 1, int(kn["factor_degree"]))
        fc = [rint(rng, -cm, cm) for _ in range(deg_f)] + [nonzero(rng, -3, 3)]
        gc = [nonzero(rng, -cm, cm) for _ in range(deg_g)] + [nonzero(rng, -3, 3)]
        f = sum((c * _X**i for i, c in enumerate(fc)), sympy.Integer(0))
        g = sum((c * _X**i for i, c in enumerate(gc)), sympy.Integer(0))
        comp = sympy.expand(f.subs(_X, g))
        ans = sympy.latex(comp)
        return MathProblem(
            family=self.name,
            question=f"Let $f(x) = {latex_poly(fc)}$ and $g(x) = {latex_poly(gc)}$. Find $f(g(x))$ as an "
            "expanded polynomial in $x$.",
            answer=ans,
            answer_kind="expression",
            knobs=kn,
            solution=f"Substitute $g(x)$ for $x$ in $f$ and expand: $f(g(x)) = {ans}$.",
        )

    def _divide(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        cm = int(kn["coef_max"])
        deg_q = rint(rng, 1, 1 + int(kn["factor_degree"]))
        qc = [rint(rng, -cm, cm) for _ in range(deg_q)] + [rint(rng, 1, int(kn["max_leading"]))]
        r = nonzero(rng, -min(cm, 6), min(cm, 6))
        rem = rint(rng, -cm, cm) if rng.random() < 0.5 else 0
        asks_quotient = rng.random() < 0.5
        if not asks_quotient and rem == 0:  # asked for, a zero remainder was the answer of half these tasks
            rem = nonzero(rng, -cm, cm)  # drawn again, nonzero (quotient tasks keep the remainder drawn)
        # p(x) = (x - r) q(x) + rem
        pc = [0] * (len(qc) + 1)
        for i, c in enumerate(qc):
            pc[i + 1] += c
            pc[i] -= r * c
        pc[0] += rem
        divisor = latex_poly([-r, 1])
        kind: AnswerKind
        if asks_quotient:
            ans, what, kind = latex_poly(qc), "quotient", "expression"
            tail = "Give the quotient as a polynomial in $x$."
        else:
            ans, what, kind = str(rem), "remainder", "integer"
            tail = "Give the remainder as an integer."
        return MathProblem(
            family=self.name,
            question=f"Find the {what} when ${latex_poly(pc)}$ is divided by ${divisor}$. {tail}",
            answer=ans,
            answer_kind=kind,
            knobs=kn,
            solution=f"Synthetic division by ${divisor}$ gives quotient ${latex_poly(qc)}$ and "
            f"remainder ${rem}$ (the remainder equals $p({r})$).",
        )

    def _inequality(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        cm = int(kn["coef_max"])
        r1, r2 = sorted(sample_distinct(rng, -cm, cm, 2))
        a = nonzero(rng, -int(kn["max_leading"]), int(kn["max_leading"]))
        coeffs = [a * r1 * r2, -a * (r1 + r2), a]
        closed = rng.random() < 0.5
        # choose the relation whose solution set is the bounded interval between the roots
        rel = ("\\le" if closed else "<") if a > 0 else ("\\ge" if closed else ">")
        ans = latex_interval(r1, r2, closed, closed)
        return MathProblem(
            family=self.name,
            question=f"Solve the inequality ${latex_poly(coeffs)} {rel} 0$. Give the solution set in "
            "interval notation.",
            answer=ans,
            answer_kind="interval",
            knobs=kn,
            solution=f"The quadratic factors as ${a}(x - ({r1}))(x - ({r2}))$; its sign between the roots "
            f"gives ${ans}$.",
        )

    def _simplify(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        cm = int(kn["coef_max"])
        n = max(2, int(kn["num_factors"]) - 1)
        roots = sample_distinct(rng, -cm, cm, n + 1)  # distinct, so only the shared factor cancels
        split = 1 + rint(rng, 1, n - 1)  # both sides keep >= 1 unshared factor
        shared = [_X - roots[0]]
        num_f = shared + [_X - r for r in roots[1:split]]
        den_f = shared + [_X - r for r in roots[split:]]
        k = rint(rng, 1, int(kn["max_leading"]))
        num = sympy.expand(k * sympy.Mul(*num_f))
        den = sympy.expand(sympy.Mul(*den_f))
        red_num = sympy.expand(k * sympy.Mul(*num_f[1:]))
        red_den = sympy.expand(sympy.Mul(*den_f[1:]))
        ans = sympy.latex(red_num / red_den)
        return MathProblem(
            family=self.name,
            question=f"Simplify $\\frac{{{sympy.latex(num)}}}{{{sympy.latex(den)}}}$ by cancelling common "
            "factors. Give your answer as a single fraction with expanded numerator and denominator.",
            answer=ans,
            answer_kind="expression",
            knobs=kn,
            solution=f"Both numerator and denominator contain the factor ${sympy.latex(shared[0])}$; "
            f"cancelling it leaves ${ans}$.",
            answer_form="reduced_fraction",
        )


def _latex_product(factors: list[sympy.Expr]) -> str:
    """``(2 x - 3)(x + 4)`` / ``(x + 1)^{2}`` with factors kept in the order they were drawn."""
    out: list[str] = []
    i = 0
    while i < len(factors):
        j = i
        while j + 1 < len(factors) and factors[j + 1] == factors[i]:
            j += 1
        body = f"\\left({sympy.latex(factors[i])}\\right)"
        out.append(body if j == i else f"{body}^{{{j - i + 1}}}")
        i = j + 1
    return " ".join(out)
