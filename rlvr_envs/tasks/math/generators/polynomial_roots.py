"""Real roots of polynomials built from known factors.

The polynomial is the product of chosen linear factors ``(q x - p)`` (integer, then rational roots),
plus at higher levels a quadratic with irrational roots (quadratic formula -> radicals) and an
irreducible quadratic with no real roots (a distractor). Coefficient arithmetic is plain ints;
sympy is only used to render radicals canonically.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy

from rlvr_envs.tasks.math.generators import register
from rlvr_envs.tasks.math.generators._common import (
    check_level,
    latex_frac,
    latex_poly,
    latex_set,
    nonzero,
    poly_mul,
    rint,
)
from rlvr_envs.tasks.math.problem import MathProblem


def _is_square(n: int) -> bool:
    return n >= 0 and math.isqrt(n) ** 2 == n


@register
class PolynomialRootsGenerator:
    """Find all real roots of e.g. ``2 x^{3} - 3 x^{2} - 11 x + 6 = 0`` (answer: a set)."""

    name = "polynomial_roots"

    def knobs(self, level: int) -> dict[str, int | float]:
        level = check_level(level)
        return {
            "degree": 2 + level // 3,
            # |p| of rational roots p/q, at least 6: from -3..3 at level 0, one root set such as {-2, -1}
            # was the answer of one task in twenty (the commonest-answer shortcut); degree, denominators
            # and the other knobs still grade the levels
            "root_max": max(6, 3 + level),
            "max_root_den": 1 if level < 2 else 2 + level // 4,  # q of rational roots
            "irrational": 1 if level >= 4 else 0,  # a quadratic factor with radical roots
            "nonreal_factor": 1 if level >= 6 else 0,  # an irreducible quadratic factor
            "repeated_roots": 1 if level >= 5 else 0,
            "leading_max": 1 + level // 3,  # overall integer scale factor
            "rearranged": 1 if level >= 3 else 0,  # terms split across both sides of "="
        }

    def generate(self, rng: np.random.Generator, level: int) -> MathProblem:
        kn = self.knobs(level)
        degree = int(kn["degree"])
        radical_task = bool(kn["irrational"]) and rng.random() < 0.25
        if radical_task:  # a lone quadratic: ask for one radical root
            degree = 2
        rmax = int(kn["root_max"])
        qmax = int(kn["max_root_den"])
        coeffs: list[int] = [1]  # constant term first
        roots: list[tuple[float, str]] = []  # (numeric value, latex)
        seen: set[Fraction] = set()
        remaining = degree
        irr_pair: tuple[sympy.Expr, sympy.Expr] | None = None

        if kn["irrational"] and remaining >= 2 and (radical_task or rng.random() < 0.6):
            while True:
                b = rint(rng, -rmax, rmax)
                c = rint(rng, -rmax * 2, rmax)
                disc = b * b - 4 * c
                if disc > 0 and not _is_square(disc):
                    break
            coeffs = poly_mul(coeffs, [c, b, 1])
            s = sympy.sqrt(sympy.Integer(disc))
            irr_pair = ((-b - s) / 2, (-b + s) / 2)
            for r in irr_pair:
                roots.append((float(r), sympy.latex(r)))
            remaining -= 2
        if kn["nonreal_factor"] and remaining >= 3 and rng.random() < 0.5:
            while True:
                b = rint(rng, -4, 4)
                c = rint(rng, 1, rmax)
                if b * b - 4 * c < 0:
                    break
            coeffs = poly_mul(coeffs, [c, b, 1])
            remaining -= 2
        while remaining > 0:
            q = rint(rng, 1, qmax) if qmax > 1 and rng.random() < 0.5 else 1
            p = rint(rng, -rmax, rmax)
            g = math.gcd(p, q)
            p, q = p // g, q // g
            r = Fraction(p, q)
            if r in seen and not (kn["repeated_roots"] and rng.random() < 0.3):
                continue
            if r not in seen:
                roots.append((float(r), latex_frac(r)))
                seen.add(r)
            coeffs = poly_mul(coeffs, [-p, q])
            remaining -= 1
        scale = nonzero(rng, -int(kn["leading_max"]), int(kn["leading_max"]))
        if scale < 0 and kn["leading_max"] == 1:
            scale = 1
        coeffs = [scale * c for c in coeffs]
        roots.sort()

        lhs_coeffs = list(coeffs)
        rhs_coeffs = [0] * len(coeffs)
        if kn["rearranged"] and rng.random() < 0.5:
            for i in range(len(coeffs) - 1):  # never move the leading term
                if coeffs[i] and rng.random() < 0.5:
                    lhs_coeffs[i] = 0
                    rhs_coeffs[i] = -coeffs[i]
        equation = f"{latex_poly(lhs_coeffs)} = {latex_poly(rhs_coeffs)}"

        if radical_task and irr_pair is not None:
            which = rng.random() < 0.5
            root = irr_pair[1] if which else irr_pair[0]
            ans = sympy.latex(root)
            word = "larger" if which else "smaller"
            return MathProblem(
                family=self.name,
                question=f"Find the {word} root of ${equation}$. Give your answer in exact simplified radical form.",
                answer=ans,
                answer_kind="radical",
                knobs=kn,
                solution=f"By the quadratic formula the roots are ${sympy.latex(irr_pair[0])}$ and "
                f"${sympy.latex(irr_pair[1])}$; the {word} is ${ans}$.",
            )
        ans = latex_set([tex for _, tex in roots])
        return MathProblem(
            family=self.name,
            question=f"Find all real solutions of ${equation}$. Give your answer as a set of exact "
            "values (each distinct real solution listed once).",
            answer=ans,
            answer_kind="set",
            knobs=kn,
            solution="Factor using the rational root theorem"
            + (" and the quadratic formula" if irr_pair is not None else "")
            + f"; the real solutions are ${ans}$.",
        )
