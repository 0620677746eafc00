"""Math answer verifier: exact in-process fast paths, math-verify in killable worker processes.

Why this exists: ``math_verify`` is the reference semantics for "is this final answer equal to the
gold answer", but it is slow (~150 checks/s per core), bounds its own run time with
``signal.alarm`` (unusable off the main thread) and has a few false positives (sets == tuples,
``1/2004! == 1/2006!`` after float rounding, ``1/3 == 0.333333``).

Design (see ``docs/math-verifier.md`` for the full semantics):

1. Normalise both strings (delimiters, ``\\left``/``\\right``, spacing, ``\\dfrac``, units, ...).
2. Exact match of the normalised strings.
3. A small hand-written tokenizer/parser evaluates both sides into *exact* values: rationals
   (``fractions.Fraction``), the field ``Q(sqrt 2, sqrt 3, ..., pi)``, multivariate rational
   functions, plus opaque atoms for ``sin``/``log``/... and structured kinds (sets, tuples,
   intervals, matrices, equations, text).  No ``eval``, no ``sympify``; every exponent, factorial
   and polynomial product is size-bounded *before* it is computed.  Where the canonical forms
   decide the question with certainty we answer; otherwise we defer.
4. Deferred pairs go to ``math_verify`` running in ``subprocess.Popen`` workers
   (``python -m rlvr_envs.verifiers._math_worker``) speaking length-prefixed JSON.  The parent
   enforces a wall-clock deadline with ``poll()`` on the pipe and SIGKILLs + respawns a worker
   that overruns it.  Subprocesses (not ``multiprocessing``) so this also works inside daemonic
   ``AsyncVectorEnv`` workers, threads and forked children.
5. Verdicts are memoised in a bounded LRU keyed on the normalised pair.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import math
import os
import re
import select
import struct
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Literal, NamedTuple, TypeAlias

from pydantic import BaseModel, ConfigDict

__all__ = [
    "MathCheck",
    "cache_info",
    "check_answer",
    "check_many",
    "clear_cache",
    "shutdown",
    "warmup",
]

Method: TypeAlias = Literal[
    "exact", "numeric", "rational", "sympy", "math_verify", "timeout", "unparseable", "too_long"
]

#: Inputs longer than this (after normalisation) are rejected without parsing.
MAX_ANSWER_CHARS = 4000
#: Raw inputs longer than this are rejected before normalisation (keeps hostile input O(1)).
_MAX_RAW_CHARS = 4 * MAX_ANSWER_CHARS
#: Bit-size bound for any integer the fast path is willing to materialise.
_MAX_BITS = 1 << 16
#: Work budget (roughly: monomial products) per fast-path evaluation.
_MAX_WORK = 60_000
_MAX_TERMS = 400
_MAX_SUM_TERMS = 5000
_MAX_DEPTH = 80
_MAX_ITEMS = 200


class MathCheck(BaseModel):
    """Verdict for one (gold, predicted) pair."""

    model_config = ConfigDict(frozen=True)

    equal: bool
    method: Method
    elapsed_s: float
    detail: str = ""


class _Verdict(NamedTuple):
    equal: bool
    method: Method
    detail: str


class _GiveUp(Exception):
    """Raised anywhere in the fast path when it cannot decide with certainty."""


# ----------------------------------------------------------------------------------------------
# Normalisation
# ----------------------------------------------------------------------------------------------

_UNICODE_MAP = str.maketrans(
    {
        "\u2212": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u00d7": r" \times ",
        "\u00f7": r" \div ",
        "\u00b7": r" \cdot ",
        "\u22c5": r" \cdot ",
        "\u03c0": r" \pi ",
        "\u221e": r" \infty ",
        "\u221a": r"\sqrt ",
        "\u2264": r" \leq ",
        "\u2265": r" \geq ",
        "\u2260": r" \neq ",
        "\u222a": r" \cup ",
        "\u00b0": r"^{\circ}",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\uff05": "%",
        "\uff0c": ",",
        "\u00bd": r"\frac{1}{2}",
    }
)

_LEFT_RIGHT_DOT_RE = re.compile(r"\\(?:left|right)\s*\.")
_SIZING_RE = re.compile(
    r"\\(?:left|right|middle|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|bigm|Bigm|big|Big|bigg|Bigg)"
    r"(?![a-zA-Z])\s*"
)
# ``\\\\`` (matrix row separator) is matched first so that ``\\\\ `` is not read as ``\\`` + ``\ ``.
_SPACING_RE = re.compile(
    r"\\\\|\\[!,;:> ]|~|\\(?:quad|qquad|enspace|thinspace|medspace|thickspace|negthinspace|"
    r"displaystyle|textstyle|scriptstyle|nonumber|limits|hfill)(?![a-zA-Z])"
)


def _spacing_repl(m: re.Match[str]) -> str:
    t = m.group()
    if t == "\\\\":
        return t
    return "" if t == "\\!" else " "


_FRAC_RE = re.compile(r"\\[dtc]frac(?![a-zA-Z])")
_BINOM_RE = re.compile(r"\\[dt]binom(?![a-zA-Z])")
_REL_RE = [
    (re.compile(r"\\(?:leqslant|leq|le)(?![a-zA-Z])"), r"\\leq "),
    (re.compile(r"\\(?:geqslant|geq|ge)(?![a-zA-Z])"), r"\\geq "),
    (re.compile(r"\\(?:neq|ne)(?![a-zA-Z])"), r"\\neq "),
]
# sympy's latex() prints the natural log as \log; math-verify reads an un-based \log as log10.
_LOG_RE = re.compile(r"\\log(?![a-zA-Z])(?!\s*_)")
_OPNAME_RE = re.compile(r"\\operatorname\*?\s*\{\s*([a-zA-Z]+)\s*\}")
_OPNAME_MAP = {
    "atan": r"\arctan",
    "asin": r"\arcsin",
    "acos": r"\arccos",
    "acot": r"\arccot",
    "asec": r"\arcsec",
    "acsc": r"\arccsc",
    "arctan": r"\arctan",
    "arcsin": r"\arcsin",
    "arccos": r"\arccos",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "tanh": r"\tanh",
    "asinh": r"\arcsinh",
    "acosh": r"\arccosh",
    "atanh": r"\arctanh",
    "sech": r"\sech",
    "csch": r"\csch",
    "coth": r"\coth",
    "sgn": r"\sgn",
    "sign": r"\sgn",
    "ln": r"\ln",
    "log": r"\ln",
    "exp": r"\exp",
}
_TEXT_CMD_RE = re.compile(
    r"\\(?:text|textrm|textnormal|textup|textsf|texttt|textbf|textit|mathrm|mathbf|mathit|mathsf|"
    r"mathtt|mathnormal|mbox|hbox|boldsymbol|bm)\s*\{([^{}]*)\}"
)
_PERCENT_WORD_RE = re.compile(r" ?(?:\\text\{ ?)?(?:percentage|percent|pct)(?: ?\})?$", re.I)
_DEGREE_RE = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\circ(?![a-zA-Z])|\\degree(?![a-zA-Z])")
_TEXT_TAIL_RE = re.compile(r"\\text\{[^{}]*\}(?:\s*\^\s*(?:\{[^{}]*\}|[0-9]))?\s*$")
_WS_RE = re.compile(r"\s+")
_SQUASH_RE = re.compile(r"(?<=[^A-Za-z]) | (?=[^A-Za-z])")


def _match_brace(s: str, i: int) -> int:
    """Index of the ``}`` matching the ``{`` at ``s[i]`` (ignoring ``\\{``/``\\}``), or -1."""
    depth = 0
    n = len(s)
    j = i
    while j < n:
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1


_WRAPPER_RE = re.compile(r"^\\(?:boxed|fbox|framebox)\s*\{")


def _strip_wrappers(s: str) -> str:
    """Remove math delimiters and ``\\boxed{}`` that enclose the whole answer."""
    for _ in range(8):
        t = s.strip()
        if len(t) >= 4 and t.startswith("$$") and t.endswith("$$"):
            t = t[2:-2]
        elif len(t) >= 2 and t[0] == "$" and t[-1] == "$" and not t.endswith("\\$"):
            t = t[1:-1]
        elif len(t) >= 4 and t.startswith(("\\(", "\\[")) and t.endswith(("\\)", "\\]")):
            t = t[2:-2]
        else:
            m = _WRAPPER_RE.match(t)
            if m and _match_brace(t, m.end() - 1) == len(t) - 1:
                t = t[m.end() : -1]
        if t == s:
            return t
        s = t
    return s.strip()


def _text_repl(m: re.Match[str]) -> str:
    content = m.group(1).strip()
    low = content.lower().strip(" ,")
    if low in ("and", "or", ""):
        return " , " if low else " "
    if len(content) == 1 or not re.search(r"[A-Za-z]{2}", content):
        return " " + content + " "
    return "\\text{" + _WS_RE.sub(" ", content) + "}"


def _normalise(s: str) -> str:
    """Gold-independent normalisation; output stays valid LaTeX for math-verify."""
    s = s.translate(_UNICODE_MAP)
    s = _strip_wrappers(s)
    s = s.replace("\\$", " ").replace("$", " ").replace("\u20ac", " ").replace("\u00a3", " ")
    s = _LEFT_RIGHT_DOT_RE.sub("", s)
    s = _SIZING_RE.sub("", s)
    s = _SPACING_RE.sub(_spacing_repl, s)
    s = _FRAC_RE.sub(r"\\frac", s)
    s = _BINOM_RE.sub(r"\\binom", s)
    for rx, rep in _REL_RE:
        s = rx.sub(rep, s)
    s = _OPNAME_RE.sub(lambda m: _OPNAME_MAP.get(m.group(1), m.group(0)) + " ", s)
    s = _LOG_RE.sub(r"\\ln", s)
    s = s.replace("{,}", ",")
    s = _TEXT_CMD_RE.sub(_text_repl, s)
    s = _DEGREE_RE.sub(" ", s)
    s = re.sub(r"(?<!\\)%", r"\\%", s)
    s = _WS_RE.sub(" ", s).strip()
    s = _PERCENT_WORD_RE.sub(r"\\%", s) if re.search(r"[0-9}] ?(?:\\text\{ ?)?(?:percent|pct)", s, re.I) else s
    # Trailing unit text such as "5 \text{cm}" or "3 \text{ dollars}^2" (procedural: no O(n^2)).
    for _ in range(3):
        k = s.rfind("\\text{")
        if k <= 0 or not _TEXT_TAIL_RE.fullmatch(s, k) or not s[:k].strip(" ,"):
            break
        s = s[:k].strip()
    if s.startswith("\\text{") and s.endswith("}") and _match_brace(s, 5) == len(s) - 1:
        inner = s[6:-1].strip()
        if re.match(r"^-?[0-9.]", inner):
            s = inner
    # A sentence-final period or semicolon ("7." / "x = 3;") but not an ellipsis or "\\.".
    while s.endswith((".", ";")) and not s.endswith(("..", "\\.")):
        s = s[:-1].rstrip()
    return s


def _squash(s: str) -> str:
    """Whitespace-insensitive form that keeps the space in ``\\cos x``."""
    return _SQUASH_RE.sub("", s)


# ----------------------------------------------------------------------------------------------
# Exact algebra: polynomials over Q with sqrt(squarefree) and atoms (variables, pi, opaque fns)
# ----------------------------------------------------------------------------------------------

Atoms: TypeAlias = tuple[tuple[str, int], ...]
Mono: TypeAlias = tuple[int, Atoms]
Poly: TypeAlias = dict[Mono, Fraction]

_ONE: Mono = (1, ())
_PI = "\\pi"


# Atoms whose algebraic relations we do not model: a difference in canonical form is not proof.
def _is_free_atom(name: str) -> bool:
    return name.startswith("v:") or name == _PI


class _Ctx:
    """Per-evaluation budget and flags."""

    __slots__ = ("decimal", "defs", "depth", "sci_ok", "work")

    def __init__(self, sci_ok: bool, defs: dict[str, _AtomDef] | None = None) -> None:
        self.work = 0
        self.depth = 0
        self.sci_ok = sci_ok
        self.decimal = False
        # opaque atom key -> (function name, argument values), for numeric separation
        self.defs: dict[str, _AtomDef] = dict(defs) if defs else {}

    def charge(self, n: int) -> None:
        self.work += n
        if self.work > _MAX_WORK:
            raise _GiveUp("work budget exhausted")


def _check_size(c: Fraction) -> None:
    if c.numerator.bit_length() > _MAX_BITS or c.denominator.bit_length() > _MAX_BITS:
        raise _GiveUp("coefficient too large")


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


def _padd(a: Poly, b: Poly, ctx: _Ctx, sign: int = 1) -> Poly:
    ctx.charge(len(a) + len(b))
    out = dict(a)
    for m, c in b.items():
        v = out.get(m, Fraction(0)) + (c if sign > 0 else -c)
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    if len(out) > _MAX_TERMS:
        raise _GiveUp("too many terms")
    return out


def _pmul(a: Poly, b: Poly, ctx: _Ctx) -> Poly:
    ctx.charge(len(a) * len(b))
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            f, m = _mono_mul(ma, mb)
            c = ca * cb * f if f != 1 else ca * cb
            v = out.get(m)
            out[m] = c if v is None else v + c
    out = {m: c for m, c in out.items() if c}
    if len(out) > _MAX_TERMS:
        raise _GiveUp("too many terms")
    for c in out.values():
        _check_size(c)
    return out


def _pscale(a: Poly, k: Fraction) -> Poly:
    if not k:
        return {}
    out = {m: c * k for m, c in a.items()}
    for c in out.values():
        _check_size(c)
    return out


def _pconst(c: Fraction | int) -> Poly:
    return {_ONE: Fraction(c)} if c else {}


def _is_const_rational(p: Poly) -> bool:
    return not p or (len(p) == 1 and _ONE in p)


def _const_value(p: Poly) -> Fraction:
    return p.get(_ONE, Fraction(0)) if _is_const_rational(p) else Fraction(0)


@dataclass(slots=True)
class _RF:
    """Rational function num/den; ``den is None`` means 1.  Single-term dens are absorbed."""

    num: Poly
    den: Poly | None = None


@dataclass(slots=True)
class _Inf:
    sign: int


@dataclass(slots=True)
class _Huge:
    """An integer power/factorial far larger than any normal gold (|v| > 2**_MAX_BITS)."""

    sign: int


_Num: TypeAlias = _RF | _Inf | _Huge
_AtomDef: TypeAlias = tuple[str, tuple[_RF, ...]]


def _rf_const(c: Fraction | int) -> _RF:
    return _RF(_pconst(c))


def _mono_inverse(m: Mono, c: Fraction) -> tuple[Fraction, Mono]:
    """1/(c*m) as coefficient and monomial (sqrt(r)^-1 = sqrt(r)/r)."""
    r, atoms = m
    coef = 1 / c
    if r != 1:
        coef = coef / r
    return coef, (r, tuple((k, -e) for k, e in atoms))


def _rf_norm(x: _RF) -> _RF:
    den = x.den
    if den is None:
        return x
    if not den:
        raise _GiveUp("division by zero")
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
        return _RF(num)
    if not x.num:
        return _RF({})
    return x


def _rf_add(a: _RF, b: _RF, ctx: _Ctx, sign: int = 1) -> _RF:
    if a.den is None and b.den is None:
        return _RF(_padd(a.num, b.num, ctx, sign))
    if a.den is not None and b.den is not None and a.den == b.den:
        return _rf_norm(_RF(_padd(a.num, b.num, ctx, sign), a.den))
    ad = a.den if a.den is not None else _pconst(1)
    bd = b.den if b.den is not None else _pconst(1)
    num = _padd(_pmul(a.num, bd, ctx), _pmul(b.num, ad, ctx), ctx, sign)
    return _rf_norm(_RF(num, _pmul(ad, bd, ctx)))


def _rf_neg(a: _RF) -> _RF:
    return _RF({m: -c for m, c in a.num.items()}, a.den)


def _rf_mul(a: _RF, b: _RF, ctx: _Ctx) -> _RF:
    num = _pmul(a.num, b.num, ctx)
    if a.den is None and b.den is None:
        return _RF(num)
    if a.den is None:
        den = b.den
    elif b.den is None:
        den = a.den
    else:
        den = _pmul(a.den, b.den, ctx)
    return _rf_norm(_RF(num, den))


def _rf_inv(a: _RF) -> _RF:
    if not a.num:
        raise _GiveUp("division by zero")
    return _rf_norm(_RF(a.den if a.den is not None else _pconst(1), a.num))


def _rf_eq(a: _RF, b: _RF, ctx: _Ctx) -> bool:
    if a.den is None and b.den is None:
        return a.num == b.num
    ad = a.den if a.den is not None else _pconst(1)
    bd = b.den if b.den is not None else _pconst(1)
    return not _padd(_pmul(a.num, bd, ctx), _pmul(b.num, ad, ctx), ctx, -1)


def _rf_atoms(a: _RF) -> set[str]:
    out: set[str] = set()
    for p in (a.num, a.den or {}):
        for _, atoms in p:
            out.update(k for k, _ in atoms)
    return out


def _rf_has_radical(a: _RF) -> bool:
    return any(r != 1 for p in (a.num, a.den or {}) for r, _ in p)


def _rf_is_rational(a: _RF) -> bool:
    return a.den is None and _is_const_rational(a.num)


def _rf_is_constant(a: _RF) -> bool:
    """Constant in Q(sqrt, pi) (no variables, no opaque atoms)."""
    return all(k == _PI for k in _rf_atoms(a))


def _rf_approx(a: _RF) -> float | None:
    """Float value of a constant in Q(sqrt, pi); None if not constant or not representable."""
    if not _rf_is_constant(a):
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


def _rf_key(a: _RF) -> str:
    if a.den is None:
        return _poly_key(a.num)
    return f"({_poly_key(a.num)})/({_poly_key(a.den)})"


_SMALL_PRIMES: list[int] = [p for p in range(2, 1000) if all(p % q for q in range(2, math.isqrt(p) + 1))]


def _squarefree_split(n: int) -> tuple[int, int]:
    """Return (s, t) with n = s*s*t and t squarefree; give up if n cannot be factored cheaply."""
    if n.bit_length() > 4096:
        raise _GiveUp("radicand too large")
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
    raise _GiveUp("cannot factor radicand")


def _iroot(n: int, k: int) -> int | None:
    """Exact integer k-th root of n >= 0, or None."""
    if n < 2:
        return n
    if n.bit_length() > 4096:
        return None
    x = round(n ** (1.0 / k)) if n.bit_length() < 1000 else 1 << (n.bit_length() // k)
    for cand in (x - 1, x, x + 1):
        if cand >= 0 and cand**k == n:
            return cand
    # Newton refinement for large n
    lo, hi = 0, 1 << (n.bit_length() // k + 1)
    while lo < hi:
        mid = (lo + hi) // 2
        if mid**k < n:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo**k == n else None


def _sqrt_rational(q: Fraction) -> _RF:
    if q < 0:
        raise _GiveUp("sqrt of negative number")
    if q == 0:
        return _RF({})
    n = q.numerator * q.denominator
    s, t = _squarefree_split(n)
    return _RF({(t, ()): Fraction(s, q.denominator)})


def _atom_rf(name: str, exp: int = 1) -> _RF:
    return _RF({(1, ((name, exp),)): Fraction(1)})


# ----------------------------------------------------------------------------------------------
# Tokenizer and parser
# ----------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<num>[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)"
    r"|(?P<text>\\text\{[^{}]*\})"
    r"|(?P<begin>\\begin\s*\{[a-zA-Z*]+\})"
    r"|(?P<end>\\end\s*\{[a-zA-Z*]+\})"
    r"|(?P<cmd>\\[a-zA-Z]+|\\.)"
    r"|(?P<pow>\*\*)"
    r"|(?P<ch>.)",
    re.S,
)


class _Tok(NamedTuple):
    kind: str  # num, text, begin, end, cmd, pow, ch, eof
    text: str
    ws: bool  # preceded by whitespace


_EOF = _Tok("eof", "", False)

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "varrho", "sigma",
    "varsigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta",
    "Theta", "Lambda", "Xi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}  # fmt: skip
_FUNCS = {
    "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "arccot", "arcsec",
    "arccsc", "sinh", "cosh", "tanh", "coth", "sech", "csch", "arcsinh", "arccosh", "arctanh",
    "ln", "exp", "sgn",
}  # fmt: skip
_TRIG_INVERSE = {"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh"}
_MATRIX_ENVS = {"pmatrix", "bmatrix", "matrix", "Bmatrix", "smallmatrix", "array"}

Node: TypeAlias = tuple[object, ...]


def _tokenize(s: str) -> list[_Tok]:
    toks: list[_Tok] = []
    ws = False
    for m in _TOKEN_RE.finditer(s):
        kind = m.lastgroup or "ch"
        if kind == "ws":
            ws = True
            continue
        text = m.group()
        if kind in ("begin", "end"):
            text = text[text.index("{") + 1 : -1]
        elif kind == "text":
            text = text[6:-1].strip()
        toks.append(_Tok(kind, text, ws))
        ws = False
    return toks


class _Parser:
    """Recursive-descent parser for answer strings into small tuple ASTs.

    Grammar follows latex2sympy where it matters (``1/2x`` is ``1/(2x)``, ``2\\frac12`` is a
    mixed number, ``\\sin 2x`` is ``sin(2x)``); anything ambiguous raises ``_GiveUp``.
    """

    def __init__(self, toks: list[_Tok], ctx: _Ctx) -> None:
        self.toks = toks
        self.i = 0
        self.ctx = ctx
        self.abs_depth = 0

    # -- helpers --------------------------------------------------------------------------
    def peek(self, k: int = 0) -> _Tok:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else _EOF

    def next(self) -> _Tok:
        t = self.peek()
        self.i += 1
        return t

    def at(self, kind: str, text: str | None = None) -> bool:
        t = self.peek()
        return t.kind == kind and (text is None or t.text == text)

    def at_ch(self, *chars: str) -> bool:
        t = self.peek()
        return t.kind == "ch" and t.text in chars

    def at_cmd(self, *names: str) -> bool:
        t = self.peek()
        return t.kind == "cmd" and t.text in names

    def expect_ch(self, c: str) -> None:
        if not self.at_ch(c):
            raise _GiveUp(f"expected {c!r}")
        self.i += 1

    def enter(self) -> None:
        self.ctx.depth += 1
        if self.ctx.depth > _MAX_DEPTH:
            raise _GiveUp("nesting too deep")

    def leave(self) -> None:
        self.ctx.depth -= 1

    # -- top level ------------------------------------------------------------------------
    def parse_answer(self) -> Node:
        if not self.toks:
            raise _GiveUp("empty")
        if len(self.toks) == 1 and self.toks[0].kind == "text":
            return ("text", self.toks[0].text)
        items = [self.parse_item()]
        while self.at_ch(",", ";"):
            self.i += 1
            items.append(self.parse_item())
            if len(items) > _MAX_ITEMS:
                raise _GiveUp("too many items")
        if self.peek().kind != "eof":
            raise _GiveUp(f"trailing input {self.peek().text!r}")
        return items[0] if len(items) == 1 else ("list", items)

    def parse_item(self) -> Node:
        parts = [self.parse_union()]
        ops: list[str] = []
        while self.at_ch("=") or self.at_cmd("\\approx"):
            ops.append(self.next().text)
            parts.append(self.parse_union())
        if self.at_ch("<", ">") or self.at_cmd("\\leq", "\\geq", "\\neq", "\\lt", "\\gt", "\\in"):
            raise _GiveUp("relation")
        if len(parts) == 1:
            return parts[0]
        return ("rel", parts, ops)

    def parse_union(self) -> Node:
        parts = [self.parse_setlike()]
        while self.at_cmd("\\cup"):
            self.i += 1
            parts.append(self.parse_setlike())
        if len(parts) == 1:
            return parts[0]
        return ("union", parts)

    def _item_end(self) -> bool:
        t = self.peek()
        if t.kind == "eof":
            return True
        if t.kind == "ch" and t.text in ",;=)]}":
            return True
        return t.kind == "cmd" and t.text in ("\\cup", "\\}", "\\approx", "\\\\")

    def parse_setlike(self) -> Node:
        t = self.peek()
        if t.kind == "cmd" and t.text in ("\\emptyset", "\\varnothing"):
            self.i += 1
            return ("set", [])
        if t.kind == "cmd" and t.text == "\\{":
            self.i += 1
            items = self.parse_items_until(lambda: self.at_cmd("\\}"))
            self.i += 1
            return ("set", items)
        if t.kind == "begin":
            return self.parse_matrix()
        if t.kind == "ch" and t.text in "([{":
            save = self.i
            node = self.try_bracket_group()
            if node is not None and self._item_end():
                return node
            self.i = save
        node = self.parse_expr()
        if self.at_cmd("\\%"):
            self.i += 1
            node = ("pct", node)
        return node

    def parse_items_until(self, stop: Callable[[], bool]) -> list[Node]:
        items: list[Node] = []
        if stop():
            return items
        self.enter()
        while True:
            items.append(self.parse_item())
            if len(items) > _MAX_ITEMS:
                raise _GiveUp("too many items")
            if stop():
                break
            if not self.at_ch(",", ";"):
                raise _GiveUp("bad collection")
            self.i += 1
        self.leave()
        return items

    def try_bracket_group(self) -> Node | None:
        """``(a, b)``, ``[a, b)``, ``{a, b}``, or a bracketed matrix; None if not a collection."""
        open_t = self.next().text
        saved_depth = self.ctx.depth
        try:
            return self._bracket_group(open_t)
        except _GiveUp:
            self.ctx.depth = saved_depth
            return None

    def _bracket_group(self, open_t: str) -> Node | None:
        if open_t == "{":
            items = self.parse_items_until(lambda: self.at_ch("}"))
            self.i += 1
            return ("set", items) if len(items) != 1 else None
        if self.peek().kind == "begin":
            mat = self.parse_matrix()
            if self.at_ch(")", "]"):
                self.i += 1
                return mat
            return None
        items = self.parse_items_until(lambda: self.at_ch(")", "]"))
        close_t = self.next().text
        if len(items) < 2:
            return None
        return ("brk", open_t, items, close_t)

    def parse_matrix(self) -> Node:
        env = self.next().text
        if env not in _MATRIX_ENVS:
            raise _GiveUp(f"environment {env}")
        if env == "array" and self.at_ch("{"):
            depth = 0
            while True:  # skip column spec
                t = self.next()
                if t.kind == "eof":
                    raise _GiveUp("bad array")
                if t.kind == "ch" and t.text == "{":
                    depth += 1
                elif t.kind == "ch" and t.text == "}":
                    depth -= 1
                    if depth == 0:
                        break
        rows: list[list[Node]] = [[]]
        self.enter()
        while True:
            if self.peek().kind == "end":
                if self.next().text != env:
                    raise _GiveUp("mismatched environment")
                break
            if self.peek().kind == "eof":
                raise _GiveUp("unterminated matrix")
            rows[-1].append(self.parse_expr())
            if self.at_ch("&"):
                self.i += 1
            elif self.at_cmd("\\\\"):
                self.i += 1
                if self.peek().kind != "end":
                    rows.append([])
            elif self.peek().kind != "end":
                raise _GiveUp("bad matrix cell")
        self.leave()
        if not rows[-1]:
            rows.pop()
        if not rows or len({len(r) for r in rows}) != 1:
            raise _GiveUp("ragged matrix")
        return ("mat", rows)

    # -- expressions ----------------------------------------------------------------------
    def parse_expr(self) -> Node:
        self.enter()
        terms: list[tuple[str, Node]] = []
        sign = "+"
        if self.at_ch("+", "-") or self.at_cmd("\\pm", "\\mp"):
            sign = self._sign(self.next())
        terms.append((sign, self.parse_term()))
        while self.at_ch("+", "-") or self.at_cmd("\\pm", "\\mp"):
            sign = self._sign(self.next())
            terms.append((sign, self.parse_term()))
            if len(terms) > _MAX_SUM_TERMS:
                raise _GiveUp("too many terms")
        self.leave()
        if len(terms) == 1 and terms[0][0] == "+":
            return terms[0][1]
        return ("add", terms)

    @staticmethod
    def _sign(t: _Tok) -> str:
        return {"+": "+", "-": "-", "\\pm": "pm", "\\mp": "mp"}[t.text]

    def parse_term(self) -> Node:
        node = self.parse_product()
        while True:
            if self.at_ch("*") or self.at_cmd("\\cdot", "\\times", "\\ast"):
                self.i += 1
                node = ("mul", [node, self.parse_signed_product()])
            elif self.at_ch("/") or self.at_cmd("\\div"):
                self.i += 1
                node = ("div", node, self.parse_signed_product())
            else:
                return node

    def parse_signed_product(self) -> Node:
        if self.at_ch("-"):
            self.i += 1
            return ("neg", self.parse_product())
        if self.at_ch("+"):
            self.i += 1
        return self.parse_product()

    def _starts_factor(self) -> bool:
        t = self.peek()
        if t.kind in ("num", "begin"):
            return True
        if t.kind == "ch":
            if t.text == "|":
                return self.abs_depth == 0
            return t.text.isalpha() or t.text in "({["
        if t.kind == "cmd":
            name = t.text[1:]
            return (
                name in _GREEK
                or name in _FUNCS
                or name in ("pi", "infty", "frac", "sqrt", "binom", "log", "arctan", "exp", "lvert", "vert")
            )
        return False

    def parse_product(self, stop_at_func: bool = False) -> Node:
        factors = [self.parse_postfix()]
        while self._starts_factor():
            t = self.peek()
            if stop_at_func and t.kind == "cmd" and (t.text[1:] in _FUNCS or t.text == "\\log"):
                break
            if t.kind == "ch" and t.text == "[":
                raise _GiveUp("bracket after factor")
            prev = factors[-1]
            if prev[0] == "n" and t.kind == "num":
                raise _GiveUp("adjacent numbers")
            factors.append(self.parse_postfix())
            if len(factors) > _MAX_TERMS:
                raise _GiveUp("too many factors")
        # Mixed number 2\frac{1}{2} (latex2sympy reads it as 5/2 when nothing follows).
        if len(factors) == 2 and factors[0][0] == "n" and factors[0][2] is False and factors[1][0] == "mixedfrac":
            whole = factors[0][1]
            assert isinstance(whole, Fraction)
            fr = factors[1][1]
            assert isinstance(fr, Fraction)
            return ("n", whole + fr, False)
        factors = [("n", f[1], False) if f[0] == "mixedfrac" else f for f in factors]
        if len(factors) == 1:
            return factors[0]
        return ("mul", factors)

    def parse_postfix(self) -> Node:
        self.enter()
        node = self.parse_primary()
        powered = False
        while True:
            if self.at_ch("^"):
                self.i += 1
                if powered:
                    raise _GiveUp("ambiguous chained powers")  # latex2sympy: left-assoc
                powered = True
                node = ("pow", node, self.parse_exponent())
                if node[1][0] == "mixedfrac":
                    node = ("pow", ("n", node[1][1], False), node[2])
            elif self.at("pow"):
                self.i += 1
                rhs = self.parse_signed_postfix()  # ** is right-associative
                node = ("pow", node, rhs)
            elif self.at_ch("!"):
                self.i += 1
                if self.at_ch("!"):
                    raise _GiveUp("double factorial")
                node = ("fact", node)
            elif self.at_ch("'"):
                raise _GiveUp("prime")
            else:
                break
        self.leave()
        return node

    def parse_signed_postfix(self) -> Node:
        if self.at_ch("-"):
            self.i += 1
            return ("neg", self.parse_postfix())
        if self.at_ch("+"):
            self.i += 1
        return self.parse_postfix()

    def parse_exponent(self) -> Node:
        t = self.peek()
        if t.kind == "ch" and t.text == "{":
            return self.parse_group()
        if t.kind == "ch" and t.text == "-":
            self.i += 1
            return ("neg", self.parse_exponent())
        if t.kind == "num":
            self.i += 1
            return self._num_node(t.text)
        if t.kind == "ch" and t.text.isalpha():
            self.i += 1
            return self._letter(t.text)
        if t.kind == "cmd" and (t.text[1:] in _GREEK or t.text in ("\\pi", "\\infty")):
            return self.parse_primary()
        raise _GiveUp("unsupported exponent")

    def parse_group(self) -> Node:
        """``{ expr }`` used for arguments."""
        self.expect_ch("{")
        node = self.parse_expr()
        self.expect_ch("}")
        return node

    def parse_arg(self) -> Node:
        """A LaTeX macro argument: ``{...}``, a single digit, letter or command."""
        t = self.peek()
        if t.kind == "ch" and t.text == "{":
            return self.parse_group()
        if t.kind == "num":
            if "." in t.text:
                raise _GiveUp("decimal macro argument")
            self.toks[self.i] = _Tok("num", t.text[1:], False) if len(t.text) > 1 else t
            if len(t.text) == 1:
                self.i += 1
            return ("n", Fraction(int(t.text[0])), False)
        if t.kind == "ch" and t.text.isalpha():
            self.i += 1
            return self._letter(t.text)
        if t.kind == "cmd" and (t.text[1:] in _GREEK or t.text == "\\pi"):
            self.i += 1
            return ("pi",) if t.text == "\\pi" else ("v", "v:" + t.text[1:].lower())
        raise _GiveUp("unsupported macro argument")

    def _num_node(self, text: str) -> Node:
        return ("n", Fraction(text), "." in text)

    def _letter(self, c: str) -> Node:
        if c == "e":
            return ("a", "e")
        if c in "EiI":
            return ("a", c)
        return ("v", "v:" + c.lower())

    def parse_primary(self) -> Node:
        t = self.next()
        k = t.kind
        if k == "num":
            return self.parse_number(t)
        if k == "ch":
            c = t.text
            if c == "(" or c == "[":
                node = self.parse_expr()
                self.expect_ch(")" if c == "(" else "]")
                return node
            if c == "{":
                node = self.parse_expr()
                self.expect_ch("}")
                return node
            if c == "|":
                self.abs_depth += 1
                node = self.parse_expr()
                self.abs_depth -= 1
                self.expect_ch("|")
                return ("abs", node)
            if c.isascii() and c.isalpha():
                if self.at_ch("_"):
                    return ("v", "v:" + c.lower() + "_" + self.parse_subscript())
                if c in "fgh" and self.at_ch("("):
                    self.i += 1
                    arg = self.parse_expr()
                    self.expect_ch(")")
                    return ("call", c, arg)
                return self._letter(c)
            raise _GiveUp(f"unexpected {c!r}")
        if k == "cmd":
            return self.parse_command(t.text)
        if k == "begin":
            self.i -= 1
            return self.parse_matrix()
        raise _GiveUp(f"unexpected {t.text!r}")

    def parse_subscript(self) -> str:
        self.expect_ch("_")
        t = self.next()
        if t.kind == "num" or (t.kind == "ch" and t.text.isalnum()):
            return t.text
        if t.kind == "ch" and t.text == "{":
            parts = []
            while not self.at_ch("}"):
                u = self.next()
                if u.kind not in ("num", "ch") or not u.text.isalnum():
                    raise _GiveUp("complex subscript")
                parts.append(u.text)
                if len(parts) > 8:
                    raise _GiveUp("long subscript")
            self.i += 1
            return "".join(parts)
        raise _GiveUp("bad subscript")

    def parse_number(self, t: _Tok) -> Node:
        text = t.text
        # Repeating decimal: 0.\overline{3}, 0.1\overline{6}
        if self.at_cmd("\\overline") and not self.peek().ws and "." in text:
            self.i += 1
            self.expect_ch("{")
            rep = self.next()
            if rep.kind != "num" or "." in rep.text:
                raise _GiveUp("bad repeating decimal")
            self.expect_ch("}")
            ip, _, fp = text.partition(".")
            base = Fraction(int(ip or "0")) + (Fraction(int(fp), 10 ** len(fp)) if fp else 0)
            rep_val = Fraction(int(rep.text), (10 ** len(rep.text) - 1) * 10 ** len(fp))
            return ("n", base + rep_val, False)
        # Scientific notation 1.5e3 / 2E-4 (only when the gold does not use the constant e).
        nt = self.peek()
        if self.ctx.sci_ok and nt.kind == "ch" and nt.text in "eE" and not nt.ws:
            j = 1
            sign = 1
            t2 = self.peek(1)
            if t2.kind == "ch" and t2.text in "+-" and not t2.ws:
                sign = -1 if t2.text == "-" else 1
                j = 2
            t3 = self.peek(j)
            if t3.kind == "num" and "." not in t3.text and not t3.ws and len(t3.text) <= 4:
                self.i += j + 1
                return ("n", Fraction(text) * Fraction(10) ** (sign * int(t3.text)), True)
        return self._num_node(text)

    def parse_command(self, cmd: str) -> Node:
        name = cmd[1:]
        if name == "frac":
            a = self.parse_arg()
            b = self.parse_arg()
            if (
                a[0] == "n"
                and b[0] == "n"
                and a[2] is False
                and b[2] is False
                and isinstance(a[1], Fraction)
                and isinstance(b[1], Fraction)
                and b[1] != 0
            ):
                return ("mixedfrac", a[1] / b[1])
            return ("div", a, b)
        if name == "sqrt":
            idx: Node | None = None
            if self.at_ch("["):
                self.i += 1
                idx = self.parse_expr()
                self.expect_ch("]")
            if self.at_ch("("):
                self.i += 1
                arg = self.parse_expr()
                self.expect_ch(")")
            else:
                arg = self.parse_arg()
            return ("sqrt", arg, idx)
        if name == "binom":
            return ("binom", self.parse_arg(), self.parse_arg())
        if name == "pi":
            return ("pi",)
        if name in ("infty", "infin"):
            return ("inf",)
        if name in _GREEK:
            return ("v", "v:" + name.lower())
        if name in ("lvert", "vert"):
            self.abs_depth += 1
            node = self.parse_expr()
            self.abs_depth -= 1
            if not self.at_cmd("\\rvert", "\\vert"):
                raise _GiveUp("unbalanced |")
            self.i += 1
            return ("abs", node)
        if name in _FUNCS or name == "log":
            return self.parse_function(name)
        raise _GiveUp(f"unsupported command {cmd}")

    def parse_function(self, name: str) -> Node:
        base: Node | None = None
        power: Node | None = None
        if name == "log":
            if not self.at_ch("_"):
                name = "ln"
            else:
                self.i += 1
                base = self.parse_arg()
        if self.at_ch("^"):
            self.i += 1
            power = self.parse_exponent()
            minus_one = ("n", Fraction(1), False)
            if name in _TRIG_INVERSE and power in (("neg", minus_one), ("add", [("-", minus_one)])):
                name = "arc" + name
                power = None
        t = self.peek()
        if t.kind == "ch" and t.text == "{":
            arg = self.parse_group()
        elif t.kind == "ch" and t.text == "(":
            self.i += 1
            arg = self.parse_expr()
            self.expect_ch(")")
        else:
            arg = self.parse_product(stop_at_func=True)
        if name == "exp":
            node: Node = ("exp", arg)
        elif base is not None:
            node = ("log", base, arg)
        else:
            node = ("fn", name, arg)
        if power is not None:
            node = ("pow", node, power)
        return node


# ----------------------------------------------------------------------------------------------
# Evaluation of AST nodes into exact values
# ----------------------------------------------------------------------------------------------


def _count_pm(node: object) -> int:
    if isinstance(node, tuple):
        n = 0
        if node and node[0] == "add":
            terms = node[1]
            assert isinstance(terms, list)
            n += sum(1 for s, _ in terms if s in ("pm", "mp"))
        for child in node[1:]:
            n += _count_pm(child)
        return n
    if isinstance(node, list):
        return sum(_count_pm(c) for c in node)
    return 0


class _Eval:
    """Evaluates expression nodes to ``_RF``/``_Inf``/``_Huge`` with a given sign for ``\\pm``."""

    def __init__(self, ctx: _Ctx, pm: int) -> None:
        self.ctx = ctx
        self.pm = pm

    def rf(self, node: Node) -> _RF:
        v = self.ev(node)
        if not isinstance(v, _RF):
            raise _GiveUp("non-finite value in arithmetic")
        return v

    def ev(self, node: Node) -> _Num:
        self.ctx.charge(1)
        tag = node[0]
        if tag == "n" or tag == "mixedfrac":
            c = node[1]
            assert isinstance(c, Fraction)
            if tag == "n" and node[2]:
                self.ctx.decimal = True
            return _rf_const(c)
        if tag == "v":
            name = node[1]
            assert isinstance(name, str)
            return _atom_rf(name)
        if tag == "a":
            return self.atom("c:" + str(node[1]), str(node[1]), ())
        if tag == "pi":
            return _atom_rf(_PI)
        if tag == "inf":
            return _Inf(1)
        if tag == "add":
            return self.ev_add(node)
        if tag == "mul":
            factors = node[1]
            assert isinstance(factors, list)
            return self.ev_mul(factors)
        if tag == "neg":
            v = self.ev(self._child(node, 1))
            if isinstance(v, _RF):
                return _rf_neg(v)
            return type(v)(-v.sign)
        if tag == "div":
            a = self.ev(self._child(node, 1))
            b = self.rf(self._child(node, 2))
            if isinstance(a, _Huge):
                if _rf_is_rational(b) and _const_value(b.num) != 0:
                    return _Huge(a.sign * (1 if _const_value(b.num) > 0 else -1))
                raise _GiveUp("huge division")
            if not isinstance(a, _RF):
                raise _GiveUp("infinite division")
            return _rf_mul(a, _rf_inv(b), self.ctx)
        if tag == "pow":
            return self.ev_pow(self._child(node, 1), self._child(node, 2))
        if tag == "fact":
            return self.ev_fact(self._child(node, 1))
        if tag == "sqrt":
            idx = node[2]
            return self.ev_sqrt(self._child(node, 1), idx if isinstance(idx, tuple) else None)
        if tag == "binom":
            a = self.rf(self._child(node, 1))
            b = self.rf(self._child(node, 2))
            if not (_rf_is_rational(a) and _rf_is_rational(b)):
                return self.atom(f"c:binom({_rf_key(a)},{_rf_key(b)})", "undefined", (a, b))
            n, k = _const_value(a.num), _const_value(b.num)
            if n.denominator != 1 or k.denominator != 1 or n < 0 or n > 10_000:
                raise _GiveUp("unsupported binomial")
            return _rf_const(math.comb(int(n), int(k)) if k >= 0 else 0)
        if tag == "abs":
            return self.ev_abs(self._child(node, 1))
        if tag == "fn":
            arg = self.rf(self._child(node, 2))
            return self.atom(f"c:{node[1]}({_rf_key(arg)})", str(node[1]), (arg,))
        if tag == "exp":
            arg = self.rf(self._child(node, 1))
            if not arg.num:
                return _rf_const(1)
            return self.atom(f"c:exp({_rf_key(arg)})", "exp", (arg,))
        if tag == "log":
            base = self.rf(self._child(node, 1))
            arg = self.rf(self._child(node, 2))
            return self.atom(f"c:log[{_rf_key(base)}]({_rf_key(arg)})", "logb", (base, arg))
        if tag == "call":
            arg = self.rf(self._child(node, 2))
            return self.atom(f"c:{node[1]}({_rf_key(arg)})", "undefined", (arg,))
        raise _GiveUp(f"unsupported node {tag!r}")

    def atom(self, key: str, fname: str, args: tuple[_RF, ...]) -> _RF:
        """An opaque atom (function application); remembered for numeric separation."""
        if key not in self.ctx.defs:
            if len(self.ctx.defs) > 4 * _MAX_ITEMS:
                raise _GiveUp("too many atoms")
            self.ctx.defs[key] = (fname, args)
        return _atom_rf(key)

    @staticmethod
    def _child(node: Node, i: int) -> Node:
        c = node[i]
        assert isinstance(c, tuple)
        return c

    def ev_add(self, node: Node) -> _Num:
        terms = node[1]
        assert isinstance(terms, list)
        acc: _Num = _RF({})
        for sign, sub in terms:
            v = self.ev(sub)
            s = {"+": 1, "-": -1, "pm": self.pm, "mp": -self.pm}[sign]
            if isinstance(v, _RF) and isinstance(acc, _RF):
                acc = _rf_add(acc, v, self.ctx, s)
            elif isinstance(acc, _RF) and not isinstance(v, _RF) and _rf_is_constant(acc):
                acc = type(v)(v.sign * s)  # finite + (+-inf / huge)
            elif not isinstance(acc, _RF) and isinstance(v, _RF) and _rf_is_constant(v):
                pass  # (+-inf / huge) + finite
            else:
                raise _GiveUp("indeterminate sum")
        return acc

    def ev_mul(self, factors: list[Node]) -> _Num:
        acc: _Num = _rf_const(1)
        for f in factors:
            v = self.ev(f)
            if isinstance(acc, _RF) and isinstance(v, _RF):
                acc = _rf_mul(acc, v, self.ctx)
                continue
            big = acc if not isinstance(acc, _RF) else v
            small = v if big is acc else acc
            if isinstance(big, _RF) or not isinstance(small, _RF) or not _rf_is_rational(small):
                raise _GiveUp("indeterminate product")
            c = _const_value(small.num)
            if c == 0:
                raise _GiveUp("0 * inf")
            acc = type(big)(big.sign * (1 if c > 0 else -1))
        return acc

    def ev_fact(self, arg_node: Node) -> _Num:
        a = self.ev(arg_node)
        if isinstance(a, _Huge):
            return _Huge(1) if a.sign > 0 else self._raise("factorial of negative")
        if not isinstance(a, _RF):
            raise _GiveUp("factorial of infinity")
        if not _rf_is_rational(a):
            return self.atom(f"c:fact({_rf_key(a)})", "undefined", (a,))
        n = _const_value(a.num)
        if n.denominator != 1 or n < 0:
            raise _GiveUp("factorial of non-natural")
        ni = int(n)
        if ni > 100 and math.lgamma(ni + 1) / math.log(2) > _MAX_BITS:
            return _Huge(1)
        return _rf_const(math.factorial(ni))

    @staticmethod
    def _raise(msg: str) -> _Num:
        raise _GiveUp(msg)

    def ev_abs(self, arg_node: Node) -> _Num:
        a = self.ev(arg_node)
        if not isinstance(a, _RF):
            return type(a)(1)
        if _rf_is_rational(a):
            return _rf_const(abs(_const_value(a.num)))
        if _rf_is_constant(a):
            v = _rf_approx(a)
            if v is None or abs(v) < 1e-9:
                raise _GiveUp("abs of ambiguous sign")
            return a if v > 0 else _rf_neg(a)
        return self.atom(f"c:abs({_rf_key(a)})", "abs", (a,))

    def ev_sqrt(self, arg_node: Node, idx_node: Node | None) -> _Num:
        a = self.rf(arg_node)
        k = 2
        if idx_node is not None:
            idx = self.rf(idx_node)
            if not _rf_is_rational(idx):
                raise _GiveUp("symbolic root index")
            kv = _const_value(idx.num)
            if kv.denominator != 1 or kv < 2 or kv > 64:
                raise _GiveUp("bad root index")
            k = int(kv)
        if _rf_is_rational(a):
            q = _const_value(a.num)
            if k == 2:
                return _sqrt_rational(q)
            neg = q < 0
            if neg and k % 2 == 0:
                raise _GiveUp("even root of negative")
            qa = abs(q)
            rn, rd = _iroot(qa.numerator, k), _iroot(qa.denominator, k)
            if rn is not None and rd is not None:
                return _rf_const(Fraction(-rn if neg else rn, rd))
        return self._opaque_pow(a, Fraction(1, k))

    def _opaque_pow(self, base: _RF, e: Fraction) -> _RF:
        return self.atom(f"c:pow({_rf_key(base)},{e})", "pow", (base, _rf_const(e)))

    def ev_pow(self, base_node: Node, exp_node: Node) -> _Num:
        # e^{x} is the exponential function.
        if base_node == ("a", "e"):
            arg = self.rf(exp_node)
            if not arg.num:
                return _rf_const(1)
            return self.atom(f"c:exp({_rf_key(arg)})", "exp", (arg,))
        ev = self.ev(exp_node)
        base = self.ev(base_node)
        if isinstance(ev, _Inf):
            raise _GiveUp("infinite exponent")
        if isinstance(ev, _Huge):
            if isinstance(base, _RF) and _rf_is_rational(base):
                b = _const_value(base.num)
                if b == 1:
                    return _rf_const(1)
                if b > 1 and ev.sign > 0:
                    return _Huge(1)
                if b == 0 and ev.sign > 0:
                    return _rf_const(0)
            if isinstance(base, _Huge) and base.sign > 0 and ev.sign > 0:
                return _Huge(1)
            raise _GiveUp("huge exponent")
        if not isinstance(ev, _RF) or not _rf_is_rational(ev):
            if isinstance(base, _RF) and isinstance(ev, _RF):
                return self.atom(f"c:pow({_rf_key(base)},{_rf_key(ev)})", "pow", (base, ev))
            raise _GiveUp("non-finite power")
        e = _const_value(ev.num)
        if isinstance(base, _Inf):
            raise _GiveUp("power of infinity")
        if isinstance(base, _Huge):
            if e > 0 and e.denominator == 1:
                return _Huge(base.sign if e.numerator % 2 else 1)
            raise _GiveUp("huge power")
        if e.denominator != 1:
            return self.ev_frac_pow(base, e)
        return self.int_pow(base, int(e))

    def ev_frac_pow(self, base: _RF, e: Fraction) -> _RF:
        if _rf_is_rational(base):
            b = _const_value(base.num)
            if b > 0 and e.denominator == 2 and abs(e.numerator) <= 64:
                num_pow = self.int_pow(base, e.numerator)
                if not isinstance(num_pow, _RF):
                    raise _GiveUp("huge")
                return _sqrt_rational(_const_value(num_pow.num))
            if b > 0 and e.denominator <= 64:
                rn, rd = _iroot(b.numerator, e.denominator), _iroot(b.denominator, e.denominator)
                if rn is not None and rd is not None:
                    p = self.int_pow(_rf_const(Fraction(rn, rd)), e.numerator)
                    if isinstance(p, _RF):
                        return p
        return self._opaque_pow(base, e)

    def int_pow(self, base: _RF, n: int) -> _Num:
        if n == 0:
            if not base.num:
                raise _GiveUp("0^0")
            return _rf_const(1)
        if n < 0:
            inv = _rf_inv(base)
            return self.int_pow(inv, -n)
        if base.den is not None:
            num = self.int_pow(_RF(base.num), n)
            den = self.int_pow(_RF(base.den), n)
            if not (isinstance(num, _RF) and isinstance(den, _RF)):
                raise _GiveUp("huge rational power")
            return _rf_mul(num, _rf_inv(den), self.ctx)
        p = base.num
        if not p:
            return _RF({})
        if len(p) == 1:
            ((mono, c),) = p.items()
            r, atoms = mono
            bits = max(c.numerator.bit_length(), c.denominator.bit_length())
            rbits = r.bit_length()
            if n * max(bits, rbits) > _MAX_BITS:
                if mono == _ONE and abs(c) > 1:
                    return _Huge(-1 if c < 0 and n % 2 else 1)
                raise _GiveUp("power too large")
            coef = c**n * Fraction(r ** (n // 2))
            new_r = r if n % 2 else 1
            return _RF({(new_r, tuple((k, e * n) for k, e in atoms)): coef})
        if n > 64:
            raise _GiveUp("polynomial power too large")
        result: Poly = _pconst(1)
        sq = p
        k = n
        while k:
            if k & 1:
                result = _pmul(result, sq, self.ctx)
            k >>= 1
            if k:
                sq = _pmul(sq, sq, self.ctx)
        return _RF(result)


# ----------------------------------------------------------------------------------------------
# Structured values and comparison
# ----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Scalar:
    val: _Num
    decimal: bool = False
    percent: bool = False


@dataclass(slots=True)
class _Coll:
    kind: str  # "set", "list", "pm", "paren" (2 items, tuple or open interval), "tuple"
    items: list[_Value]


@dataclass(slots=True)
class _Ival:
    lo: _Scalar
    hi: _Scalar
    lc: bool
    rc: bool


@dataclass(slots=True)
class _Union:
    parts: list[_Ival]


@dataclass(slots=True)
class _Mat:
    rows: list[list[_Value]]


@dataclass(slots=True)
class _Eq:
    parts: list[_Value]
    ops: list[str]
    simple_lhs: bool


@dataclass(slots=True)
class _Text:
    text: str


_Value: TypeAlias = _Scalar | _Coll | _Ival | _Union | _Mat | _Eq | _Text


def _eval_scalar_node(node: Node, ctx: _Ctx) -> _Value:
    """Evaluate an expression node; a single ``\\pm`` yields a two-element set."""
    percent = False
    if node[0] == "pct":
        inner = node[1]
        assert isinstance(inner, tuple)
        node, percent = inner, True
    npm = _count_pm(node)
    if npm > 1:
        raise _GiveUp("several \\pm")
    ctx.decimal = False
    if npm == 0:
        v = _Eval(ctx, 1).ev(node)
        return _Scalar(v, ctx.decimal, percent)
    vals: list[_Value] = [_Scalar(_Eval(ctx, s).ev(node), ctx.decimal, percent) for s in (1, -1)]
    return _Coll("pm", vals)


def _simple_lhs(node: Node) -> bool:
    """``x``, ``x_1``, ``f(x)``, ``xy`` or a tuple of names: the LHS of an assignment."""
    tag = node[0]
    if tag == "v":
        return True
    if tag == "call":
        return True
    if tag == "mul":
        fs = node[1]
        assert isinstance(fs, list)
        return all(f[0] == "v" for f in fs)
    if tag == "brk":
        items = node[2]
        assert isinstance(items, list)
        return all(isinstance(i, tuple) and i[0] == "v" for i in items)
    return False


def _eval_structure(node: Node, ctx: _Ctx) -> _Value:
    tag = node[0]
    if tag == "text":
        t = node[1]
        assert isinstance(t, str)
        return _Text(t)
    if tag in ("list", "set"):
        items = node[1]
        assert isinstance(items, list)
        return _Coll(tag, [_eval_structure(i, ctx) for i in items])
    if tag == "brk":
        _, lb, items, rb = node
        assert isinstance(items, list)
        vals = [_eval_structure(i, ctx) for i in items]
        if lb == "(" and rb == ")":
            return _Coll("paren" if len(vals) == 2 else "tuple", vals)
        if len(vals) == 2 and all(isinstance(v, _Scalar) for v in vals):
            lo, hi = vals
            assert isinstance(lo, _Scalar) and isinstance(hi, _Scalar)
            return _Ival(lo, hi, lb == "[", rb == "]")
        if lb == "[" and rb == "]":
            return _Coll("tuple", vals)
        raise _GiveUp("bad bracket group")
    if tag == "union":
        parts = node[1]
        assert isinstance(parts, list)
        ivals: list[_Ival] = []
        for p in parts:
            v = _eval_structure(p, ctx)
            if isinstance(v, _Coll) and v.kind == "paren":
                lo, hi = v.items
                if not (isinstance(lo, _Scalar) and isinstance(hi, _Scalar)):
                    raise _GiveUp("bad interval")
                v = _Ival(lo, hi, False, False)
            if not isinstance(v, _Ival):
                raise _GiveUp("union of non-intervals")
            ivals.append(v)
        return _Union(ivals)
    if tag == "mat":
        rows = node[1]
        assert isinstance(rows, list)
        return _Mat([[_eval_structure(c, ctx) for c in row] for row in rows])
    if tag == "rel":
        _, parts, ops = node
        assert isinstance(parts, list) and isinstance(ops, list)
        if any(op != "=" for op in ops):
            raise _GiveUp("approximate relation")
        first = parts[0]
        assert isinstance(first, tuple)
        return _Eq([_eval_structure(p, ctx) for p in parts], ops, _simple_lhs(first))
    return _eval_scalar_node(node, ctx)


def _scalar_cmp(g: _Scalar, p: _Scalar, ctx: _Ctx) -> bool | None:
    """Exact comparison of two scalars; None when only an approximate reading could decide."""
    if g.percent != p.percent:
        pct, plain = (p, g) if p.percent else (g, p)
        if not isinstance(pct.val, _RF):
            return None
        results = [
            _scalar_cmp(plain, _Scalar(v, pct.decimal), ctx)
            for v in (pct.val, _rf_mul(pct.val, _rf_const(Fraction(1, 100)), ctx))
        ]
        if any(r is True for r in results):
            return True
        if all(r is False for r in results):
            return False
        return None
    gv, pv = g.val, p.val
    if isinstance(gv, _Inf) or isinstance(pv, _Inf):
        if isinstance(gv, _Inf) and isinstance(pv, _Inf):
            return gv.sign == pv.sign
        other = pv if isinstance(gv, _Inf) else gv
        if isinstance(other, _RF) and _rf_is_constant(other):
            return False
        return None
    if isinstance(gv, _Huge) or isinstance(pv, _Huge):
        other = gv if isinstance(pv, _Huge) else pv
        if isinstance(other, _RF) and _rf_is_rational(other):
            return False  # |huge| > 2**65536 exceeds any rational we can represent
        if (
            isinstance(other, _RF)
            and other.den is None
            and all(_is_free_atom(a) for a in _rf_atoms(other))
            and any(a != _PI for a in _rf_atoms(other))
        ):
            return False  # a non-constant polynomial is not a constant
        return None
    if _rf_eq(gv, pv, ctx):
        return True
    atoms = _rf_atoms(gv) | _rf_atoms(pv)
    if any(not _is_free_atom(a) for a in atoms):
        # Opaque functions: a different canonical form is not a proof, but a clear numeric
        # difference at a real sample point is.
        return False if _numerically_different(gv, pv, ctx) else None
    if (g.decimal or p.decimal) and (_PI in atoms or _rf_has_radical(gv) or _rf_has_radical(pv)):
        return None  # decimal approximation of an irrational: math-verify's rounding rules
    return False


def _cot(v: float) -> float:
    return 1.0 / math.tan(v)


def _sec(v: float) -> float:
    return 1.0 / math.cos(v)


def _csc(v: float) -> float:
    return 1.0 / math.sin(v)


def _acot(v: float) -> float:
    return math.atan(1.0 / v)


_FLOAT_FUNCS: dict[str, Callable[[float], float]] = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "cot": _cot, "sec": _sec, "csc": _csc,
    "arcsin": math.asin, "arccos": math.acos, "arctan": math.atan, "arccot": _acot,
    "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh, "arcsinh": math.asinh,
    "arccosh": math.acosh, "arctanh": math.atanh, "ln": math.log, "exp": math.exp, "abs": abs,
}  # fmt: skip
# Sample points for variables (positive, away from the usual singularities 0, 1, pi/2).
_SAMPLE_POINTS = (
    (0.6137, 1.3719, 0.8311, 1.1923, 0.7071, 1.4427, 0.9203, 1.2611),
    (1.2917, 0.7283, 1.5323, 0.4719, 1.1071, 0.6519, 1.3913, 0.8821),
)


class _NoFloat(Exception):
    pass


def _float_eval(rf: _RF, defs: dict[str, _AtomDef], env: dict[str, float], depth: int = 0) -> tuple[float, float]:
    """Value and magnitude scale (sum of |terms|) of ``rf`` at the point ``env``."""
    if depth > 20:
        raise _NoFloat

    def atom_val(k: str) -> float:
        if k == _PI:
            return math.pi
        if k.startswith("v:"):
            if k not in env:
                raise _NoFloat
            return env[k]
        d = defs.get(k)
        if d is None:
            raise _NoFloat
        fname, args = d
        if fname == "e" and not args:
            return math.e
        vals = [_float_eval(a, defs, env, depth + 1)[0] for a in args]
        if fname in _FLOAT_FUNCS and len(vals) == 1:
            return float(_FLOAT_FUNCS[fname](vals[0]))
        if fname == "pow" and len(vals) == 2 and vals[0] > 0:
            return float(vals[0] ** vals[1])
        if fname == "logb" and len(vals) == 2 and vals[0] > 0 and vals[0] != 1 and vals[1] > 0:
            return math.log(vals[1]) / math.log(vals[0])
        raise _NoFloat

    def poly(p: Poly) -> tuple[float, float]:
        tot = 0.0
        scale = 0.0
        for (r, atoms), c in p.items():
            v = float(c) * math.sqrt(r)
            for k, e in atoms:
                v *= atom_val(k) ** e
            tot += v
            scale += abs(v)
        return tot, scale

    try:
        n, ns = poly(rf.num)
        if rf.den is None:
            val, scale = n, ns
        else:
            d, ds = poly(rf.den)
            if abs(d) < 1e-9 * max(1.0, ds):
                raise _NoFloat
            val, scale = n / d, (ns / abs(d)) * (1 + ds / abs(d))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError) as exc:
        raise _NoFloat from exc
    if not (math.isfinite(val) and math.isfinite(scale)) or isinstance(val, complex):
        raise _NoFloat
    return val, scale


def _numerically_different(a: _RF, b: _RF, ctx: _Ctx) -> bool:
    """True when ``a`` and ``b`` clearly differ at two real sample points (so a != b)."""
    seen: set[str] = set()
    todo = list(_rf_atoms(a) | _rf_atoms(b))
    while todo:  # variables may only occur inside function arguments
        k = todo.pop()
        if k in seen:
            continue
        seen.add(k)
        d = ctx.defs.get(k)
        if d is not None:
            for arg in d[1]:
                todo.extend(_rf_atoms(arg))
        if len(seen) > 4 * _MAX_ITEMS:
            return False
    names = sorted(k for k in seen if k.startswith("v:"))
    if len(names) > len(_SAMPLE_POINTS[0]):
        return False
    ctx.charge(50)
    for point in _SAMPLE_POINTS:
        env = dict(zip(names, point, strict=False))
        try:
            va, sa = _float_eval(a, ctx.defs, env)
            vb, sb = _float_eval(b, ctx.defs, env)
        except (_NoFloat, RecursionError):
            return False
        if not abs(va - vb) > 1e-6 * (1.0 + sa + sb):
            return False
    return True


def _all_decided(results: list[bool | None]) -> bool | None:
    if all(r is True for r in results):
        return True
    if any(r is False for r in results):
        return False
    return None


def _ordered_cmp(gs: list[_Value], ps: list[_Value], ctx: _Ctx) -> bool | None:
    if len(gs) != len(ps):
        return False
    out: list[bool | None] = []
    for g, p in zip(gs, ps, strict=True):
        r = _compare(g, p, ctx)
        if r is False:
            return False
        out.append(r)
    return _all_decided(out)


def _set_cmp(gs: list[_Value], ps: list[_Value], ctx: _Ctx) -> bool | None:
    if len(gs) * len(ps) > 4 * _MAX_ITEMS:
        raise _GiveUp("set too large")
    table = [[_compare(g, p, ctx) for p in ps] for g in gs]
    g_ok = all(any(r is True for r in row) for row in table)
    p_ok = all(any(table[i][j] is True for i in range(len(gs))) for j in range(len(ps)))
    if g_ok and p_ok:
        return True
    if any(all(r is False for r in row) for row in table):
        return False
    if any(all(table[i][j] is False for i in range(len(gs))) for j in range(len(ps))):
        return False
    if not gs or not ps:
        return False
    return None


def _as_interval(v: _Value) -> _Ival | None:
    if isinstance(v, _Ival):
        return v
    if isinstance(v, _Coll) and v.kind == "paren":
        lo, hi = v.items
        if isinstance(lo, _Scalar) and isinstance(hi, _Scalar):
            return _Ival(lo, hi, False, False)
    return None


def _ival_cmp(g: _Ival, p: _Ival, ctx: _Ctx) -> bool | None:
    ends = _all_decided([_scalar_cmp(g.lo, p.lo, ctx), _scalar_cmp(g.hi, p.hi, ctx)])
    if ends is None:
        return None
    if not ends:
        return False if _ival_proper(g) and _ival_proper(p) else None
    # A bracket at an infinite end does not change the set of reals (sympy agrees).
    g_lc = g.lc and not isinstance(g.lo.val, _Inf)
    p_lc = p.lc and not isinstance(p.lo.val, _Inf)
    g_rc = g.rc and not isinstance(g.hi.val, _Inf)
    p_rc = p.rc and not isinstance(p.hi.val, _Inf)
    if g_lc == p_lc and g_rc == p_rc:
        return True
    return False if _ival_proper(g) else None


def _ival_proper(v: _Ival) -> bool:
    """True when the interval is certainly non-degenerate (lo < hi), so ends identify it."""
    b = _ival_bounds(v)
    if b is None:
        return False
    lo, hi = b
    return hi - lo > 1e-9 * max(1.0, abs(lo) if math.isfinite(lo) else 1.0)


def _ival_bounds(v: _Ival) -> tuple[float, float] | None:
    def num(s: _Scalar) -> float | None:
        if isinstance(s.val, _Inf):
            return math.inf * s.val.sign
        if isinstance(s.val, _RF):
            return _rf_approx(s.val)
        return None

    lo, hi = num(v.lo), num(v.hi)
    if lo is None or hi is None:
        return None
    return lo, hi


def _union_canonical(u: _Union) -> list[_Ival] | None:
    """Pieces sorted and separated by clear gaps (so no two pieces could merge), else None."""
    bounds = []
    for part in u.parts:
        b = _ival_bounds(part)
        if b is None or not _ival_proper(part):
            return None
        bounds.append((b, part))
    bounds.sort(key=lambda t: t[0])
    for (b1, _p1), (b2, _p2) in itertools.pairwise(bounds):
        if not b2[0] - b1[1] > 1e-9 * max(1.0, abs(b1[1]) if math.isfinite(b1[1]) else 1.0):
            return None
    return [part for _, part in bounds]


def _compare(g: _Value, p: _Value, ctx: _Ctx) -> bool | None:
    """Fast-path equality of two structured values: True / False / None (undecided)."""
    if isinstance(g, _Eq):
        if isinstance(p, _Eq):
            return _eq_cmp(g, p, ctx)
        if g.simple_lhs and len(g.parts) == 2:
            return _compare(g.parts[-1], p, ctx)
        return None
    if isinstance(p, _Eq):
        if p.simple_lhs:
            return _compare(g, p.parts[-1], ctx)
        return None
    if isinstance(g, _Text) or isinstance(p, _Text):
        if isinstance(g, _Text) and isinstance(p, _Text):
            return _text_key(g.text) == _text_key(p.text) or None
        return None
    if isinstance(g, _Scalar):
        if isinstance(p, _Scalar):
            return _scalar_cmp(g, p, ctx)
        if isinstance(p, _Coll) and p.kind in ("set", "list", "pm"):
            if not p.items:
                return False
            return _all_decided([_compare(g, x, ctx) for x in p.items])
        if isinstance(p, (_Coll, _Ival, _Union)):
            return False
        return None
    if isinstance(g, _Coll):
        if g.kind in ("set", "pm", "list"):
            if isinstance(p, _Scalar):
                return _set_cmp(g.items, [p], ctx)
            if isinstance(p, _Coll):
                if p.kind in ("set", "pm", "list"):
                    if g.kind == "list" and p.kind == "list":
                        return _set_cmp(g.items, p.items, ctx)
                    return _set_cmp(g.items, p.items, ctx)
                return False  # a set is not a tuple (math-verify says {1,2} == (1,2))
            if isinstance(p, (_Ival, _Union)):
                return False
            return None
        # ordered: "paren" (tuple or open interval) / "tuple"
        if isinstance(p, _Coll):
            if p.kind in ("paren", "tuple", "list"):
                return _ordered_cmp(g.items, p.items, ctx)
            return False  # tuple vs set
        if isinstance(p, _Ival):
            gi = _as_interval(g)
            return _ival_cmp(gi, p, ctx) if gi is not None else False
        if isinstance(p, _Scalar):
            return False
        return None
    if isinstance(g, _Ival):
        pi = _as_interval(p)
        if pi is not None:
            return _ival_cmp(g, pi, ctx)
        if isinstance(p, _Scalar) or (isinstance(p, _Coll) and p.kind in ("set", "pm")):
            return False
        return None
    if isinstance(g, _Union):
        if isinstance(p, _Union) and len(p.parts) == len(g.parts):
            gs: list[_Value] = list(g.parts)
            ps: list[_Value] = list(p.parts)
            r = _set_cmp(gs, ps, ctx)
            if r is True:
                return True
            gc, pc = _union_canonical(g), _union_canonical(p)
            if gc is not None and pc is not None:
                # Sorted, pairwise separated pieces: equal sets iff equal piece by piece.
                return _ordered_cmp(list(gc), list(pc), ctx)
            return None  # unmerged unions could still be equal sets
        if isinstance(p, (_Scalar, _Ival)) or (isinstance(p, _Coll) and p.kind in ("set", "pm")):
            gc = _union_canonical(g)
            return False if gc is not None and len(gc) > 1 else None
        return None
    if isinstance(g, _Mat):
        if isinstance(p, _Mat):
            if len(g.rows) != len(p.rows) or len(g.rows[0]) != len(p.rows[0]):
                return False
            return _ordered_cmp([c for r in g.rows for c in r], [c for r in p.rows for c in r], ctx)
        return None
    return None


def _eq_cmp(g: _Eq, p: _Eq, ctx: _Ctx) -> bool | None:
    if len(g.parts) != 2 or len(p.parts) != 2:
        return None
    gl, gr = g.parts
    pl, pr = p.parts
    if not all(isinstance(v, _Scalar) and isinstance(v.val, _RF) for v in (gl, gr, pl, pr)):
        # e.g. (x, y) = (1, 2): compare both sides structurally.
        if _compare(gl, pl, ctx) is True and _compare(gr, pr, ctx) is True:
            return True
        return None
    assert isinstance(gl, _Scalar) and isinstance(gr, _Scalar)
    assert isinstance(pl, _Scalar) and isinstance(pr, _Scalar)
    assert isinstance(gl.val, _RF) and isinstance(gr.val, _RF)
    assert isinstance(pl.val, _RF) and isinstance(pr.val, _RF)
    a = _rf_add(gl.val, gr.val, ctx, -1)
    b = _rf_add(pl.val, pr.val, ctx, -1)
    # a = 0 and b = 0 have the same solutions if a = c*b for a nonzero constant c.
    an = _pmul(a.num, b.den or _pconst(1), ctx)
    bn = _pmul(b.num, a.den or _pconst(1), ctx)
    if not an or not bn:
        return (not an and not bn) or None
    m, bc = next(iter(bn.items()))
    if m not in an:
        ratio = None
    else:
        ratio = an[m] / bc
        if _padd(an, _pscale(bn, ratio), ctx, -1):
            ratio = None
    if ratio is not None:
        return True
    atoms = _rf_atoms(a) | _rf_atoms(b)
    linear = (
        a.den is None
        and b.den is None
        and all(_is_free_atom(k) and k != _PI for k in atoms)
        and all(sum(e for _, e in mono[1]) <= 1 and all(e > 0 for _, e in mono[1]) for mono in an)
        and all(sum(e for _, e in mono[1]) <= 1 and all(e > 0 for _, e in mono[1]) for mono in bn)
        and any(mono[1] for mono in an)
        and any(mono[1] for mono in bn)
        and not (gl.decimal or gr.decimal or pl.decimal or pr.decimal)
    )
    return False if linear else None  # two non-proportional hyperplanes differ


def _text_key(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def _value_kind(v: _Value) -> str:
    """Method label for a decided comparison."""
    if isinstance(v, _Scalar):
        if isinstance(v.val, _RF):
            if _rf_is_rational(v.val):
                return "rational"
            if _rf_is_constant(v.val):
                return "numeric"
            return "sympy"
        return "rational"
    if isinstance(v, (_Eq, _Text)):
        return "sympy" if isinstance(v, _Eq) else "exact"
    items: list[_Value]
    if isinstance(v, _Coll):
        items = v.items
    elif isinstance(v, _Ival):
        items = [v.lo, v.hi]
    elif isinstance(v, _Union):
        items = [x for iv in v.parts for x in (iv.lo, iv.hi)]
    else:
        items = [c for r in v.rows for c in r]
    return "sympy" if any(_value_kind(i) == "sympy" for i in items) else "numeric"


# ----------------------------------------------------------------------------------------------
# Gold-dependent rewriting of the prediction and the fast path driver
# ----------------------------------------------------------------------------------------------

_CONST_C_RE = re.compile(r"\s*\+\s*(?:C|c|K|k|C_\{?[0-9]\}?|c_\{?[0-9]\}?|\\text\{\s*(?:C|c|const|constant)\s*\})\s*$")
_C_IN_GOLD_RE = re.compile(r"(?<![\\A-Za-z])[CcKk](?![A-Za-z])")
_ASSIGN_RE = re.compile(
    r"^\s*(?:[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?|\\[a-zA-Z]+|[fgh]\([A-Za-z]\)|"
    r"\(\s*[A-Za-z](?:\s*,\s*[A-Za-z])+\s*\))\s*(?:=|\\approx|\\in(?![a-zA-Z]))\s*"
)
_THOUSANDS_RE = re.compile(r"^-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$")
_THOUSANDS_SPACE_RE = re.compile(r"^-?[0-9]{1,3}(?: [0-9]{3})+(?:\.[0-9]+)?$")
_UNIT_WORD_RE = re.compile(r"[A-Za-z]+\.?(?:\^\{?[0-9]\}?)?")
_NOT_UNITS = {"and", "or", "plus", "minus", "times", "over", "sqrt", "frac", "pi"}
_SHORT_UNITS = {
    "cm", "mm", "km", "m", "kg", "g", "mg", "s", "ms", "h", "hr", "ft", "in", "mi", "yd", "lb",
    "oz", "l", "ml", "mph", "kph", "sq", "cu", "min", "sec", "hrs", "lbs", "usd", "rs", "yr",
    "yrs", "deg", "rad", "am", "pm", "cents", "px", "kb", "mb", "gb",
}  # fmt: skip


def _split_top(s: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` at bracket depth 0."""
    out: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n:
            if s[i + 1] in "{}":
                depth += 1 if s[i + 1] == "{" else -1
            i += 2
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == sep and depth == 0:
            out.append(s[start:i])
            start = i + 1
        i += 1
    out.append(s[start:])
    return out


@dataclass(frozen=True, slots=True)
class _GoldInfo:
    norm: str
    value: _Value | None
    defs: dict[str, _AtomDef]
    has_eq: bool
    has_vars: bool
    mentions_c: bool
    is_scalar: bool
    numeric_const: bool
    uses_e: bool
    is_text: bool


@lru_cache(maxsize=8192)
def _gold_info(gold_norm: str) -> _GoldInfo:
    """Parse the gold once (golds repeat across the samples of a prompt)."""
    value: _Value | None
    ctx = _Ctx(sci_ok=False)
    try:
        value = _eval_structure(_Parser(_tokenize(gold_norm), ctx).parse_answer(), ctx)
    except Exception:  # _GiveUp, or any fast-path bug: the gold simply defers to math-verify
        value = None
    top = _split_top(gold_norm)
    has_vars = bool(re.search(r"(?<!\\)(?<![A-Za-z])[A-Za-df-z]|\\(?:alpha|beta|theta|phi)", _strip_cmds(gold_norm)))
    numeric_const = (
        isinstance(value, _Scalar) and isinstance(value.val, _RF) and _rf_is_constant(value.val) and not value.percent
    )
    return _GoldInfo(
        norm=gold_norm,
        value=value,
        defs=ctx.defs,
        has_eq="=" in gold_norm,
        has_vars=has_vars,
        mentions_c=bool(_C_IN_GOLD_RE.search(_strip_cmds(gold_norm))),
        is_scalar=len(top) == 1 and not isinstance(value, (_Coll, _Ival, _Union, _Mat)),
        numeric_const=numeric_const,
        uses_e=bool(re.search(r"(?<![\\A-Za-z])[eE](?![A-Za-z])", _strip_cmds(gold_norm))),
        is_text=isinstance(value, _Text),
    )


_CMD_RE = re.compile(r"\\[a-zA-Z]+")


def _strip_cmds(s: str) -> str:
    return _CMD_RE.sub(" ", s)


def _rewrite_pred(pred: str, gi: _GoldInfo) -> str:
    """Gold-aware clean-ups: ``x =`` prefixes, ``+ C``, thousands separators, unit words."""
    if gi.has_vars and not gi.mentions_c:
        pred = _CONST_C_RE.sub("", pred)
    if gi.is_scalar:
        if _THOUSANDS_RE.match(pred):
            pred = pred.replace(",", "")
        elif _THOUSANDS_SPACE_RE.match(pred):
            pred = pred.replace(" ", "")
    if not gi.has_eq:
        items = _split_top(pred)
        if len(items) > 1:
            if any(_ASSIGN_RE.match(it) for it in items):
                pred = ", ".join(_ASSIGN_RE.sub("", it, count=1).strip() for it in items)
        else:
            # chained "x = 2 + 1 = 3": keep the last part when the first is a simple name
            m = _ASSIGN_RE.match(pred)
            if m:
                parts = _split_top(pred, "=")
                pred = parts[-1].strip() if len(parts) > 1 else pred[m.end() :].strip()
    if gi.numeric_const and len(pred) <= 200:
        pred = _strip_unit_words(pred)
        if _THOUSANDS_RE.match(pred):
            pred = pred.replace(",", "")
    return pred


def _strip_unit_words(pred: str) -> str:
    """``5 dollars`` / ``12 cm^2`` / ``3 m/s`` -> the number (only when the gold is a number)."""
    words = pred.split(" ")
    k = len(words)
    while k > 1:
        parts = [w for w in re.split(r"/", words[k - 1]) if w]
        if parts and all(
            _UNIT_WORD_RE.fullmatch(w)
            and w.rstrip(".").split("^")[0].lower() not in _NOT_UNITS
            and (w.rstrip(".").split("^")[0].lower() in _SHORT_UNITS or len(w.rstrip(".").split("^")[0]) >= 3)
            for w in parts
        ):
            k -= 1
        else:
            break
    if k == len(words) or not re.search(r"[0-9}]$", words[k - 1]):
        return pred
    return " ".join(words[:k])


def _fast_path(gi: _GoldInfo, pred: str) -> _Verdict | None:
    """Decide with certainty in-process, or return None to defer to math-verify."""
    if _squash(pred) == _squash(gi.norm):
        return _Verdict(True, "exact", "normalised strings match")
    if gi.is_text:
        assert isinstance(gi.value, _Text)
        ptext = _TEXT_CMD_RE.sub(lambda m: m.group(1), pred).replace("\\text{", "").replace("}", "")
        gk, pk = _text_key(gi.value.text), _text_key(ptext)
        if gk == pk and gk:
            return _Verdict(True, "exact", "text answers match")
        if re.fullmatch(r"[a-z ]+", gk) and re.fullmatch(r"[a-z ]+", pk):
            return _Verdict(False, "exact", "different text answers")
        return None
    if gi.value is None:
        return None
    try:
        ctx = _Ctx(sci_ok=not gi.uses_e, defs=gi.defs)
        pv = _eval_structure(_Parser(_tokenize(pred), ctx).parse_answer(), ctx)
        r = _compare(gi.value, pv, ctx)
    except Exception:  # _GiveUp, or any fast-path bug: defer rather than raise into the env
        return None
    if r is None:
        return None
    kind = _value_kind(gi.value)
    pk = _value_kind(pv)
    method: Method = "sympy" if "sympy" in (kind, pk) else ("rational" if kind == pk == "rational" else "numeric")
    if isinstance(pv, _Scalar) and isinstance(pv.val, _Huge):
        return _Verdict(False, "rational", "predicted value is astronomically large")
    return _Verdict(r, method, "equal" if r else "not equal")


# ----------------------------------------------------------------------------------------------
# Cache
# ----------------------------------------------------------------------------------------------

_CACHE_MAX = int(os.environ.get("RLVR_MATH_CACHE_SIZE", "100000"))
_cache: OrderedDict[tuple[str, str], tuple[_Verdict, float]] = OrderedDict()
_cache_lock = threading.Lock()
_cache_stats = {"hits": 0, "misses": 0}


def _cache_get(key: tuple[str, str], timeout_s: float) -> _Verdict | None:
    with _cache_lock:
        hit = _cache.get(key)
        if hit is None or (hit[0].method == "timeout" and timeout_s > hit[1]):
            _cache_stats["misses"] += 1
            return None
        _cache.move_to_end(key)
        _cache_stats["hits"] += 1
        return hit[0]


def _cache_put(key: tuple[str, str], verdict: _Verdict, timeout_s: float) -> None:
    if _CACHE_MAX <= 0:
        return
    with _cache_lock:
        _cache[key] = (verdict, timeout_s)
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_MAX:
            _cache.popitem(last=False)


def clear_cache() -> None:
    """Forget all memoised verdicts (benchmarks use this to measure a cold cache)."""
    with _cache_lock:
        _cache.clear()
        _cache_stats["hits"] = 0
        _cache_stats["misses"] = 0
    _gold_info.cache_clear()


def cache_info() -> dict[str, int]:
    """Size and hit/miss counters of the verdict cache."""
    with _cache_lock:
        return {"size": len(_cache), "maxsize": _CACHE_MAX, **_cache_stats}


# ----------------------------------------------------------------------------------------------
# Worker pool (subprocess.Popen, length-prefixed JSON over pipes)
# ----------------------------------------------------------------------------------------------

_HEADER = struct.Struct(">I")
_MAX_FRAME = 1 << 22
_STARTUP_TIMEOUT_S = float(os.environ.get("RLVR_MATH_WORKER_STARTUP_S", "60"))


class _WorkerDied(Exception):
    pass


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return env


class _Worker:
    """One math-verify subprocess; all methods are called by the single thread holding it."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rlvr_envs.verifiers._math_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_worker_env(),
            close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.fd_in = self.proc.stdin.fileno()
        self.fd_out = self.proc.stdout.fileno()
        self.buf = bytearray()
        self.ready = False

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read_frame(self, deadline: float) -> dict[str, object] | None:
        """Next JSON frame, or None if the deadline passes first."""
        poller = select.poll()
        poller.register(self.fd_out, select.POLLIN | select.POLLHUP | select.POLLERR)
        while True:
            if len(self.buf) >= 4:
                (n,) = _HEADER.unpack_from(self.buf)
                if n > _MAX_FRAME:
                    raise _WorkerDied("oversized frame")
                if len(self.buf) >= 4 + n:
                    payload = bytes(self.buf[4 : 4 + n])
                    del self.buf[: 4 + n]
                    obj = json.loads(payload)
                    if not isinstance(obj, dict):
                        raise _WorkerDied("bad frame")
                    return obj
            remaining = deadline - time.monotonic()
            if not poller.poll(max(0, math.ceil(remaining * 1000))):
                if remaining <= 0:
                    return None
                continue
            chunk = os.read(self.fd_out, 1 << 16)
            if not chunk:
                raise _WorkerDied("worker exited")
            self.buf += chunk

    def wait_ready(self, timeout_s: float) -> bool:
        if self.ready:
            return True
        msg = self._read_frame(time.monotonic() + timeout_s)
        if msg is None:
            return False
        if not msg.get("ready"):
            raise _WorkerDied("unexpected handshake")
        self.ready = True
        return True

    def poll_ready(self) -> bool:
        """Non-blocking readiness check (used to prefer warm workers)."""
        if self.ready:
            return True
        try:
            return self.wait_ready(0.0)
        except (_WorkerDied, OSError, ValueError):
            return False

    def send(self, payload: dict[str, object]) -> None:
        if not self.alive():
            raise _WorkerDied("worker exited")
        data = json.dumps(payload).encode()
        buf = memoryview(_HEADER.pack(len(data)) + data)
        try:
            while buf:
                buf = buf[os.write(self.fd_in, buf) :]
        except OSError as exc:
            raise _WorkerDied("worker stdin closed") from exc

    def receive(self, timeout_s: float) -> dict[str, object] | None:
        """The response, or None when ``timeout_s`` passes first."""
        return self._read_frame(time.monotonic() + timeout_s)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                if f is not None:
                    f.close()
            except OSError:
                pass

    def close_fds_only(self) -> None:
        """In a forked child: drop the inherited pipe ends without touching the process."""
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                if f is not None:
                    f.close()
            except OSError:
                pass
        self.proc.returncode = 0  # never wait on a process that is not our child


def _default_workers() -> int:
    env = os.environ.get("RLVR_MATH_WORKERS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    return max(1, min(2, os.cpu_count() or 1))


class _Pool:
    """Fixed set of worker slots; a thread takes an idle slot, uses it, and gives it back."""

    def __init__(self, n: int) -> None:
        self.pid = os.getpid()
        self.n = n
        self.slots: list[_Worker | None] = [None] * n
        self.idle: list[int] = list(range(n))
        self.cond = threading.Condition()
        self.warmup_lock = threading.Lock()
        self.closed = False

    def _acquire(self) -> int:
        with self.cond:
            while not self.idle:
                self.cond.wait()
            # Prefer a slot whose worker is already warm.
            for pos, idx in enumerate(self.idle):
                w = self.slots[idx]
                if w is not None and w.alive() and w.poll_ready():
                    return self.idle.pop(pos)
            return self.idle.pop(0)

    def _release(self, idx: int) -> None:
        with self.cond:
            self.idle.append(idx)
            self.cond.notify()

    def _ensure(self, idx: int) -> _Worker:
        w = self.slots[idx]
        if w is None or not w.alive():
            if w is not None:
                w.kill()
            w = _Worker()
            self.slots[idx] = w
        return w

    def warmup(self) -> None:
        # Take every slot (waiting for in-flight checks) so no check races with the restart;
        # one warm-up at a time, or two callers could each hold half the slots forever.
        with self.warmup_lock:
            idxs = [self._acquire() for _ in range(self.n)]
            try:
                for idx in idxs:
                    with contextlib.suppress(OSError):
                        self._ensure(idx)
                for idx in idxs:
                    w = self.slots[idx]
                    if w is None:
                        continue
                    try:
                        if not w.wait_ready(_STARTUP_TIMEOUT_S):
                            self._discard(idx)
                    except (_WorkerDied, OSError, ValueError):
                        self._discard(idx)
            finally:
                for idx in idxs:
                    self._release(idx)

    def run(self, gold: str, pred: str, timeout_s: float) -> _Verdict:
        idx = self._acquire()
        try:
            return self._run_on(idx, gold, pred, timeout_s)
        finally:
            self._release(idx)

    def _discard(self, idx: int, respawn: bool = False) -> None:
        w = self.slots[idx]
        if w is not None:
            w.kill()
        self.slots[idx] = None
        if respawn and not self.closed:
            with contextlib.suppress(OSError):
                self.slots[idx] = _Worker()  # start now so the next check finds it warm

    def _run_on(self, idx: int, gold: str, pred: str, timeout_s: float) -> _Verdict:
        payload: dict[str, object] = {"gold": gold, "pred": pred, "timeout": timeout_s}
        for attempt in range(2):
            try:
                w = self._ensure(idx)
            except OSError as exc:
                return _Verdict(False, "unparseable", f"cannot start math-verify worker ({exc})")
            try:
                ready = w.wait_ready(_STARTUP_TIMEOUT_S)
            except (_WorkerDied, OSError, ValueError) as exc:
                self._discard(idx)
                if attempt == 0:
                    continue
                return _Verdict(False, "unparseable", f"math-verify worker failed to start ({exc})")
            if not ready:
                self._discard(idx)
                return _Verdict(False, "timeout", "math-verify worker did not start in time")
            try:
                w.send(payload)
            except _WorkerDied:
                self._discard(idx)
                continue  # it had died while idle: retry once on a fresh worker
            try:
                resp = w.receive(timeout_s)
            except (_WorkerDied, OSError, ValueError) as exc:
                self._discard(idx)  # crashed on this input (e.g. C stack overflow)
                return _Verdict(False, "unparseable", f"math-verify worker crashed ({exc})")
            if resp is None:
                self._discard(idx, respawn=True)
                return _Verdict(False, "timeout", f"math-verify timed out after {timeout_s:g}s")
            status = resp.get("status")
            detail = str(resp.get("detail", ""))[:200]
            if status == "ok":
                return _Verdict(bool(resp.get("equal")), "math_verify", detail)
            return _Verdict(False, "unparseable", detail or "math-verify could not parse")
        return _Verdict(False, "unparseable", "math-verify worker unavailable")

    def close(self) -> None:
        self.closed = True
        for idx, w in enumerate(self.slots):
            if w is not None:
                w.kill()
                self.slots[idx] = None


_pool_obj: _Pool | None = None
_pool_lock = threading.Lock()


def _pool() -> _Pool:
    global _pool_obj
    p = _pool_obj
    if p is not None and p.pid == os.getpid() and not p.closed:
        return p
    with _pool_lock:
        p = _pool_obj
        if p is None or p.pid != os.getpid() or p.closed:
            p = _Pool(_default_workers())
            _pool_obj = p
        return p


def _after_fork_in_child() -> None:
    """Forked children (e.g. AsyncVectorEnv workers) get their own pool and fresh locks."""
    global _pool_obj, _pool_lock, _cache_lock
    old = _pool_obj
    _pool_obj = None
    _pool_lock = threading.Lock()
    _cache_lock = threading.Lock()
    if old is not None:
        for w in old.slots:
            if w is not None:
                w.close_fds_only()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def shutdown() -> None:
    """Stop this process's worker processes (idempotent; also registered with ``atexit``)."""
    global _pool_obj
    with _pool_lock:
        p = _pool_obj
        _pool_obj = None
    if p is not None and p.pid == os.getpid():
        p.close()


atexit.register(shutdown)


def warmup() -> None:
    """Start the math-verify workers now and wait until they are ready (optional)."""
    _pool().warmup()


# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------


class _Deferred(NamedTuple):
    key: tuple[str, str]
    gold: str
    pred: str


def _prepare(gold: str, predicted: str, timeout_s: float) -> _Verdict | _Deferred:
    """Everything in-process: a final verdict, or the strings to hand to math-verify."""
    if not isinstance(gold, str) or not isinstance(predicted, str):
        return _Verdict(False, "unparseable", "answers must be strings")
    if len(gold) > _MAX_RAW_CHARS or len(predicted) > _MAX_RAW_CHARS:
        return _Verdict(False, "too_long", f"input longer than {_MAX_RAW_CHARS} chars")
    try:
        return _prepare_inner(gold, predicted, timeout_s)
    except Exception:  # a bug in normalisation must not crash a training run
        return _Deferred((gold, predicted), gold, predicted)


def _prepare_inner(gold: str, predicted: str, timeout_s: float) -> _Verdict | _Deferred:
    g = _normalise(gold)
    p = _normalise(predicted)
    if len(g) > MAX_ANSWER_CHARS or len(p) > MAX_ANSWER_CHARS:
        return _Verdict(False, "too_long", f"normalised input longer than {MAX_ANSWER_CHARS} chars")
    if not p:
        return _Verdict(False, "unparseable", "empty prediction")
    if not g:
        return _Verdict(False, "unparseable", "empty gold answer")
    key = (g, p)
    cached = _cache_get(key, timeout_s)
    if cached is not None:
        return _Verdict(cached.equal, cached.method, "cache hit; " + cached.detail)
    gi = _gold_info(g)
    p2 = _rewrite_pred(p, gi)
    if not p2:
        v = _Verdict(False, "unparseable", "empty prediction")
        _cache_put(key, v, timeout_s)
        return v
    verdict = _fast_path(gi, p2)
    if verdict is not None:
        _cache_put(key, verdict, timeout_s)
        return verdict
    return _Deferred(key, g, p2)


def _finish(v: _Verdict, t0: float) -> MathCheck:
    return MathCheck(equal=v.equal, method=v.method, elapsed_s=time.perf_counter() - t0, detail=v.detail)


def _clamp_timeout(timeout_s: float) -> float:
    try:
        t = float(timeout_s)
    except (TypeError, ValueError):
        return 3.0
    if not t > 0:  # also catches NaN
        return 0.01
    return min(t, 3600.0)


def check_answer(gold: str, predicted: str, *, timeout_s: float = 3.0) -> MathCheck:
    """Is ``predicted`` (an extracted final answer) equal to ``gold`` (canonical LaTeX)?

    Never raises for any string input and returns within about ``timeout_s`` (plus worker start-up
    on the very first deferred check in a process).
    """
    t0 = time.perf_counter()
    timeout_s = _clamp_timeout(timeout_s)
    prep = _prepare(gold, predicted, timeout_s)
    if isinstance(prep, _Verdict):
        return _finish(prep, t0)
    v = _pool().run(prep.gold, prep.pred, timeout_s)
    _cache_put(prep.key, v, timeout_s)
    return _finish(v, t0)


def check_many(pairs: Sequence[tuple[str, str]], *, timeout_s: float = 3.0) -> list[MathCheck]:
    """Batch version of :func:`check_answer`; deferred pairs run on all workers in parallel.

    Results are in input order.
    """
    timeout_s = _clamp_timeout(timeout_s)
    out: list[MathCheck | None] = [None] * len(pairs)
    deferred: dict[tuple[str, str], tuple[_Deferred, list[int]]] = {}
    for i, (gold, pred) in enumerate(pairs):
        t0 = time.perf_counter()
        prep = _prepare(gold, pred, timeout_s)
        if isinstance(prep, _Verdict):
            out[i] = _finish(prep, t0)
        elif prep.key in deferred:
            deferred[prep.key][1].append(i)
        else:
            deferred[prep.key] = (prep, [i])
    if deferred:
        pool = _pool()
        jobs = list(deferred.values())

        def run(job: tuple[_Deferred, list[int]]) -> None:
            d, idxs = job
            t0 = time.perf_counter()
            v = pool.run(d.gold, d.pred, timeout_s)
            _cache_put(d.key, v, timeout_s)
            for i in idxs:
                out[i] = _finish(v, t0)

        if pool.n == 1 or len(jobs) == 1:
            for job in jobs:
                run(job)
        else:
            with ThreadPoolExecutor(max_workers=min(pool.n, len(jobs))) as ex:
                list(ex.map(run, jobs))
    result: list[MathCheck] = []
    for r in out:
        assert r is not None
        result.append(r)
    return result
