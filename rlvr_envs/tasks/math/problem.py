"""The record every procedural math generator returns.

Kept independent of the environment code so generators can be used (and tested) on their own: a
``MathProblem`` is just the question shown to the model plus the canonical gold answer that the
verifier compares against.
"""

from __future__ import annotations

from typing import Literal

import pydantic

from rlvr_envs.verifiers.math_form import AnswerForm

AnswerKind = Literal["integer", "rational", "decimal", "radical", "expression", "set", "tuple", "interval", "equation"]


class MathProblem(pydantic.BaseModel):
    """One generated problem; immutable so it can be cached and shared between workers safely."""

    model_config = pydantic.ConfigDict(frozen=True)

    family: str
    """Generator name, e.g. ``"arithmetic"``."""
    question: str
    """Problem text (plain text + inline LaTeX in ``$...$``), including the required answer form."""
    answer: str
    """Canonical LaTeX of the gold answer: exactly what goes inside ``\\boxed{}``."""
    answer_kind: AnswerKind
    knobs: dict[str, int | float]
    """The concrete difficulty knobs used at this level."""
    solution: str = ""
    answer_form: AnswerForm = "any"
    """Form the answer must be written in, when the question's own expression is already equivalent
    to the gold (expand / factor / simplify); checked by ``rlvr_envs.verifiers.math_form``."""
    """A short worked solution (may be empty)."""
