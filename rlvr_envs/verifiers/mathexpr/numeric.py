"""Numeric separation of expressions that contain opaque functions.

We do not model identities between opaque functions (``sin^2 + cos^2 = 1``), so a different
canonical form is no proof of inequality.  ``numerically_different`` evaluates both sides in floats
at two fixed real sample points and proves them different only when the values differ by far more
than float error; it never proves equality.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from rlvr_envs.verifiers.mathexpr.algebra import MAX_ITEMS, PI, RF, AtomDef, Ctx, Poly, rf_atoms


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


def _float_eval(rf: RF, defs: dict[str, AtomDef], env: dict[str, float], depth: int = 0) -> tuple[float, float]:
    """Value and magnitude scale (sum of |terms|) of ``rf`` at the point ``env``."""
    if depth > 20:
        raise _NoFloat

    def atom_val(k: str) -> float:
        if k == PI:
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


def numerically_different(a: RF, b: RF, ctx: Ctx) -> bool:
    """True when ``a`` and ``b`` clearly differ at two real sample points (so a != b)."""
    seen: set[str] = set()
    todo = list(rf_atoms(a) | rf_atoms(b))
    while todo:  # variables may only occur inside function arguments
        k = todo.pop()
        if k in seen:
            continue
        seen.add(k)
        d = ctx.defs.get(k)
        if d is not None:
            for arg in d[1]:
                todo.extend(rf_atoms(arg))
        if len(seen) > 4 * MAX_ITEMS:
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
