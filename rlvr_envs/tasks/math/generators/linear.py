"""Linear equations, linear inequalities, lines through points, and square linear systems.

Solutions are chosen first and the problem is built around them, so answers stay small and exact
(``Fraction``); the system size grows without bound with level (2x2 from level 3, 3x3 from level 6,
...). Inequalities give ``interval`` answers, lines give ``equation`` answers (``y = m x + b``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy

from rlvr_envs.tasks.math.generators import register
from rlvr_envs.tasks.math.generators._common import (
    check_level,
    choice,
    latex_frac,
    latex_interval,
    latex_monomial,
    latex_tuple,
    nonzero,
    rint,
    sample_distinct,
    weighted,
)
from rlvr_envs.tasks.math.problem import MathProblem

_X = sympy.Symbol("x")
_Y = sympy.Symbol("y")
_MAX_TRIES = 500
_TUPLE_NAMES = {2: "ordered pair", 3: "ordered triple"}


def var_names(n: int) -> list[str]:
    """Variable names for an ``n``-unknown system: x, y, z, w, then x_{1}, ..., x_{n}."""
    if n <= 4:
        return ["x", "y", "z", "w"][:n]
    return [f"x_{{{i}}}" for i in range(1, n + 1)]


def solve_fraction(a: list[list[int]], b: list[int]) -> list[Fraction] | None:
    """Gauss-Jordan elimination over the rationals; ``None`` if the matrix is singular."""
    n = len(a)
    m = [[Fraction(v) for v in row] + [Fraction(rhs)] for row, rhs in zip(a, b, strict=True)]
    for col in range(n):
        piv = next((r for r in range(col, n) if m[r][col] != 0), None)
        if piv is None:
            return None
        m[col], m[piv] = m[piv], m[col]
        pv = m[col][col]
        m[col] = [v / pv for v in m[col]]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col]
                m[r] = [vr - f * vc for vr, vc in zip(m[r], m[col], strict=True)]
    return [m[r][n] for r in range(n)]


def _linear_lhs(coeffs: list[int], names: list[str]) -> str:
    parts: list[str] = []
    for c, name in zip(coeffs, names, strict=True):
        if c:
            parts.append(latex_monomial(c, name, 1, first=not parts))
    return " ".join(parts) if parts else "0"


@register
class LinearGenerator:
    """Solve ``3(x - 2) + 5 = 2x - 7``, an inequality, a line through two points, or an n x n system."""

    name = "linear"

    def knobs(self, level: int) -> dict[str, int | float]:
        level = check_level(level)
        return {
            "coef_max": 5 + 2 * level,  # coefficient magnitude
            # solution magnitude; at least 9 so that at levels 0-1 the solution is not drawn from the
            # coefficients' own 1..5 (x then equalled the equation's first number, or 1, on 1 task in 10)
            "sol_max": max(9, 5 + 2 * level),
            "terms_per_side": 1 + level // 2,  # terms on the right of a single equation (left: one more)
            "system_size": 1 + level // 3,  # 1 = single equations only; n >= 2 adds n x n systems
            "rational_solutions": 1 if level >= 2 else 0,
            "inequalities": min(2, level),  # 0 none, 1 one-sided, 2 also compound (lo < ax+b <= hi)
            "line_variants": min(3, (level + 1) // 2),  # 0 none, 1 two points, 2 point+slope, 3 parallel/perp
        }

    def generate(self, rng: np.random.Generator, level: int) -> MathProblem:
        kn = self.knobs(level)
        options: list[tuple[str, float]] = [
            ("equation", 1.0),
            ("inequality", 0.6 if kn["inequalities"] else 0.0),
            ("line", 0.6 if kn["line_variants"] else 0.0),
            ("system", 1.6 if kn["system_size"] >= 2 else 0.0),
        ]
        kind = weighted(rng, options)
        if kind == "equation":
            return self._equation(rng, kn)
        if kind == "inequality":
            return self._inequality(rng, kn)
        if kind == "line":
            return self._line(rng, kn)
        return self._system(rng, kn)

    # ------------------------------------------------------------------------------ equations
    def _side(self, rng: np.random.Generator, kn: dict[str, int | float], n_terms: int) -> list[tuple[int, int, int]]:
        """Random side as terms ``(c, a, b)`` meaning ``c(a x + b)``; ``c == 0`` marks a bare ``a x``
        (``b == 0``) or a bare constant ``b`` (``a == 0``)."""
        cm = int(kn["coef_max"])
        # at least one x term and one constant when there is room ("3 x - 4 = ...", never "x + x")
        kinds = ["x", "const"][:n_terms]
        for _ in range(n_terms - len(kinds)):
            r = rng.random()
            kinds.append("paren" if kn["rational_solutions"] and r < 0.45 else ("x" if r < 0.75 else "const"))
        if n_terms == 1:
            kinds = [choice(rng, ("x", "const"))]
        terms: list[tuple[int, int, int]] = []
        x_total = 0
        for i in rng.permutation(len(kinds)):
            kind = kinds[int(i)]
            if kind == "paren":  # c(a x + b) with |c| >= 2
                c = nonzero(rng, -(cm // 2 + 2), cm // 2 + 2)
                c = c if abs(c) >= 2 else 2 * c
                terms.append((c, nonzero(rng, -4, 4), nonzero(rng, -cm, cm)))
            elif kind == "x":
                a = nonzero(rng, -cm, cm)
                while a == -x_total:  # bare x terms on one side must not cancel
                    a = nonzero(rng, -cm, cm)
                x_total += a
                terms.append((0, a, 0))
            else:
                terms.append((0, 0, nonzero(rng, -cm, cm)))
        return terms

    @staticmethod
    def _render_side(terms: list[tuple[int, int, int]]) -> str:
        pieces: list[str] = []
        for c, a, b in terms:
            if c:
                body = f"{abs(c)}({_linear_terms(a, b)})"
                pieces.append(("-" if c < 0 else "") + body if not pieces else f"{'-' if c < 0 else '+'} {body}")
            elif a:
                pieces.append(latex_monomial(a, "x", 1, first=not pieces))
            else:
                pieces.append(latex_monomial(b, "x", 0, first=not pieces))
        return " ".join(pieces) if pieces else "0"

    @staticmethod
    def _totals(terms: list[tuple[int, int, int]]) -> tuple[int, int]:
        """(x-coefficient, constant) of a side."""
        ax = sum((c or 1) * a for c, a, _ in terms)
        const = sum((c or 1) * b for c, _, b in terms)
        return ax, const

    def _equation(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        n_terms = int(kn["terms_per_side"])
        sm = int(kn["sol_max"])
        for _ in range(_MAX_TRIES):
            lhs = self._side(rng, kn, n_terms + 1)
            rhs = self._side(rng, kn, n_terms)
            (la, lc), (ra, rc) = self._totals(lhs), self._totals(rhs)
            a = la - ra
            if a == 0 or not any(t[1] for t in lhs):
                continue
            if kn["rational_solutions"] and rng.random() < 0.5:
                x0 = Fraction(nonzero(rng, -sm * abs(a), sm * abs(a)), a)
            else:  # x0 = 0 is degenerate: the constants balance by themselves, nothing is solved
                x0 = Fraction(nonzero(rng, -sm, sm))  # (the same draw as ``rint`` unless that gave 0)
            # adjust the right side's constant so that x0 is the solution
            k = la * x0 + lc - ra * x0 - rc
            assert k.denominator == 1
            bare = [i for i, t in enumerate(rhs) if t[0] == 0 and t[1] == 0]
            if bare:
                i = bare[-1]
                new_b = rhs[i][2] + int(k)
                if new_b:
                    rhs[i] = (0, 0, new_b)
                else:
                    del rhs[i]
            elif k != 0:
                rhs.append((0, 0, int(k)))
            if lc == 0 and not any(t[2] for t in rhs) and x0 == 0:
                continue  # e.g. "x = 2 x": technically fine, but degenerate
            break
        else:  # pragma: no cover
            raise RuntimeError("linear: failed to build an equation")
        eq = f"{self._render_side(lhs)} = {self._render_side(rhs)}"
        ans = latex_frac(x0)
        return MathProblem(
            family=self.name,
            question=f"Solve for $x$: ${eq}$. Give your answer as an integer or a reduced fraction.",
            answer=ans,
            answer_kind="integer" if x0.denominator == 1 else "rational",
            knobs=kn,
            solution=f"Collecting the $x$ terms on the left and the constants on the right gives "
            f"${latex_monomial(a, 'x', 1, True)} = {latex_frac(a * x0)}$, so $x = {ans}$.",
        )

    # ---------------------------------------------------------------------------- inequalities
    def _inequality(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        cm = int(kn["coef_max"])
        sm = int(kn["sol_max"])
        rel = {"<": "<", "<=": "\\le", ">": ">", ">=": "\\ge"}
        if kn["inequalities"] >= 2 and rng.random() < 0.4:
            # lo (<|<=) a x + b (<|<=) hi
            a, b = nonzero(rng, -cm, cm), nonzero(rng, -cm, cm)
            x1, x2 = sorted(sample_distinct(rng, -sm, sm, 2))
            e1, e2 = a * x1 + b, a * x2 + b
            lo, hi = min(e1, e2), max(e1, e2)
            s1, s2 = choice(rng, ("<", "<=")), choice(rng, ("<", "<="))
            expr = _linear_terms(a, b)
            text = f"{lo} {rel[s1]} {expr} {rel[s2]} {hi}"
            # endpoints map back to x1/x2; a < 0 swaps which inequality closes which end
            lo_closed, hi_closed = (s1 == "<=", s2 == "<=") if a > 0 else (s2 == "<=", s1 == "<=")
            ans = latex_interval(Fraction(x1), Fraction(x2), lo_closed, hi_closed)
            sol = f"Subtract ${b}$ and divide by ${a}$" + (" (flipping the inequalities)" if a < 0 else "")
        else:
            while True:
                a1, a2 = nonzero(rng, -cm, cm), rint(rng, -cm, cm)
                if a1 != a2:
                    break
            b1 = rint(rng, -cm, cm)
            a = a1 - a2
            if kn["rational_solutions"] and rng.random() < 0.5:
                r = Fraction(nonzero(rng, -sm * abs(a), sm * abs(a)), a)
            else:
                r = Fraction(rint(rng, -sm, sm))
            b2 = a * r + b1  # a1 r + b1 = a2 r + b2
            assert b2.denominator == 1
            s = choice(rng, ("<", "<=", ">", ">="))
            left = _linear_terms(a1, b1)
            right = _linear_terms(a2, int(b2))
            text = f"{left} {rel[s]} {right}"
            # (a1 - a2) x  s  b2 - b1 ; dividing by a < 0 flips the direction
            less = s in ("<", "<=")
            if a < 0:
                less = not less
            closed = s in ("<=", ">=")
            ans = latex_interval(None, r, False, closed) if less else latex_interval(r, None, closed, False)
            sol = "Move the $x$ terms to one side and divide" + (
                " by a negative number, flipping the inequality" if a < 0 else ""
            )
        return MathProblem(
            family=self.name,
            question=f"Solve the inequality ${text}$ for $x$. Give the solution set in interval notation.",
            answer=ans,
            answer_kind="interval",
            knobs=kn,
            solution=f"{sol}: the solution set is ${ans}$.",
        )

    # ----------------------------------------------------------------------------------- lines
    def _line(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        cm = int(kn["coef_max"])
        variant = rint(rng, 1, int(kn["line_variants"]))
        if variant == 1:
            while True:
                x1, y1, x2, y2 = (rint(rng, -cm, cm) for _ in range(4))
                if x1 != x2:
                    break
            m = Fraction(y2 - y1, x2 - x1)
            b = y1 - m * x1
            q = f"Find the equation of the line through the points $({x1}, {y1})$ and $({x2}, {y2})$."
        elif variant == 2:
            x1, y1 = rint(rng, -cm, cm), rint(rng, -cm, cm)
            m = Fraction(nonzero(rng, -cm, cm), rint(rng, 1, 4))
            b = y1 - m * x1
            q = f"Find the equation of the line with slope ${latex_frac(m)}$ through the point $({x1}, {y1})$."
        else:
            x1, y1 = rint(rng, -cm, cm), rint(rng, -cm, cm)
            p, r = nonzero(rng, -9, 9), nonzero(rng, -9, 9)  # given line p x + r y = c
            c = rint(rng, -cm, cm)
            given = f"{_linear_lhs([p, r], ['x', 'y'])} = {c}"
            slope = Fraction(-p, r)
            if rng.random() < 0.5:
                m, how = slope, "parallel"
            else:
                m, how = -1 / slope, "perpendicular"
            b = y1 - m * x1
            q = f"Find the equation of the line through $({x1}, {y1})$ that is {how} to the line ${given}$."
        rhs = sympy.Rational(m.numerator, m.denominator) * _X + sympy.Rational(b.numerator, b.denominator)
        ans = f"{sympy.latex(_Y)} = {sympy.latex(rhs)}"
        return MathProblem(
            family=self.name,
            question=q + " Give your answer in slope-intercept form $y = mx + b$.",
            answer=ans,
            answer_kind="equation",
            knobs=kn,
            solution=f"The slope is $m = {latex_frac(m)}$ and the intercept is $b = {latex_frac(b)}$, so ${ans}$.",
        )

    # --------------------------------------------------------------------------------- systems
    def _system(self, rng: np.random.Generator, kn: dict[str, int | float]) -> MathProblem:
        n = int(rint(rng, 2, int(kn["system_size"])))
        cm = min(int(kn["coef_max"]), 6 + 2 * n)  # keep big systems hand-solvable
        sm = int(kn["sol_max"])
        names = var_names(n)
        rational = bool(kn["rational_solutions"]) and n <= 3 and rng.random() < 0.3
        for _ in range(_MAX_TRIES):
            d = rint(rng, 2, 4) if rational else 1
            u = [rint(rng, -sm, sm) for _ in range(n)]
            if rational:
                u[-1] = choice(rng, [v for v in range(1, 2 * d + 8) if math.gcd(v, d) == 1]) * choice(rng, (-1, 1))
                inv = pow(u[-1], -1, d)
            a: list[list[int]] = []
            for _ in range(n):
                # small systems: every coefficient nonzero; larger ones may be sparse
                row = [nonzero(rng, -cm, cm) if n <= 3 else rint(rng, -cm, cm) for _ in range(n)]
                if rational:
                    # make row . u divisible by d by fixing the last coefficient mod d
                    partial = sum(c * v for c, v in zip(row[:-1], u[:-1], strict=True))
                    need = (-partial * inv) % d
                    row[-1] = need + d * rint(rng, -(cm // d), cm // d)
                a.append(row)
            b = [sum(c * v for c, v in zip(row, u, strict=True)) for row in a]
            if rational:
                if any(v % d for v in b):
                    continue
                b = [v // d for v in b]
            if any(all(c == 0 for c in row) for row in a):
                continue
            sol = solve_fraction(a, b)
            if sol is None:
                continue
            expected = [Fraction(v, d) for v in u]
            if sol != expected:  # pragma: no cover - guards the construction
                continue
            break
        else:  # pragma: no cover
            raise RuntimeError("linear: failed to build a system")
        eqs = ", ".join(f"${_linear_lhs(row, names)} = {rhs}$" for row, rhs in zip(a, b, strict=True))
        form = _TUPLE_NAMES.get(n, f"{n}-tuple")
        article = "an" if form.startswith(("o", "8", "11", "18")) else "a"
        vars_tuple = "(" + ", ".join(names) + ")"
        ans = latex_tuple([latex_frac(v) for v in sol])
        return MathProblem(
            family=self.name,
            question=f"Solve the system of equations {eqs}. Give your answer as {article} {form} ${vars_tuple}$.",
            answer=ans,
            answer_kind="tuple",
            knobs=kn,
            solution=f"Eliminate one variable at a time (or use Cramer's rule): ${vars_tuple} = {ans}$.",
        )


def _linear_terms(a: int, b: int) -> str:
    """``a x + b`` with zero parts dropped (``0`` if both vanish)."""
    parts: list[str] = []
    if a:
        parts.append(latex_monomial(a, "x", 1, first=True))
    if b or not parts:
        parts.append(latex_monomial(b, "x", 0, first=not parts))
    return " ".join(parts)
