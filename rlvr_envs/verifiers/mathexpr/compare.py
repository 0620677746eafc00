"""Comparison of structured values, and the fast-path entry point.

``_compare`` answers True / False / None (undecided) for a gold and a predicted value, following
the rules tabled in ``docs/math-verifier.md``; ``fast_path`` runs the whole in-process decision
for one (gold, rewritten prediction) pair and returns a ``Verdict`` or None to defer to
math-verify.
"""

from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction

from rlvr_envs.verifiers.mathexpr.algebra import (
    MAX_ITEMS,
    PI,
    RF,
    Ctx,
    GiveUp,
    Huge,
    Inf,
    is_free_atom,
    padd,
    pconst,
    pmul,
    pscale,
    rf_add,
    rf_approx,
    rf_atoms,
    rf_const,
    rf_eq,
    rf_has_radical,
    rf_is_constant,
    rf_is_rational,
    rf_mul,
)
from rlvr_envs.verifiers.mathexpr.evaluate import Coll, Eq, Ival, Mat, Scalar, Text, Union, Value, eval_structure
from rlvr_envs.verifiers.mathexpr.gold import GoldInfo
from rlvr_envs.verifiers.mathexpr.normalise import TEXT_CMD_RE, squash
from rlvr_envs.verifiers.mathexpr.numeric import numerically_different
from rlvr_envs.verifiers.mathexpr.parser import Parser, tokenize
from rlvr_envs.verifiers.mathexpr.verdict import Method, Verdict


def _scalar_cmp(g: Scalar, p: Scalar, ctx: Ctx) -> bool | None:
    """Exact comparison of two scalars; None when only an approximate reading could decide."""
    if g.percent != p.percent:
        pct, plain = (p, g) if p.percent else (g, p)
        if not isinstance(pct.val, RF):
            return None
        results = [
            _scalar_cmp(plain, Scalar(v, pct.decimal), ctx)
            for v in (pct.val, rf_mul(pct.val, rf_const(Fraction(1, 100)), ctx))
        ]
        if any(r is True for r in results):
            return True
        if all(r is False for r in results):
            return False
        return None
    gv, pv = g.val, p.val
    if isinstance(gv, Inf) or isinstance(pv, Inf):
        if isinstance(gv, Inf) and isinstance(pv, Inf):
            return gv.sign == pv.sign
        other = pv if isinstance(gv, Inf) else gv
        if isinstance(other, RF) and rf_is_constant(other):
            return False
        return None
    if isinstance(gv, Huge) or isinstance(pv, Huge):
        other = gv if isinstance(pv, Huge) else pv
        if isinstance(other, RF) and rf_is_rational(other):
            return False  # |huge| > 2**65536 exceeds any rational we can represent
        if (
            isinstance(other, RF)
            and other.den is None
            and all(is_free_atom(a) for a in rf_atoms(other))
            and any(a != PI for a in rf_atoms(other))
        ):
            return False  # a non-constant polynomial is not a constant
        return None
    if rf_eq(gv, pv, ctx):
        return True
    atoms = rf_atoms(gv) | rf_atoms(pv)
    if any(not is_free_atom(a) for a in atoms):
        # Opaque functions: a different canonical form is not a proof, but a clear numeric
        # difference at a real sample point is.
        return False if numerically_different(gv, pv, ctx) else None
    if (g.decimal or p.decimal) and (PI in atoms or rf_has_radical(gv) or rf_has_radical(pv)):
        return None  # decimal approximation of an irrational: math-verify's rounding rules
    return False


def _all_decided(results: list[bool | None]) -> bool | None:
    if all(r is True for r in results):
        return True
    if any(r is False for r in results):
        return False
    return None


def _ordered_cmp(gs: list[Value], ps: list[Value], ctx: Ctx) -> bool | None:
    if len(gs) != len(ps):
        return False
    out: list[bool | None] = []
    for g, p in zip(gs, ps, strict=True):
        r = _compare(g, p, ctx)
        if r is False:
            return False
        out.append(r)
    return _all_decided(out)


def _set_cmp(gs: list[Value], ps: list[Value], ctx: Ctx) -> bool | None:
    if len(gs) * len(ps) > 4 * MAX_ITEMS:
        raise GiveUp("set too large")
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


def _as_interval(v: Value) -> Ival | None:
    if isinstance(v, Ival):
        return v
    if isinstance(v, Coll) and v.kind == "paren":
        lo, hi = v.items
        if isinstance(lo, Scalar) and isinstance(hi, Scalar):
            return Ival(lo, hi, False, False)
    return None


def _ival_cmp(g: Ival, p: Ival, ctx: Ctx) -> bool | None:
    ends = _all_decided([_scalar_cmp(g.lo, p.lo, ctx), _scalar_cmp(g.hi, p.hi, ctx)])
    if ends is None:
        return None
    if not ends:
        return False if _ival_proper(g) and _ival_proper(p) else None
    # A bracket at an infinite end does not change the set of reals (sympy agrees).
    g_lc = g.lc and not isinstance(g.lo.val, Inf)
    p_lc = p.lc and not isinstance(p.lo.val, Inf)
    g_rc = g.rc and not isinstance(g.hi.val, Inf)
    p_rc = p.rc and not isinstance(p.hi.val, Inf)
    if g_lc == p_lc and g_rc == p_rc:
        return True
    return False if _ival_proper(g) else None


def _ival_proper(v: Ival) -> bool:
    """True when the interval is certainly non-degenerate (lo < hi), so ends identify it."""
    b = _ival_bounds(v)
    if b is None:
        return False
    lo, hi = b
    return hi - lo > 1e-9 * max(1.0, abs(lo) if math.isfinite(lo) else 1.0)


def _ival_bounds(v: Ival) -> tuple[float, float] | None:
    def num(s: Scalar) -> float | None:
        if isinstance(s.val, Inf):
            return math.inf * s.val.sign
        if isinstance(s.val, RF):
            return rf_approx(s.val)
        return None

    lo, hi = num(v.lo), num(v.hi)
    if lo is None or hi is None:
        return None
    return lo, hi


def _union_canonical(u: Union) -> list[Ival] | None:
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


def _compare(g: Value, p: Value, ctx: Ctx) -> bool | None:
    """Fast-path equality of two structured values: True / False / None (undecided)."""
    if isinstance(g, Eq):
        if isinstance(p, Eq):
            return _eq_cmp(g, p, ctx)
        if g.simple_lhs and len(g.parts) == 2:
            return _compare(g.parts[-1], p, ctx)
        return None
    if isinstance(p, Eq):
        if p.simple_lhs:
            return _compare(g, p.parts[-1], ctx)
        return None
    if isinstance(g, Text) or isinstance(p, Text):
        if isinstance(g, Text) and isinstance(p, Text):
            return _text_key(g.text) == _text_key(p.text) or None
        return None
    if isinstance(g, Scalar):
        if isinstance(p, Scalar):
            return _scalar_cmp(g, p, ctx)
        if isinstance(p, Coll) and p.kind in ("set", "list", "pm"):
            if not p.items:
                return False
            return _all_decided([_compare(g, x, ctx) for x in p.items])
        if isinstance(p, (Coll, Ival, Union)):
            return False
        return None
    if isinstance(g, Coll):
        if g.kind in ("set", "pm", "list"):
            if isinstance(p, Scalar):
                return _set_cmp(g.items, [p], ctx)
            if isinstance(p, Coll):
                if p.kind in ("set", "pm", "list"):
                    return _set_cmp(g.items, p.items, ctx)
                return False  # a set is not a tuple (math-verify says {1,2} == (1,2))
            if isinstance(p, (Ival, Union)):
                return False
            return None
        # ordered: "paren" (tuple or open interval) / "tuple"
        if isinstance(p, Coll):
            if p.kind in ("paren", "tuple", "list"):
                return _ordered_cmp(g.items, p.items, ctx)
            return False  # tuple vs set
        if isinstance(p, Ival):
            gi = _as_interval(g)
            return _ival_cmp(gi, p, ctx) if gi is not None else False
        if isinstance(p, Scalar):
            return False
        return None
    if isinstance(g, Ival):
        pi = _as_interval(p)
        if pi is not None:
            return _ival_cmp(g, pi, ctx)
        if isinstance(p, Scalar) or (isinstance(p, Coll) and p.kind in ("set", "pm")):
            return False
        return None
    if isinstance(g, Union):
        if isinstance(p, Union) and len(p.parts) == len(g.parts):
            gs: list[Value] = list(g.parts)
            ps: list[Value] = list(p.parts)
            r = _set_cmp(gs, ps, ctx)
            if r is True:
                return True
            gc, pc = _union_canonical(g), _union_canonical(p)
            if gc is not None and pc is not None:
                # Sorted, pairwise separated pieces: equal sets iff equal piece by piece.
                return _ordered_cmp(list(gc), list(pc), ctx)
            return None  # unmerged unions could still be equal sets
        if isinstance(p, (Scalar, Ival)) or (isinstance(p, Coll) and p.kind in ("set", "pm")):
            gc = _union_canonical(g)
            return False if gc is not None and len(gc) > 1 else None
        return None
    if isinstance(g, Mat):
        if isinstance(p, Mat):
            if len(g.rows) != len(p.rows) or len(g.rows[0]) != len(p.rows[0]):
                return False
            return _ordered_cmp([c for r in g.rows for c in r], [c for r in p.rows for c in r], ctx)
        return None
    return None


def _eq_cmp(g: Eq, p: Eq, ctx: Ctx) -> bool | None:
    if len(g.parts) != 2 or len(p.parts) != 2:
        return None
    gl, gr = g.parts
    pl, pr = p.parts
    if not all(isinstance(v, Scalar) and isinstance(v.val, RF) for v in (gl, gr, pl, pr)):
        # e.g. (x, y) = (1, 2): compare both sides structurally.
        if _compare(gl, pl, ctx) is True and _compare(gr, pr, ctx) is True:
            return True
        return None
    assert isinstance(gl, Scalar) and isinstance(gr, Scalar)
    assert isinstance(pl, Scalar) and isinstance(pr, Scalar)
    assert isinstance(gl.val, RF) and isinstance(gr.val, RF)
    assert isinstance(pl.val, RF) and isinstance(pr.val, RF)
    a = rf_add(gl.val, gr.val, ctx, -1)
    b = rf_add(pl.val, pr.val, ctx, -1)
    # a = 0 and b = 0 have the same solutions if a = c*b for a nonzero constant c.
    an = pmul(a.num, b.den or pconst(1), ctx)
    bn = pmul(b.num, a.den or pconst(1), ctx)
    if not an or not bn:
        return (not an and not bn) or None
    m, bc = next(iter(bn.items()))
    if m not in an:
        ratio = None
    else:
        ratio = an[m] / bc
        if padd(an, pscale(bn, ratio), ctx, -1):
            ratio = None
    if ratio is not None:
        return True
    atoms = rf_atoms(a) | rf_atoms(b)
    linear = (
        a.den is None
        and b.den is None
        and all(is_free_atom(k) and k != PI for k in atoms)
        and all(sum(e for _, e in mono[1]) <= 1 and all(e > 0 for _, e in mono[1]) for mono in an)
        and all(sum(e for _, e in mono[1]) <= 1 and all(e > 0 for _, e in mono[1]) for mono in bn)
        and any(mono[1] for mono in an)
        and any(mono[1] for mono in bn)
        and not (gl.decimal or gr.decimal or pl.decimal or pr.decimal)
    )
    return False if linear else None  # two non-proportional hyperplanes differ


def _text_key(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def _value_kind(v: Value) -> str:
    """Method label for a decided comparison."""
    if isinstance(v, Scalar):
        if isinstance(v.val, RF):
            if rf_is_rational(v.val):
                return "rational"
            if rf_is_constant(v.val):
                return "numeric"
            return "sympy"
        return "rational"
    if isinstance(v, (Eq, Text)):
        return "sympy" if isinstance(v, Eq) else "exact"
    items: list[Value]
    if isinstance(v, Coll):
        items = v.items
    elif isinstance(v, Ival):
        items = [v.lo, v.hi]
    elif isinstance(v, Union):
        items = [x for iv in v.parts for x in (iv.lo, iv.hi)]
    else:
        items = [c for r in v.rows for c in r]
    return "sympy" if any(_value_kind(i) == "sympy" for i in items) else "numeric"


# ----------------------------------------------------------------------------------------------
# The fast path entry point
# ----------------------------------------------------------------------------------------------


def fast_path(gi: GoldInfo, pred: str) -> Verdict | None:
    """Decide with certainty in-process, or return None to defer to math-verify."""
    if squash(pred) == squash(gi.norm):
        return Verdict(True, "exact", "normalised strings match")
    if gi.is_text:
        assert isinstance(gi.value, Text)
        ptext = TEXT_CMD_RE.sub(lambda m: m.group(1), pred).replace("\\text{", "").replace("}", "")
        gk, pk = _text_key(gi.value.text), _text_key(ptext)
        if gk == pk and gk:
            return Verdict(True, "exact", "text answers match")
        if re.fullmatch(r"[a-z ]+", gk) and re.fullmatch(r"[a-z ]+", pk):
            return Verdict(False, "exact", "different text answers")
        return None
    if gi.value is None:
        return None
    try:
        ctx = Ctx(sci_ok=not gi.uses_e, defs=gi.defs)
        pv = eval_structure(Parser(tokenize(pred), ctx).parse_answer(), ctx)
        r = _compare(gi.value, pv, ctx)
    except Exception:  # GiveUp, or any fast-path bug: defer rather than raise into the env
        return None
    if r is None:
        return None
    kind = _value_kind(gi.value)
    pk = _value_kind(pv)
    method: Method = "sympy" if "sympy" in (kind, pk) else ("rational" if kind == pk == "rational" else "numeric")
    if isinstance(pv, Scalar) and isinstance(pv.val, Huge):
        return Verdict(False, "rational", "predicted value is astronomically large")
    return Verdict(r, method, "equal" if r else "not equal")
