"""Integer arithmetic with operator precedence, parentheses and (at higher levels) powers.

Pure int math + hand-written LaTeX: this family is the throughput reference (>= 2,000 problems/s at
level 3), so no sympy anywhere. Division is always exact: the first factor of a term containing
``\\div`` is built as a multiple of every divisor in that term.
"""

from __future__ import annotations

import numpy as np

from rlvr_envs.tasks.math.generators import register
from rlvr_envs.tasks.math.generators._common import (
    ADD_OPS as _ADD,
)
from rlvr_envs.tasks.math.generators._common import (
    OP_LATEX as _OP_LATEX,
)
from rlvr_envs.tasks.math.generators._common import (
    chain_structure,
    check_level,
    choice,
    digits_range,
    rint,
)
from rlvr_envs.tasks.math.problem import MathProblem

_MAX_TRIES = 200


@register
class ArithmeticGenerator:
    """Evaluate an integer expression such as ``7 - 3 \\times (4 + 2^{2}) \\div 2``."""

    name = "arithmetic"

    def knobs(self, level: int) -> dict[str, int | float]:
        level = check_level(level)
        return {
            "digits": 1 + level // 3,  # operand size
            "num_ops": 2 + level // 2,  # binary operators in the whole expression
            "depth": level // 3,  # parenthesis nesting depth
            "operators": 3 if level == 0 else (4 if level < 4 else 5),  # +-x, then div, then powers
            "negatives": 1 if level >= 2 else 0,  # negative literals like (-7)
            "max_exponent": 0 if level < 4 else 2 + (level - 4) // 8,
            "max_factors": 2 + level // 6,  # factors per multiplicative term
        }

    def generate(self, rng: np.random.Generator, level: int) -> MathProblem:
        kn = self.knobs(level)
        limit = 10 ** (2 * int(kn["digits"]) + 3)
        for _ in range(_MAX_TRIES):
            built = _Builder(rng, kn, limit).chain(int(kn["num_ops"]), int(kn["depth"]), group=False)
            if built is not None:
                break
        else:  # pragma: no cover - astronomically unlikely
            raise RuntimeError("arithmetic: could not build an expression within the size limit")
        expr, value = built
        question = f"Compute the value of ${expr}$. Give your answer as an integer."
        solution = (
            "Evaluate parentheses first, then powers, then multiplication and division from left to "
            f"right, then addition and subtraction from left to right. The result is ${value}$."
        )
        return MathProblem(
            family=self.name,
            question=question,
            answer=str(value),
            answer_kind="integer",
            knobs=kn,
            solution=solution,
        )


class _Builder:
    """Builds one expression; returns ``None`` from ``chain`` when a value exceeds the size limit."""

    __slots__ = ("allow_div", "dmax", "kn", "leaf_hi", "leaf_lo", "limit", "max_exp", "neg", "rng")

    def __init__(self, rng: np.random.Generator, kn: dict[str, int | float], limit: int) -> None:
        self.rng = rng
        self.kn = kn
        self.limit = limit
        self.leaf_lo, self.leaf_hi = digits_range(int(kn["digits"]))
        self.dmax = max(9, 3 * (10 ** int(kn["digits"]) // 10))
        self.allow_div = kn["operators"] >= 4
        self.max_exp = int(kn["max_exponent"]) if kn["operators"] >= 5 else 0
        self.neg = bool(kn["negatives"])

    # -- leaves -------------------------------------------------------------------------------
    def leaf(self) -> tuple[str, int]:
        rng = self.rng
        if self.max_exp >= 2 and rng.random() < 0.2:
            e = rint(rng, 2, self.max_exp)
            # keep b^e within roughly one extra digit of an ordinary operand
            cap = max(2, round((self.leaf_hi * 10) ** (1.0 / e)))
            while cap > 2 and cap**e > self.leaf_hi * 10:
                cap -= 1
            b = rint(rng, 2, cap)
            if self.neg and rng.random() < 0.25:
                return f"(-{b})^{{{e}}}", (-b) ** e
            return f"{b}^{{{e}}}", b**e
        v = rint(rng, self.leaf_lo, self.leaf_hi)
        return self.num(v)

    def divisor_leaf(self) -> tuple[str, int]:
        v = rint(self.rng, 2, self.dmax)
        return self.num(v)

    def num(self, v: int) -> tuple[str, int]:
        if self.neg and self.rng.random() < 0.25:
            return f"(-{v})", -v
        return str(v), v

    # -- structure ----------------------------------------------------------------------------
    def chain(self, n_ops: int, depth: int, group: bool) -> tuple[str, int] | None:
        """A flat chain of ``+ - x div`` whose operands may be parenthesised sub-chains.

        Needs ``n_ops >= depth + 1``: one operator at this level plus at least one per nesting level.
        """
        rng = self.rng
        m, slots = chain_structure(rng, n_ops, depth)

        # operators, respecting the per-term factor cap
        max_factors = int(self.kn["max_factors"])
        mult_ops = ("*", "/") if self.allow_div else ("*",)
        ops: list[str] = []
        factors = 1
        for _ in range(m):
            if factors < max_factors and rng.random() < 0.5:
                op = choice(rng, mult_ops)
                factors += 1
            else:
                op = choice(rng, _ADD)
                factors = 1
            ops.append(op)
        if group and all(o not in _ADD for o in ops):
            ops[int(rng.integers(m))] = choice(rng, _ADD)

        # split into terms: [(sign, [slot indices], [ops between factors])]
        terms: list[tuple[str, list[int], list[str]]] = [("+", [0], [])]
        for i, op in enumerate(ops):
            if op in _ADD:
                terms.append((op, [i + 1], []))
            else:
                terms[-1][1].append(i + 1)
                terms[-1][2].append(op)

        pieces: list[str] = []
        total = 0
        for t_index, (sign, idxs, tops) in enumerate(terms):
            term = self.term(idxs, tops, slots)
            if term is None:
                return None
            tex, val = term
            if t_index == 0:
                pieces.append(tex)
                total = val
            else:
                pieces.append(f" {sign} {tex}")
                total = total + val if sign == "+" else total - val
            if abs(total) > self.limit:
                return None
        return "".join(pieces), total

    def operand(self, slot: tuple[int, int] | None, divisor: bool) -> tuple[str, int] | None:
        if slot is None:
            return self.divisor_leaf() if divisor else self.leaf()
        inner = self.chain(slot[0], slot[1], group=True)
        if inner is None:
            return None
        return f"({inner[0]})", inner[1]

    def term(self, idxs: list[int], tops: list[str], slots: list[tuple[int, int] | None]) -> tuple[str, int] | None:
        ops = list(tops)
        if "/" in ops and slots[idxs[0]] is not None:
            ops = ["*" if o == "/" else o for o in ops]  # can't force a group to be a multiple
        rest: list[tuple[str, int]] = []
        for k, (idx, op) in enumerate(zip(idxs[1:], ops, strict=True)):
            is_div = op == "/"
            got = self.operand(slots[idx], divisor=is_div)
            if got is None:
                return None
            if is_div and (abs(got[1]) < 2 or abs(got[1]) > self.dmax * 10):
                ops[k] = "*"  # a group evaluating to 0/1/huge: multiply instead
            rest.append(got)
        divisor_product = 1
        for (_, v), op in zip(rest, ops, strict=True):
            if op == "/":
                divisor_product *= abs(v)
        if divisor_product > 1:
            q = rint(self.rng, 1, max(2, self.leaf_hi // 3))
            first = self.num(q * divisor_product)
        else:
            got = self.operand(slots[idxs[0]], divisor=False)
            if got is None:
                return None
            first = got
        tex_parts = [first[0]]
        val = first[1]
        for (tex, v), op in zip(rest, ops, strict=True):
            tex_parts.append(f" {_OP_LATEX[op]} {tex}")
            if op == "*":
                val *= v
            else:
                # exact by construction (first factor is a multiple of every divisor)
                val //= v
            if abs(val) > self.limit:
                return None
        return "".join(tex_parts), val
