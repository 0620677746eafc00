"""Evaluation of parsed nodes into exact values.

``_Eval`` turns expression nodes into ``RF``/``Inf``/``Huge`` (one evaluation per sign of a
``\\pm``); ``eval_structure`` builds the structured values around them: scalars, collections (sets,
lists, tuples, ``\\pm`` pairs), intervals and their unions, matrices, equations and text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeAlias

from rlvr_envs.verifiers.mathexpr.algebra import (
    MAX_BITS,
    MAX_ITEMS,
    ONE,
    PI,
    RF,
    Ctx,
    GiveUp,
    Huge,
    Inf,
    Num,
    Poly,
    atom_rf,
    const_value,
    iroot,
    pconst,
    pmul,
    rf_add,
    rf_approx,
    rf_const,
    rf_inv,
    rf_is_constant,
    rf_is_rational,
    rf_key,
    rf_mul,
    rf_neg,
    sqrt_rational,
)
from rlvr_envs.verifiers.mathexpr.parser import Node

# ----------------------------------------------------------------------------------------------
# Expressions
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
    """Evaluates expression nodes to ``RF``/``Inf``/``Huge`` with a given sign for ``\\pm``."""

    def __init__(self, ctx: Ctx, pm: int) -> None:
        self.ctx = ctx
        self.pm = pm

    def rf(self, node: Node) -> RF:
        v = self.ev(node)
        if not isinstance(v, RF):
            raise GiveUp("non-finite value in arithmetic")
        return v

    def ev(self, node: Node) -> Num:
        self.ctx.charge(1)
        tag = node[0]
        if tag == "n" or tag == "mixedfrac":
            c = node[1]
            assert isinstance(c, Fraction)
            if tag == "n" and node[2]:
                self.ctx.decimal = True
            return rf_const(c)
        if tag == "v":
            name = node[1]
            assert isinstance(name, str)
            return atom_rf(name)
        if tag == "a":
            return self.atom("c:" + str(node[1]), str(node[1]), ())
        if tag == "pi":
            return atom_rf(PI)
        if tag == "inf":
            return Inf(1)
        if tag == "add":
            return self.ev_add(node)
        if tag == "mul":
            factors = node[1]
            assert isinstance(factors, list)
            return self.ev_mul(factors)
        if tag == "neg":
            v = self.ev(self._child(node, 1))
            if isinstance(v, RF):
                return rf_neg(v)
            return type(v)(-v.sign)
        if tag == "div":
            a = self.ev(self._child(node, 1))
            b = self.rf(self._child(node, 2))
            if isinstance(a, Huge):
                if rf_is_rational(b) and const_value(b.num) != 0:
                    return Huge(a.sign * (1 if const_value(b.num) > 0 else -1))
                raise GiveUp("huge division")
            if not isinstance(a, RF):
                raise GiveUp("infinite division")
            return rf_mul(a, rf_inv(b), self.ctx)
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
            if not (rf_is_rational(a) and rf_is_rational(b)):
                return self.atom(f"c:binom({rf_key(a)},{rf_key(b)})", "undefined", (a, b))
            n, k = const_value(a.num), const_value(b.num)
            if n.denominator != 1 or k.denominator != 1 or n < 0 or n > 10_000:
                raise GiveUp("unsupported binomial")
            return rf_const(math.comb(int(n), int(k)) if k >= 0 else 0)
        if tag == "abs":
            return self.ev_abs(self._child(node, 1))
        if tag == "fn":
            arg = self.rf(self._child(node, 2))
            return self.atom(f"c:{node[1]}({rf_key(arg)})", str(node[1]), (arg,))
        if tag == "exp":
            arg = self.rf(self._child(node, 1))
            if not arg.num:
                return rf_const(1)
            return self.atom(f"c:exp({rf_key(arg)})", "exp", (arg,))
        if tag == "log":
            base = self.rf(self._child(node, 1))
            arg = self.rf(self._child(node, 2))
            return self.atom(f"c:log[{rf_key(base)}]({rf_key(arg)})", "logb", (base, arg))
        if tag == "call":
            arg = self.rf(self._child(node, 2))
            return self.atom(f"c:{node[1]}({rf_key(arg)})", "undefined", (arg,))
        raise GiveUp(f"unsupported node {tag!r}")

    def atom(self, key: str, fname: str, args: tuple[RF, ...]) -> RF:
        """An opaque atom (function application); remembered for numeric separation."""
        if key not in self.ctx.defs:
            if len(self.ctx.defs) > 4 * MAX_ITEMS:
                raise GiveUp("too many atoms")
            self.ctx.defs[key] = (fname, args)
        return atom_rf(key)

    @staticmethod
    def _child(node: Node, i: int) -> Node:
        c = node[i]
        assert isinstance(c, tuple)
        return c

    def ev_add(self, node: Node) -> Num:
        terms = node[1]
        assert isinstance(terms, list)
        acc: Num = RF({})
        for sign, sub in terms:
            v = self.ev(sub)
            s = {"+": 1, "-": -1, "pm": self.pm, "mp": -self.pm}[sign]
            if isinstance(v, RF) and isinstance(acc, RF):
                acc = rf_add(acc, v, self.ctx, s)
            elif isinstance(acc, RF) and not isinstance(v, RF) and rf_is_constant(acc):
                acc = type(v)(v.sign * s)  # finite + (+-inf / huge)
            elif not isinstance(acc, RF) and isinstance(v, RF) and rf_is_constant(v):
                pass  # (+-inf / huge) + finite
            else:
                raise GiveUp("indeterminate sum")
        return acc

    def ev_mul(self, factors: list[Node]) -> Num:
        acc: Num = rf_const(1)
        for f in factors:
            v = self.ev(f)
            if isinstance(acc, RF) and isinstance(v, RF):
                acc = rf_mul(acc, v, self.ctx)
                continue
            big = acc if not isinstance(acc, RF) else v
            small = v if big is acc else acc
            if isinstance(big, RF) or not isinstance(small, RF) or not rf_is_rational(small):
                raise GiveUp("indeterminate product")
            c = const_value(small.num)
            if c == 0:
                raise GiveUp("0 * inf")
            acc = type(big)(big.sign * (1 if c > 0 else -1))
        return acc

    def ev_fact(self, arg_node: Node) -> Num:
        a = self.ev(arg_node)
        if isinstance(a, Huge):
            return Huge(1) if a.sign > 0 else self._raise("factorial of negative")
        if not isinstance(a, RF):
            raise GiveUp("factorial of infinity")
        if not rf_is_rational(a):
            return self.atom(f"c:fact({rf_key(a)})", "undefined", (a,))
        n = const_value(a.num)
        if n.denominator != 1 or n < 0:
            raise GiveUp("factorial of non-natural")
        ni = int(n)
        if ni > 100 and math.lgamma(ni + 1) / math.log(2) > MAX_BITS:
            return Huge(1)
        return rf_const(math.factorial(ni))

    @staticmethod
    def _raise(msg: str) -> Num:
        raise GiveUp(msg)

    def ev_abs(self, arg_node: Node) -> Num:
        a = self.ev(arg_node)
        if not isinstance(a, RF):
            return type(a)(1)
        if rf_is_rational(a):
            return rf_const(abs(const_value(a.num)))
        if rf_is_constant(a):
            v = rf_approx(a)
            if v is None or abs(v) < 1e-9:
                raise GiveUp("abs of ambiguous sign")
            return a if v > 0 else rf_neg(a)
        return self.atom(f"c:abs({rf_key(a)})", "abs", (a,))

    def ev_sqrt(self, arg_node: Node, idx_node: Node | None) -> Num:
        a = self.rf(arg_node)
        k = 2
        if idx_node is not None:
            idx = self.rf(idx_node)
            if not rf_is_rational(idx):
                raise GiveUp("symbolic root index")
            kv = const_value(idx.num)
            if kv.denominator != 1 or kv < 2 or kv > 64:
                raise GiveUp("bad root index")
            k = int(kv)
        if rf_is_rational(a):
            q = const_value(a.num)
            if k == 2:
                return sqrt_rational(q)
            neg = q < 0
            if neg and k % 2 == 0:
                raise GiveUp("even root of negative")
            qa = abs(q)
            rn, rd = iroot(qa.numerator, k), iroot(qa.denominator, k)
            if rn is not None and rd is not None:
                return rf_const(Fraction(-rn if neg else rn, rd))
        return self._opaque_pow(a, Fraction(1, k))

    def _opaque_pow(self, base: RF, e: Fraction) -> RF:
        return self.atom(f"c:pow({rf_key(base)},{e})", "pow", (base, rf_const(e)))

    def ev_pow(self, base_node: Node, exp_node: Node) -> Num:
        # e^{x} is the exponential function.
        if base_node == ("a", "e"):
            arg = self.rf(exp_node)
            if not arg.num:
                return rf_const(1)
            return self.atom(f"c:exp({rf_key(arg)})", "exp", (arg,))
        ev = self.ev(exp_node)
        base = self.ev(base_node)
        if isinstance(ev, Inf):
            raise GiveUp("infinite exponent")
        if isinstance(ev, Huge):
            if isinstance(base, RF) and rf_is_rational(base):
                b = const_value(base.num)
                if b == 1:
                    return rf_const(1)
                if b > 1 and ev.sign > 0:
                    return Huge(1)
                if b == 0 and ev.sign > 0:
                    return rf_const(0)
            if isinstance(base, Huge) and base.sign > 0 and ev.sign > 0:
                return Huge(1)
            raise GiveUp("huge exponent")
        if not isinstance(ev, RF) or not rf_is_rational(ev):
            if isinstance(base, RF) and isinstance(ev, RF):
                return self.atom(f"c:pow({rf_key(base)},{rf_key(ev)})", "pow", (base, ev))
            raise GiveUp("non-finite power")
        e = const_value(ev.num)
        if isinstance(base, Inf):
            raise GiveUp("power of infinity")
        if isinstance(base, Huge):
            if e > 0 and e.denominator == 1:
                return Huge(base.sign if e.numerator % 2 else 1)
            raise GiveUp("huge power")
        if e.denominator != 1:
            return self.ev_frac_pow(base, e)
        return self.int_pow(base, int(e))

    def ev_frac_pow(self, base: RF, e: Fraction) -> RF:
        if rf_is_rational(base):
            b = const_value(base.num)
            if b > 0 and e.denominator == 2 and abs(e.numerator) <= 64:
                num_pow = self.int_pow(base, e.numerator)
                if not isinstance(num_pow, RF):
                    raise GiveUp("huge")
                return sqrt_rational(const_value(num_pow.num))
            if b > 0 and e.denominator <= 64:
                rn, rd = iroot(b.numerator, e.denominator), iroot(b.denominator, e.denominator)
                if rn is not None and rd is not None:
                    p = self.int_pow(rf_const(Fraction(rn, rd)), e.numerator)
                    if isinstance(p, RF):
                        return p
        return self._opaque_pow(base, e)

    def int_pow(self, base: RF, n: int) -> Num:
        if n == 0:
            if not base.num:
                raise GiveUp("0^0")
            return rf_const(1)
        if n < 0:
            inv = rf_inv(base)
            return self.int_pow(inv, -n)
        if base.den is not None:
            num = self.int_pow(RF(base.num), n)
            den = self.int_pow(RF(base.den), n)
            if not (isinstance(num, RF) and isinstance(den, RF)):
                raise GiveUp("huge rational power")
            return rf_mul(num, rf_inv(den), self.ctx)
        p = base.num
        if not p:
            return RF({})
        if len(p) == 1:
            ((mono, c),) = p.items()
            r, atoms = mono
            bits = max(c.numerator.bit_length(), c.denominator.bit_length())
            rbits = r.bit_length()
            if n * max(bits, rbits) > MAX_BITS:
                if mono == ONE and abs(c) > 1:
                    return Huge(-1 if c < 0 and n % 2 else 1)
                raise GiveUp("power too large")
            coef = c**n * Fraction(r ** (n // 2))
            new_r = r if n % 2 else 1
            return RF({(new_r, tuple((k, e * n) for k, e in atoms)): coef})
        if n > 64:
            raise GiveUp("polynomial power too large")
        result: Poly = pconst(1)
        sq = p
        k = n
        while k:
            if k & 1:
                result = pmul(result, sq, self.ctx)
            k >>= 1
            if k:
                sq = pmul(sq, sq, self.ctx)
        return RF(result)


# ----------------------------------------------------------------------------------------------
# Structured values
# ----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Scalar:
    val: Num
    decimal: bool = False
    percent: bool = False


@dataclass(slots=True)
class Coll:
    kind: str  # "set", "list", "pm", "paren" (2 items, tuple or open interval), "tuple"
    items: list[Value]


@dataclass(slots=True)
class Ival:
    lo: Scalar
    hi: Scalar
    lc: bool
    rc: bool


@dataclass(slots=True)
class Union:
    parts: list[Ival]


@dataclass(slots=True)
class Mat:
    rows: list[list[Value]]


@dataclass(slots=True)
class Eq:
    parts: list[Value]
    ops: list[str]
    simple_lhs: bool


@dataclass(slots=True)
class Text:
    text: str


Value: TypeAlias = Scalar | Coll | Ival | Union | Mat | Eq | Text


def _eval_scalar_node(node: Node, ctx: Ctx) -> Value:
    """Evaluate an expression node; a single ``\\pm`` yields a two-element set."""
    percent = False
    if node[0] == "pct":
        inner = node[1]
        assert isinstance(inner, tuple)
        node, percent = inner, True
    npm = _count_pm(node)
    if npm > 1:
        raise GiveUp("several \\pm")
    ctx.decimal = False
    if npm == 0:
        v = _Eval(ctx, 1).ev(node)
        return Scalar(v, ctx.decimal, percent)
    vals: list[Value] = [Scalar(_Eval(ctx, s).ev(node), ctx.decimal, percent) for s in (1, -1)]
    return Coll("pm", vals)


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


def eval_structure(node: Node, ctx: Ctx) -> Value:
    tag = node[0]
    if tag == "text":
        t = node[1]
        assert isinstance(t, str)
        return Text(t)
    if tag in ("list", "set"):
        items = node[1]
        assert isinstance(items, list)
        return Coll(tag, [eval_structure(i, ctx) for i in items])
    if tag == "brk":
        _, lb, items, rb = node
        assert isinstance(items, list)
        vals = [eval_structure(i, ctx) for i in items]
        if lb == "(" and rb == ")":
            return Coll("paren" if len(vals) == 2 else "tuple", vals)
        if len(vals) == 2 and all(isinstance(v, Scalar) for v in vals):
            lo, hi = vals
            assert isinstance(lo, Scalar) and isinstance(hi, Scalar)
            return Ival(lo, hi, lb == "[", rb == "]")
        if lb == "[" and rb == "]":
            return Coll("tuple", vals)
        raise GiveUp("bad bracket group")
    if tag == "union":
        parts = node[1]
        assert isinstance(parts, list)
        ivals: list[Ival] = []
        for p in parts:
            v = eval_structure(p, ctx)
            if isinstance(v, Coll) and v.kind == "paren":
                lo, hi = v.items
                if not (isinstance(lo, Scalar) and isinstance(hi, Scalar)):
                    raise GiveUp("bad interval")
                v = Ival(lo, hi, False, False)
            if not isinstance(v, Ival):
                raise GiveUp("union of non-intervals")
            ivals.append(v)
        return Union(ivals)
    if tag == "mat":
        rows = node[1]
        assert isinstance(rows, list)
        return Mat([[eval_structure(c, ctx) for c in row] for row in rows])
    if tag == "rel":
        _, parts, ops = node
        assert isinstance(parts, list) and isinstance(ops, list)
        if any(op != "=" for op in ops):
            raise GiveUp("approximate relation")
        first = parts[0]
        assert isinstance(first, tuple)
        return Eq([eval_structure(p, ctx) for p in parts], ops, _simple_lhs(first))
    return _eval_scalar_node(node, ctx)
