"""`MathArithFamily` (``rlvr/MathArith-v0``): integer arithmetic on a finely graded level schedule.

Math-v0's ``arithmetic`` generator moves several knobs at once (at level 2 negative literals arrive
in a quarter of all operands together with a third operator), so a small policy falls from ~80% to
~5% between two adjacent levels and a curriculum has nothing to climb. This schedule changes one
thing per level: first the number of operators, then division, then negative literals at a low and
then a higher rate, then longer chains, then parentheses, then two-digit operands. The expression
builder and the worked solutions are Math-v0's; only the knob schedule differs. Math-v0's ids and
seeds are unchanged.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from rlvr_envs.core.types import Task
from rlvr_envs.tasks.math.family import ANSWER_INSTRUCTION, MathConfig, MathFamily
from rlvr_envs.tasks.math.generators._common import check_level
from rlvr_envs.tasks.math.generators.arithmetic import _Builder

# (operators in the expression, operator kinds: 3 = + - x, 4 = + - x div, negative-literal rate,
#  parenthesis depth, operand digits); the last row repeats for every higher level.
SCHEDULE: tuple[tuple[int, int, float, int, int], ...] = (
    (2, 3, 0.0, 0, 1),  # 0: two operators, + - x
    (2, 4, 0.0, 0, 1),  # 1: division
    (3, 4, 0.0, 0, 1),  # 2: three operators
    (3, 4, 0.1, 0, 1),  # 3: an occasional negative literal
    (4, 4, 0.1, 0, 1),  # 4: four operators
    (4, 4, 0.25, 0, 1),  # 5: negatives as often as in Math-v0
    (5, 4, 0.25, 0, 1),  # 6: five operators
    (5, 4, 0.25, 1, 1),  # 7: parentheses
    (6, 4, 0.25, 1, 1),  # 8: six operators
    (6, 4, 0.25, 1, 2),  # 9: two-digit operands
)
MAX_LEVEL = len(SCHEDULE) - 1

# ``schedule = "fine"`` (a family option; the default stays `SCHEDULE`): before each new operator
# count comes a level whose chain has only + and - (``max_factors`` 1), since for a small model
# the jump from two to three operators is the cliff (83% -> 5% in the graded demo). Rows as
# `SCHEDULE` plus the most factors a product may have.
FINE_SCHEDULE: tuple[tuple[int, int, float, int, int, int], ...] = (
    (2, 3, 0.0, 0, 1, 2),  # 0: two operators, + - x            (graded 0)
    (2, 4, 0.0, 0, 1, 2),  # 1: division                        (graded 1)
    (3, 4, 0.0, 0, 1, 1),  # 2: three operators, + and - only
    (3, 4, 0.0, 0, 1, 2),  # 3: three operators, any            (graded 2)
    (3, 4, 0.1, 0, 1, 2),  # 4: an occasional negative literal  (graded 3)
    (4, 4, 0.1, 0, 1, 1),  # 5: four operators, + and - only
    (4, 4, 0.1, 0, 1, 2),  # 6: four operators, any             (graded 4)
    (4, 4, 0.25, 0, 1, 2),  # 7: negatives as often as Math-v0  (graded 5)
    (5, 4, 0.25, 0, 1, 2),  # 8: five operators                 (graded 6)
    (5, 4, 0.25, 1, 1, 2),  # 9: parentheses                    (graded 7)
)
SCHEDULES = {"graded": len(SCHEDULE) - 1, "fine": len(FINE_SCHEDULE) - 1}
_MAX_TRIES = 200


def graded_knobs(level: int, schedule: str = "graded") -> dict[str, int | float]:
    """The knobs of ``level`` on ``schedule`` (levels above the table repeat its last row)."""
    if schedule == "fine":
        ops, operators, negatives, depth, digits, factors = FINE_SCHEDULE[min(check_level(level), SCHEDULES["fine"])]
    else:
        ops, operators, negatives, depth, digits = SCHEDULE[min(check_level(level), MAX_LEVEL)]
        factors = 2
    return {
        "digits": digits,
        "num_ops": ops,
        "depth": depth,
        "operators": operators,
        "negatives": negatives,
        "max_exponent": 0,
        "max_factors": factors,
    }


class _GradedBuilder(_Builder):
    """Math-v0's builder with a negative-literal rate instead of an on/off switch."""

    __slots__ = ("neg_rate",)

    def __init__(self, rng: np.random.Generator, kn: dict[str, int | float], limit: int) -> None:
        super().__init__(rng, kn, limit)
        self.neg_rate = float(kn["negatives"])

    def num(self, v: int) -> tuple[str, int]:
        if self.neg_rate > 0 and self.rng.random() < self.neg_rate:
            return f"(-{v})", -v
        return str(v), v


def graded_problem(
    rng: np.random.Generator, level: int, schedule: str = "graded"
) -> tuple[str, int, dict[str, int | float]]:
    """An expression at ``level`` of ``schedule``: its LaTeX, its value and the knobs used."""
    kn = graded_knobs(level, schedule)
    limit = 10 ** (2 * int(kn["digits"]) + 3)
    for _ in range(_MAX_TRIES):
        built = _GradedBuilder(rng, kn, limit).chain(int(kn["num_ops"]), int(kn["depth"]), group=False)
        if built is not None:
            return built[0], built[1], kn
    raise RuntimeError("arithmetic: could not build an expression within the size limit")  # pragma: no cover


class MathArithConfig(MathConfig):
    """`MathConfig` fixed to integer arithmetic (``generators`` and ``source`` are not used)."""

    schedule: Literal["graded", "fine"] = Field(
        default="graded", description="fine: a + and - only level before each new operator count (FINE_SCHEDULE)"
    )


class MathArithFamily(MathFamily):
    """Integer arithmetic only, on the graded schedule `SCHEDULE`; answers verified exactly."""

    Config = MathArithConfig
    config: MathArithConfig

    def generate(self, rng: np.random.Generator, level: int, *, task_id: str) -> Task:
        expr, value, kn = graded_problem(rng, level, self.config.schedule)
        return Task(
            task_id=task_id,
            family=self.name,
            level=level,
            prompt=f"Compute the value of ${expr}$. Give your answer as an integer.\n\n{ANSWER_INSTRUCTION}",
            data={"answer": str(value), "answer_kind": "integer", "answer_form": "any", "solution": ""},
            metadata={"generator": "arithmetic", "schedule": self.config.schedule, "knobs": dict(kn)},
        )

    def knobs(self, level: int) -> dict[str, float]:
        return {f"arithmetic.{k}": float(v) for k, v in graded_knobs(level, self.config.schedule).items()}
