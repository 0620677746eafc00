"""Procedural math problem generators for ``rlvr/Math-v0``.

Each generator is a pure function of ``(rng, level)``: all randomness comes from the passed
``numpy.random.Generator`` (never the global ``random`` / ``np.random`` state), so the same rng state
and level always give a byte-identical :class:`~rlvr_envs.tasks.math.problem.MathProblem`.
``level`` is an open-ended int >= 0; ``knobs(level)`` maps it to concrete difficulty knobs that are
non-decreasing in ``level`` and keep growing forever.

Families register themselves in :data:`GENERATORS` when their module is imported (all built-in
modules are imported at the bottom of this file).
"""

from __future__ import annotations

import difflib
from typing import Protocol, TypeVar, runtime_checkable

import numpy as np

from rlvr_envs.tasks.math.problem import MathProblem


@runtime_checkable
class MathGenerator(Protocol):
    """What the Math environment needs from a problem family."""

    name: str

    def knobs(self, level: int) -> dict[str, int | float]:
        """Concrete difficulty knobs at ``level`` (pure; each value non-decreasing in level)."""
        ...

    def generate(self, rng: np.random.Generator, level: int) -> MathProblem:
        """One problem drawn with ``rng`` at ``level`` (deterministic given the rng state)."""
        ...


GENERATORS: dict[str, MathGenerator] = {}
"""Family name -> generator instance, filled as the family modules are imported."""

G = TypeVar("G")


def register(cls: type[G]) -> type[G]:
    """Class decorator: instantiate the generator and add it to :data:`GENERATORS` by its name."""
    inst = cls()
    if not isinstance(inst, MathGenerator):
        raise TypeError(f"{cls.__name__} does not implement MathGenerator")
    if inst.name in GENERATORS:
        raise ValueError(f"duplicate math generator name {inst.name!r}")
    GENERATORS[inst.name] = inst
    return cls


def get_generator(name: str) -> MathGenerator:
    """Look up a family by name; unknown names raise ``KeyError`` suggesting close matches."""
    try:
        return GENERATORS[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(GENERATORS), n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise KeyError(f"unknown math generator {name!r}.{hint} Available: {', '.join(sorted(GENERATORS))}") from None


# Built-in families (import order = registry order).
from rlvr_envs.tasks.math.generators import (  # noqa: E402
    algebra,
    arithmetic,
    calculus,
    combinatorics,
    fractions,
    linear,
    number_theory,
    polynomial_roots,
    sequences,
    word_problems,
)

__all__ = [
    "GENERATORS",
    "MathGenerator",
    "MathProblem",
    "algebra",
    "arithmetic",
    "calculus",
    "combinatorics",
    "fractions",
    "get_generator",
    "linear",
    "number_theory",
    "polynomial_roots",
    "register",
    "sequences",
    "word_problems",
]
