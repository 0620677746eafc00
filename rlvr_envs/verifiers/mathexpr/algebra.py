"""Exact algebra: polynomials over Q with sqrt(squarefree) and atoms (variables, pi, opaque fns).

A scalar is an ``RF``: a quotient of polynomials whose terms are a ``Fraction`` coefficient times
``sqrt(r)`` (``r`` squarefree) times a product of atoms with integer exponents.  Atoms are
variables (``v:x``), ``\\pi`` and opaque function applications keyed by the canonical form of their
argument.  ``Inf`` and ``Huge`` stand for infinities and astronomically large integers.

Every operation checks the size bounds below *before* computing, charges the per-evaluation work
budget in ``Ctx`` and raises ``GiveUp`` whenever it cannot decide with certainty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeAlias

#: Bit-size bound for any integer the fast path is willing to materialise.
MAX_BITS = 1 << 16
#: Work budget (roughly: monomial products) per fast-path evaluation.
_MAX_WORK = 60_000
#: Most terms one polynomial may have.
MAX_TERMS = 400
#: Most items in one collection; the limits on opaque atoms and set comparisons are 4x this.
MAX_ITEMS = 200


class GiveUp(Exception):
    """Raised anywhere in the fast path when it cannot decide with certainty."""


Atoms: TypeAlias = tuple[tuple[str, int], ...]
Mono: TypeAlias = tuple[int, Atoms]
Poly: TypeAlias = dict[Mono, Fraction]

ONE: Mono = (1, ())
PI = "\\pi"


# Atoms whose algebraic relations we do not model: a difference in canonical form is not proof.
def is_free_atom(name: str) -> bool:
    return name.startswith("v:") or name == PI


class Ctx:
    """Per-evaluation budget and flags."""

    __slots__ = ("decimal", "defs", "depth", "sci_ok", "work")

    def __init__(self, sci_ok: bool, defs: dict[str, AtomDef] | None = None) -> None:
        self.work = 0
        self.depth = 0
        self.sci_ok = sci_ok
        self.decimal = False
        # opaque atom key -> (function name, argument values), for numeric separation
        self.defs: dict[str, AtomDef] = dict(defs) if defs else {}

    def charge(self, n: int) -> None:
        self.work += n
        if self.work > _MAX_WORK:
            raise GiveUp("work budget exhausted")


def _check_size(c: Fraction) -> None:
    if c.numerator.bit_length() > MAX_BITS or c.denominator.bit_length() > MAX_BITS:
        raise GiveUp("coefficient too large")


def _mono_mul(a: Mono, b: Mono) -> tuple[int, Mono]:
    ra, aa = a
    rb, ab = b
    factor = 1
    if ra == 1:
        r = rb
    elif rb == 1:
        r = ra
    else:
        g = math.gcd(ra, rb)
        r = (ra // g) * (rb // g)
        factor = g
    if not aa:
        atoms = ab
    elif not ab:
        atoms = aa
    else:
        d = dict(aa)
        for k, e in ab:
            d[k] = d.get(k, 0) + e
        atoms = tuple(sorted((k, e) for k, e in d.items() if e))
    return factor, (r, atoms)


def padd(a: Poly, b: Poly, ctx: Ctx, sign: int = 1) -> Poly:
    ctx.charge(len(a) + len(b))
    out = dict(a)
    for m, c in b.items():
        v = out.get(m, Fraction(0)) + (c if sign > 0 else -c)
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    if len(out) > MAX_TERMS:
        raise GiveUp("too many terms")
    return out


def pmul(a: Poly, b: Poly, ctx: Ctx) -> Poly:
    ctx.charge(len(a) * len(b))
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            f, m = _mono_mul(ma, mb)
            c = ca * cb * f if f != 1 else ca * cb
            v = out.get(m)
            out[m] = c if v is None else v + c
    out = {m: c for m, c in out.items() if c}
    if len(out) > MAX_TERMS:
        raise GiveUp("too many terms")
    for c in out.values():
        _check_size(c)
    return out


def pscale(a: Poly, k: Fraction) -> Poly:
    if not k:
        return {}
    out = {m: c * k for m, c in a.items()}
    for c in out.values():
        _check_size(c)
    return out


def pconst(c: Fraction | int) -> Poly:
    return {ONE: Fraction(c)} if c else {}


def _is_const_rational(p: Poly) -> bool:
    return not p or (len(p) == 1 and ONE in p)


def const_value(p: Poly) -> Fraction:
    return p.get(ONE, Fraction(0)) if _is_const_rational(p) else Fraction(0)


@dataclass(slots=True)
class RF:
    """Rational function num/den; ``den is None`` means 1.  Single-term dens are absorbed."""

    num: Poly
    den: Poly | None = None


@dataclass(slots=True)
class Inf:
    sign: int


@dataclass(slots=True)
class Huge:
    """An integer power/factorial far larger than any normal gold (|v| > 2**MAX_BITS)."""

    sign: int


Num: TypeAlias = RF | Inf | Huge
AtomDef: TypeAlias = tuple[str, tuple[RF, ...]]


def rf_const(c: Fraction | int) -> RF:
    return RF(pconst(c))


def _mono_inverse(m: Mono, c: Fraction) -> tuple[Fraction, Mono]:
    """1/(c*m) as coefficient and monomial (sqrt(r)^-1 = sqrt(r)/r)."""
    r, atoms = m
    coef = 1 / c
    if r != 1:
        coef = coef / r
    return coef, (r, tuple((k, -e) for k, e in atoms))


def _rf_norm(x: RF) -> RF:
    den = x.den
    if den is None:
        return x
    if not den:
        raise GiveUp("division by zero")
    if len(den) == 1:
        ((m, c),) = den.items()
        coef, inv = _mono_inverse(m, c)
        num: Poly = {}
        for mm, cc in x.num.items():
            f, m2 = _mono_mul(mm, inv)
            num[m2] = num.get(m2, Fraction(0)) + cc * coef * f
        num = {k: v for k, v in num.items() if v}
        for v in num.values():
            _check_size(v)
        return RF(num)
    if not x.num:
        return RF({})
    return x


def rf_add(a: RF, b: RF, ctx: Ctx, sign: int = 1) -> RF:
    if a.den is None and b.den is None:
        return RF(padd(a.num, b.num, ctx, sign))
    if a.den is not None and b.den is not None and a.den == b.den:
        return _rf_norm(RF(padd(a.num, b.num, ctx, sign), a.den))
    ad = a.den if a.den is not None else pconst(1)
    bd = b.den if b.den is not None else pconst(1)
    num = padd(pmul(a.num, bd, ctx), pmul(b.num, ad, ctx), ctx, sign)
    return _rf_norm(RF(num, pmul(ad, bd, ctx)))


def rf_neg(a: RF) -> RF:
    return RF({m: -c for m, c in a.num.items()}, a.den)


def rf_mul(a: RF, b: RF, ctx: Ctx) -> RF:
    num = pmul(a.num, b.num, ctx)
    if a.den is None and b.den is None:
        return RF(num)
    if a.den is None:
        den = b.den
    elif b.den is None:
        den = a.den
    else:
        den = pmul(a.den, b.den, ctx)
    return _rf_norm(RF(num, den))


def rf_inv(a: RF) -> RF:
    if not a.num:
        raise GiveUp("division by zero")
    return _rf_norm(RF(a.den if a.den is not None else pconst(1), a.num))


def rf_eq(a: RF, b: RF, ctx: Ctx) -> bool:
    if a.den is None and b.den is None:
        return a.num == b.num
    ad = a.den if a.den is not None else pconst(1)
    bd = b.den if b.den is not None else pconst(1)
    return not padd(pmul(a.num, bd, ctx), pmul(b.num, ad, ctx), ctx, -1)


def rf_atoms(a: RF) -> set[str]:
    out: set[str] = set()
    for p in (a.num, a.den or {}):
        for _, atoms in p:
            out.update(k for k, _ in atoms)
    return out


def rf_has_radical(a: RF) -> bool:
    return any(r != 1 for p in (a.num, a.den or {}) for r, _ in p)


def rf_is_rational(a: RF) -> bool:
    return a.den is None and _is_const_rational(a.num)


def rf_is_constant(a: RF) -> bool:
    """Constant in Q(sqrt, pi) (no variables, no opaque atoms)."""
    return all(k == PI for k in rf_atoms(a))


def rf_approx(a: RF) -> float | None:
    """Float value of a constant in Q(sqrt, pi); None if not constant or not representable."""
    if not rf_is_constant(a):
        return None

    def pval(p: Poly) -> float:
        tot = 0.0
        for (r, atoms), c in p.items():
            v = float(c) * math.sqrt(r)
            for _k, e in atoms:
                v *= math.pi**e
            tot += v
        return tot

    try:
        n = pval(a.num)
        d = pval(a.den) if a.den is not None else 1.0
        return n / d
    except (OverflowError, ZeroDivisionError, ValueError):
        return None


def _poly_key(p: Poly) -> str:
    parts = []
    for (r, atoms), c in sorted(p.items(), key=lambda kv: repr(kv[0])):
        parts.append(f"{c}*{r}" + "".join(f"*{k}^{e}" for k, e in atoms))
    return "+".join(parts) or "0"


def rf_key(a: RF) -> str:
    if a.den is None:
        return _poly_key(a.num)
    return f"({_poly_key(a.num)})/({_poly_key(a.den)})"


_SMALL_PRIMES: list[int] = [p for p in range(2, 1000) if all(p % q for q in range(2, math.isqrt(p) + 1))]


def _squarefree_split(n: int) -> tuple[int, int]:
    """Return (s, t) with n = s*s*t and t squarefree; give up if n cannot be factored cheaply."""
    if n.bit_length() > 4096:
        raise GiveUp("radicand too large")
    r = math.isqrt(n)
    if r * r == n:
        return r, 1
    s, t = 1, 1
    p = 2
    for p in _SMALL_PRIMES:
        if p * p > n:
            break
        if n % p == 0:
            e = 0
            while n % p == 0:
                n //= p
                e += 1
            s *= p ** (e // 2)
            if e % 2:
                t *= p
    if n == 1:
        return s, t
    if p * p > n or n < 1_000_000:
        return s, t * n  # n is prime
    r = math.isqrt(n)
    if r * r == n:
        return s * r, t
    if n < 1000**3:
        return s, t * n  # prime or product of two distinct primes > 1000
    raise GiveUp("cannot factor radicand")


def iroot(n: int, k: int) -> int | None:
    """Exact integer k-th root of n >= 0, or None."""
    if n < 2:
        return n
    if n.bit_length() > 4096:
        return None
    x = round(n ** (1.0 / k)) if n.bit_length() < 1000 else 1 << (n.bit_length() // k)
    for cand in (x - 1, x, x + 1):
        if cand >= 0 and cand**k == n:
            return cand
    # exact integer bisection when the float guess is off (large n)
    lo, hi = 0, 1 << (n.bit_length() // k + 1)
    while lo < hi:
        mid = (lo + hi) // 2
        if mid**k < n:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo**k == n else None


def sqrt_rational(q: Fraction) -> RF:
    if q < 0:
        raise GiveUp("sqrt of negative number")
    if q == 0:
        return RF({})
    n = q.numerator * q.denominator
    s, t = _squarefree_split(n)
    return RF({(t, ()): Fraction(s, q.denominator)})


def atom_rf(name: str, exp: int = 1) -> RF:
    return RF({(1, ((name, exp),)): Fraction(1)})
