"""Deterministic generator of realistic (gold, response) pairs for the math-verifier benchmark.

Golds are what our generators emit (sympy ``latex()`` output, placed inside ``\\boxed{}``);
responses are extracted final answers written in the many surface forms models use.  Pairs come
in groups of several responses per gold, like the samples of one prompt in GRPO-style training.
Each pair carries the *intended* verdict (by construction) and a short reason, so benchmark
disagreements between our verifier and math-verify can be attributed.

Mix (approximate share of pairs): integers 18%, fractions 12%, decimals 6%, radicals 8%,
polynomials 12%, trig/exp expressions 9%, integrals 5%, sets 8%, tuples 5%, intervals 5%,
equations 5%, percentages 3%, matrices 2%, text 2%.  About half the pairs are equal; a few
percent can only be decided by math-verify (trig identities, decimal approximations of
irrationals), and a handful exercise documented semantic differences (``+ C``, tuple vs set,
``1/3`` vs ``0.333333``, unit words, trailing periods).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import sympy
from sympy import Eq, FiniteSet, Interval, Matrix, Rational, Symbol, latex, oo, sqrt

X = Symbol("x")
Y = Symbol("y")


@dataclass(frozen=True)
class BenchPair:
    gold: str
    response: str
    intended: bool
    category: str
    why: str


Form = tuple[Callable[[random.Random], str], bool, str, float]  # (make, intended, why, weight)


def _frac_latex(q: Fraction) -> str:
    return str(latex(Rational(q.numerator, q.denominator)))


def _terminating(q: Fraction) -> str | None:
    d = q.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        return None
    s = f"{float(q):.10f}".rstrip("0").rstrip(".")
    return s if Fraction(s) == q else None


def _pick(rng: random.Random, forms: list[Form], k: int) -> list[tuple[str, bool, str]]:
    weights = [f[3] for f in forms]
    out = []
    for _ in range(k):
        make, intended, why, _w = rng.choices(forms, weights=weights)[0]
        out.append((make(rng), intended, why))
    return out


# ---------------------------------------------------------------------------------------------
# Category generators: each returns (gold, forms)
# ---------------------------------------------------------------------------------------------


def _integer(rng: random.Random) -> tuple[str, list[Form]]:
    n = rng.choice([rng.randint(-50, 200), rng.randint(200, 5000), rng.randint(1000, 2_000_000)])
    forms: list[Form] = [
        (lambda r: str(n), True, "same integer", 6),
        (lambda r: f"{n}.0", True, "integer written as decimal", 1),
        (lambda r: f"x = {n}", True, "assignment prefix", 1),
        (lambda r: f"{n} \\text{{ cm}}", True, "unit in \\text", 0.5),
        (lambda r: str(n + r.choice([-2, -1, 1, 2, 10])), False, "different integer", 6),
        (lambda r: str(-n) if n else "1", False, "sign flip", 1),
    ]
    if n >= 0:
        forms.append((lambda r: f"\\${n}", True, "currency sign", 0.7))
    if abs(n) >= 1000:
        forms.append((lambda r: f"{n:,}", True, "thousands separators", 1.5))
        forms.append((lambda r: f"{n + 1000:,}", False, "different integer with separators", 1))
    forms.append((lambda r: f"{n}.", True, "trailing sentence period (math-verify cannot parse '7.')", 0.05))
    forms.append((lambda r: f"{n} dollars", True, "unit word (math-verify reads d*o*l*l*a*r*s)", 0.03))
    return str(n), forms


def _fraction(rng: random.Random) -> tuple[str, list[Form]]:
    while True:
        b = rng.randint(2, 24)
        a = rng.randint(-40, 40)
        q = Fraction(a, b)
        if q.denominator != 1 and a != 0:
            break
    a, b = q.numerator, q.denominator
    dec = _terminating(q)
    forms: list[Form] = [
        (lambda r: f"{a}/{b}", True, "slash fraction", 3),
        (lambda r: f"\\frac{{{a}}}{{{b}}}", True, "latex fraction", 3),
        (lambda r: ("-" if a < 0 else "") + f"\\dfrac{{{abs(a)}}}{{{b}}}", True, "dfrac", 1),
        (lambda r: f"\\frac{{{2 * a}}}{{{2 * b}}}", True, "unreduced fraction", 1),
        (lambda r: f"{b}/{a}", False, "inverted fraction", 2),
        (lambda r: f"\\frac{{{a + 1}}}{{{b}}}", False, "wrong numerator", 2),
        (lambda r: f"{float(q):.2f}", False, "2-decimal rounding", 1 if dec is None else 0),
        (lambda r: f"{float(q):.6f}", False, "6-decimal rounding of a rational (math-verify: equal)",
         0.08 if dec is None else 0),
    ]  # fmt: skip
    if dec is not None:
        forms.append((lambda r: dec, True, "terminating decimal", 3))
    return _frac_latex(q), forms


def _decimal(rng: random.Random) -> tuple[str, list[Form]]:
    q = Fraction(rng.randint(1, 400), rng.choice([4, 8, 10, 20, 40, 100]))
    if q.denominator == 1:
        q += Fraction(1, 4)
    s = _terminating(q)
    assert s is not None
    forms: list[Form] = [
        (lambda r: s, True, "same decimal", 2),
        (lambda r: s + "0", True, "trailing zero", 1),
        (lambda r: f"{q.numerator}/{q.denominator}", True, "fraction form", 2),
        (lambda r: f"\\frac{{{q.numerator}}}{{{q.denominator}}}", True, "latex fraction form", 2),
        (lambda r: str(q + Fraction(1, 100)), False, "off by 0.01 as fraction", 1),
        (lambda r: f"{float(q) + 0.1:.3f}", False, "different decimal", 2),
    ]
    if s.startswith("0."):
        forms.append((lambda r: s[1:], True, "no leading zero", 1))
    return s, forms


def _radical(rng: random.Random) -> tuple[str, list[Form]]:
    if rng.random() < 0.6:
        k = rng.randint(2, 6)
        b = rng.choice([2, 3, 5, 6, 7, 10])
        e = k * sqrt(b)
        forms: list[Form] = [
            (lambda r: f"{k}\\sqrt{{{b}}}", True, "same radical", 3),
            (lambda r: f"\\sqrt{{{k * k * b}}}", True, "unsimplified radical", 2),
            (lambda r: f"{k} \\sqrt {b}", b < 10, "unbraced radical (LaTeX: \\sqrt 10 is \\sqrt{1}0)", 1),
            (lambda r: f"{float(e):.6f}", True, "6-decimal approximation (math-verify rounding)", 0.6),
            (lambda r: f"\\sqrt{{{k * b}}}", False, "wrong radical", 2),
            (lambda r: f"{k + 1}\\sqrt{{{b}}}", False, "wrong coefficient", 2),
            (lambda r: f"{float(e):.2f}", False, "coarse decimal", 0.5),
        ]
        return latex(e), forms
    p = rng.randint(1, 5)
    qd = rng.choice([2, 3, 4])
    rad = rng.choice([2, 3, 5, 7])
    e = (p + sqrt(rad)) / qd
    forms = [
        (lambda r: f"\\frac{{{p}+\\sqrt{{{rad}}}}}{{{qd}}}", True, "combined fraction", 3),
        (lambda r: f"\\frac{{{p}}}{{{qd}}} + \\frac{{\\sqrt{{{rad}}}}}{{{qd}}}", True, "split fraction", 2),
        (lambda r: f"\\frac{{{p}-\\sqrt{{{rad}}}}}{{{qd}}}", False, "conjugate", 2),
        (lambda r: f"\\frac{{{p}+\\sqrt{{{rad}}}}}{{{qd + 1}}}", False, "wrong denominator", 2),
    ]
    return latex(e), forms


def _poly_str(coeffs: list[int], var: str = "x", compact: bool = True) -> str:
    """Hand-written polynomial, highest degree first (what a model would type)."""
    terms = []
    deg = len(coeffs) - 1
    for i, c in enumerate(coeffs):
        d = deg - i
        if c == 0:
            continue
        mag = abs(c)
        body = (
            ("" if mag == 1 and d > 0 else str(mag))
            + (var if d >= 1 else "")
            + (f"^{d}" if d > 1 and compact else (f"^{{{d}}}" if d > 1 else ""))
        )
        terms.append(("-" if c < 0 else "+") + body)
    s = "".join(terms) or "0"
    return s[1:] if s.startswith("+") else s


def _polynomial(rng: random.Random) -> tuple[str, list[Form]]:
    k = rng.choice([1, 1, 2, 3, -1])
    r1, r2 = rng.randint(-6, 6), rng.randint(-6, 6)
    e = sympy.expand(k * (X - r1) * (X - r2))
    poly = sympy.Poly(e, X)
    coeffs = [int(c) for c in poly.all_coeffs()]

    def factored(r: random.Random) -> str:
        f1 = "x" if r1 == 0 else f"(x{-r1:+d})"
        f2 = "x" if r2 == 0 else f"(x{-r2:+d})"
        lead = {1: "", -1: "-"}.get(k, str(k))
        return f"{lead}{f1}{f2}"

    def reordered(r: random.Random) -> str:
        parts = [f"{c:+d}" + ("x" * min(1, d)) + (f"^{d}" if d > 1 else "") for d, c in
                 enumerate(reversed(coeffs)) if c]  # fmt: skip
        s = "".join(parts)
        return s[1:] if s.startswith("+") else s

    wrong = list(coeffs)
    wrong[-1] += rng.choice([-2, -1, 1, 2])
    forms: list[Form] = [
        (lambda r: _poly_str(coeffs), True, "expanded, compact", 3),
        (factored, True, "factored form", 2),
        (reordered, True, "ascending order", 1),
        (lambda r: _poly_str(coeffs, compact=False), True, "expanded, braced", 1),
        (lambda r: _poly_str(wrong), False, "wrong constant term", 3),
        (lambda r: _poly_str(coeffs, var="y"), False, "different variable", 0.5),
        (lambda r: _poly_str([c * 2 for c in coeffs]), False, "scaled polynomial", 1),
    ]
    return latex(e), forms


def _trig(rng: random.Random) -> tuple[str, list[Form]]:
    k = rng.choice([2, 3, 4, 5, -2, -3])
    kind = rng.randint(0, 4)
    if kind == 0:
        e = k * sympy.cos(X)
        return latex(e), [
            (lambda r: f"{k}\\cos x", True, "bare argument", 2),
            (lambda r: f"{k}\\cos(x)", True, "parenthesised argument", 2),
            (lambda r: f"{k}\\sin x", False, "wrong function", 2),
            (lambda r: f"{k + 1}\\cos(x)", False, "wrong coefficient", 1),
        ]
    if kind == 1:
        e = sympy.exp(k * X)
        return latex(e), [
            (lambda r: f"e^{{{k}x}}", True, "same exponential", 2),
            (lambda r: f"\\exp({k}x)", True, "exp notation", 1),
            (lambda r: f"e^{{{k - 1}x}}", False, "wrong exponent", 2),
            (lambda r: f"{k}e^{{x}}", False, "wrong form", 1),
        ]
    if kind == 2:
        e = X * sympy.exp(X)
        return latex(e), [
            (lambda r: "xe^x", True, "compact", 2),
            (lambda r: "e^{x} x", True, "reordered product", 1),
            (lambda r: "e^x", False, "missing factor", 1),
            (lambda r: "x e^{2x}", False, "wrong exponent", 1),
        ]
    if kind == 3:
        e = sympy.sin(2 * X)
        return latex(e), [
            (lambda r: "\\sin(2x)", True, "parenthesised", 2),
            (lambda r: "2\\sin x\\cos x", True, "double-angle identity (math-verify decides)", 0.6),
            (lambda r: "2\\sin(x)", False, "not an identity", 1),
            (lambda r: "\\cos(2x)", False, "wrong function", 1),
        ]
    e = sympy.sin(X) ** 2
    return latex(e), [
        (lambda r: "\\sin^2 x", True, "power notation", 2),
        (lambda r: "(\\sin x)^2", True, "parenthesised power", 1),
        (lambda r: "1-\\cos^2 x", True, "Pythagorean identity (math-verify decides)", 0.6),
        (lambda r: "\\cos^2 x", False, "wrong function", 1),
    ]


def _integral(rng: random.Random) -> tuple[str, list[Form]]:
    kind = rng.randint(0, 3)
    n = rng.randint(2, 5)
    if kind == 0:
        e = sympy.integrate(X**n, X)
        same = [f"\\frac{{x^{n + 1}}}{{{n + 1}}}", f"\\frac{{1}}{{{n + 1}}}x^{{{n + 1}}}", f"x^{n + 1}/{n + 1}"]
        wrong = [f"\\frac{{x^{n + 1}}}{{{n}}}", f"x^{n + 1}"]
        with_c = f"\\frac{{x^{n + 1}}}{{{n + 1}}} + C"
    elif kind == 1:
        e = sympy.integrate(sympy.cos(n * X), X)
        same = [f"\\frac{{\\sin({n}x)}}{{{n}}}", f"\\frac{{1}}{{{n}}}\\sin({n}x)"]
        wrong = [f"{n}\\sin({n}x)", f"\\sin({n}x)"]
        with_c = f"\\frac{{\\sin({n}x)}}{{{n}}} + C"
    elif kind == 2:
        e = sympy.integrate(sympy.exp(n * X), X)
        same = [f"\\frac{{e^{{{n}x}}}}{{{n}}}", f"\\frac{{1}}{{{n}}}e^{{{n}x}}"]
        wrong = [f"{n}e^{{{n}x}}", f"e^{{{n}x}}"]
        with_c = f"\\frac{{e^{{{n}x}}}}{{{n}}} + C"
    else:
        e = sympy.integrate(n * X + 1, X)
        same = [f"\\frac{{{n}x^2}}{{2}} + x", f"{Fraction(n, 2)}x^2 + x".replace("/", "/")]
        same = [same[0], f"x + \\frac{{{n}}}{{2}}x^{{2}}"]
        wrong = [f"{n}x^2 + x", f"\\frac{{{n}x^2}}{{2}}"]
        with_c = f"\\frac{{{n}x^2}}{{2}} + x + C"
    forms: list[Form] = [
        (lambda r: r.choice(same), True, "antiderivative without constant", 4),
        (lambda r: r.choice(wrong), False, "wrong antiderivative", 4),
        (lambda r: with_c, False, "+ C without an antiderivative task is not equal (as math-verify)", 0.12),
    ]
    return latex(e), forms


def _set(rng: random.Random) -> tuple[str, list[Form]]:
    if rng.random() < 0.75:
        r1, r2 = sorted(rng.sample(range(-9, 10), 2))
        gold = latex(FiniteSet(r1, r2))
        forms: list[Form] = [
            (lambda r: f"\\{{{r2}, {r1}\\}}", True, "reordered set", 2),
            (lambda r: f"\\{{{r1},{r2}\\}}", True, "same set", 1),
            (lambda r: f"{r1}, {r2}", True, "bare list", 2),
            (lambda r: f"x = {r1}, x = {r2}", True, "assignment list", 1),
            (lambda r: f"x={r2} \\text{{ or }} x={r1}", True, "assignments joined by 'or'", 1),
            (lambda r: f"\\{{{r1}\\}}", False, "missing root", 2),
            (lambda r: f"\\{{{r1}, {-r2 if r2 else 1}\\}}", False, "wrong root", 2),
            (lambda r: f"({r1}, {r2})", False, "tuple for a set (math-verify: equal)", 0.1),
        ]
        return gold, forms
    p, rad = rng.randint(1, 5), rng.choice([2, 3, 5, 7])
    gold = latex(FiniteSet(p - sqrt(rad), p + sqrt(rad)))
    forms = [
        (lambda r: f"{p} \\pm \\sqrt{{{rad}}}", True, "plus-minus", 3),
        (lambda r: f"x = {p}\\pm\\sqrt{rad}", True, "plus-minus assignment", 1),
        (lambda r: f"{p}+\\sqrt{{{rad}}}, {p}-\\sqrt{{{rad}}}", True, "explicit list", 1),
        (lambda r: f"{p} + \\sqrt{{{rad}}}", False, "one root only", 2),
        (lambda r: f"{p + 1} \\pm \\sqrt{{{rad}}}", False, "wrong centre", 2),
    ]
    return gold, forms


def _tuple(rng: random.Random) -> tuple[str, list[Form]]:
    a, b = rng.randint(-9, 9), rng.randint(-9, 9)
    if a == b:
        b += 1
    gold = f"\\left({a}, {b}\\right)" if rng.random() < 0.5 else latex(sympy.Tuple(a, b))
    forms: list[Form] = [
        (lambda r: f"({a}, {b})", True, "same tuple", 3),
        (lambda r: f"({a},{b})", True, "no spaces", 1),
        (lambda r: f"x = {a}, y = {b}", True, "named solution", 1),
        (lambda r: f"(x, y) = ({a}, {b})", True, "named tuple", 1),
        (lambda r: f"({b}, {a})", False, "swapped", 3),
        (lambda r: f"({a}, {b + 1})", False, "wrong component", 2),
        (lambda r: f"\\{{{a}, {b}\\}}", False, "set for a tuple (math-verify: equal)", 0.1),
    ]
    return gold, forms


def _interval(rng: random.Random) -> tuple[str, list[Form]]:
    a = rng.randint(-9, 9)
    b = a + rng.randint(1, 6)
    kind = rng.randint(0, 2)
    if kind == 0:
        gold = latex(Interval(-oo, a))
        forms: list[Form] = [
            (lambda r: f"(-\\infty, {a}]", True, "same ray", 3),
            (lambda r: f"(-\\infty,{a}]", True, "no spaces", 1),
            (lambda r: f"(-\\infty, {a})", False, "open end", 3),
            (lambda r: f"(-\\infty, {a + 1}]", False, "wrong endpoint", 2),
        ]
    elif kind == 1:
        gold = latex(Interval.Ropen(a, b))
        forms = [
            (lambda r: f"[{a}, {b})", True, "same interval", 3),
            (lambda r: f"[{a}, {b}]", False, "closed instead of half-open", 3),
            (lambda r: f"({a}, {b})", False, "open instead of half-open", 2),
        ]
    else:
        gold = latex(Interval.open(-oo, a) | Interval.Lopen(b, oo))
        forms = [
            (lambda r: f"(-\\infty, {a}) \\cup ({b}, \\infty)", True, "same union", 3),
            (lambda r: f"({b}, \\infty) \\cup (-\\infty, {a})", True, "reordered union", 1),
            (lambda r: f"(-\\infty, {a}] \\cup ({b}, \\infty)", False, "closed end in union", 2),
            (lambda r: f"(-\\infty, {a}) \\cup ({b + 1}, \\infty)", False, "wrong endpoint in union", 2),
        ]
    return gold, forms


def _equation(rng: random.Random) -> tuple[str, list[Form]]:
    m = rng.choice([-3, -2, -1, 2, 3, 4, 5])
    c = rng.choice([x for x in (-7, -4, -1, 1, 2, 3, 6) if x != m])
    gold = latex(Eq(Y, m * X + c))
    forms: list[Form] = [
        (lambda r: f"y={m}x{c:+d}", True, "same equation", 3),
        (lambda r: f"{m}x{c:+d}=y", True, "sides swapped", 1),
        (lambda r: f"y{-m:+d}x={c}", True, "rearranged", 1),
        (lambda r: f"2y={2 * m}x{2 * c:+d}", True, "scaled", 1),
        (lambda r: f"y={m}x{-c:+d}", False, "wrong intercept sign", 2),
        (lambda r: f"y={c}x{m:+d}", False, "slope and intercept swapped", 2),
    ]
    return gold, forms


def _percent(rng: random.Random) -> tuple[str, list[Form]]:
    p = rng.randint(2, 98)
    forms: list[Form] = [
        (lambda r: f"{p}\\%", True, "percent sign", 3),
        (lambda r: f"{p}%", True, "bare percent sign", 2),
        (lambda r: str(p), True, "plain number", 2),
        (lambda r: f"{p + 1}\\%", False, "wrong percentage", 2),
        (lambda r: f"{p / 100:g}", False, "fraction instead of percent number", 1),
    ]
    return str(p), forms


def _matrix(rng: random.Random) -> tuple[str, list[Form]]:
    a, b, c, d = (rng.randint(-5, 9) for _ in range(4))
    if b == c:
        c += 1
    gold = latex(Matrix([[a, b], [c, d]]))
    forms: list[Form] = [
        (lambda r: f"\\begin{{pmatrix}}{a}&{b}\\\\{c}&{d}\\end{{pmatrix}}", True, "pmatrix", 3),
        (lambda r: f"\\begin{{bmatrix}}{a} & {b} \\\\ {c} & {d}\\end{{bmatrix}}", True, "bmatrix", 2),
        (lambda r: f"\\begin{{pmatrix}}{a}&{c}\\\\{b}&{d}\\end{{pmatrix}}", False, "transposed", 3),
        (lambda r: f"\\begin{{pmatrix}}{a}&{b}\\\\{c}&{d + 1}\\end{{pmatrix}}", False, "wrong entry", 2),
    ]
    return gold, forms


def _text(rng: random.Random) -> tuple[str, list[Form]]:
    word, other = rng.choice([("yes", "no"), ("no", "yes"), ("even", "odd"), ("odd", "even")])
    forms: list[Form] = [
        (lambda r: word, True, "bare word", 2),
        (lambda r: word.capitalize(), True, "capitalised", 2),
        (lambda r: f"\\text{{{word}}}", True, "text command", 2),
        (lambda r: other, False, "opposite answer", 3),
        (lambda r: f"\\text{{{other.capitalize()}}}", False, "opposite answer in text", 1),
    ]
    return f"\\text{{{word}}}", forms


CATEGORIES: list[tuple[str, Callable[[random.Random], tuple[str, list[Form]]], float]] = [
    ("integer", _integer, 18),
    ("fraction", _fraction, 12),
    ("decimal", _decimal, 6),
    ("radical", _radical, 8),
    ("polynomial", _polynomial, 12),
    ("expression", _trig, 9),
    ("integral", _integral, 5),
    ("set", _set, 8),
    ("tuple", _tuple, 5),
    ("interval", _interval, 5),
    ("equation", _equation, 5),
    ("percent", _percent, 3),
    ("matrix", _matrix, 2),
    ("text", _text, 2),
]


def generate_pairs(n_pairs: int = 2400, seed: int = 20240611, group_size: int = 6) -> list[BenchPair]:
    """``n_pairs`` pairs in groups of ``group_size`` responses per gold; deterministic per seed."""
    rng = random.Random(seed)
    weights = [c[2] for c in CATEGORIES]
    out: list[BenchPair] = []
    while len(out) < n_pairs:
        name, make, _w = rng.choices(CATEGORIES, weights=weights)[0]
        gold, forms = make(rng)
        for response, intended, why in _pick(rng, forms, group_size):
            out.append(BenchPair(gold, response, intended, name, why))
    return out[:n_pairs]


if __name__ == "__main__":
    pairs = generate_pairs()
    print(len(pairs), sum(p.intended for p in pairs))
    for p in pairs[:40]:
        print(p)
