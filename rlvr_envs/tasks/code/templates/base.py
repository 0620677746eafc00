"""What a procedural programming problem is made of, and the registry of all of them.

A `Template` is a problem family: a statement, typed parameters, a **reference solution** (a plain,
self-contained module-level function: its source is what the oracle submits) and a **random input
generator** (so hidden tests are unlimited and unguessable). Expected outputs are the reference's
results on generated inputs, computed in the env process (trusted code, never the model's).

`Scale` turns a level into sizes; a template picks the sizes that suit its reference's complexity.

A reference must be **self-contained**: helper functions nested inside it, imports inside it. Its
source is extracted with `inspect.getsource` and submitted by the oracle, so a shared module-level
helper would not travel with it; that is why, e.g., two graph references each carry a union-find.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rlvr_envs.tasks.code.io_formats import Kind, Param

Generator = Callable[[np.random.Generator, "Scale", bool], tuple[Any, ...]]
CATEGORIES = ("strings", "arrays", "math", "searching", "greedy", "dp", "graphs", "parsing", "simulation")
MAX_SIZE = 100_000


@dataclass(frozen=True)
class Scale:
    """Concrete sizes at one level (every field is non-decreasing in the level)."""

    level: int
    n: int  # elements for linear or n log n references
    n2: int  # elements for quadratic references
    value: int  # largest absolute value
    text: int  # string length

    @classmethod
    def at(cls, level: int) -> Scale:
        n = min(int(10 * 1.75**level), MAX_SIZE)
        return cls(
            level=level,
            n=n,
            n2=min(n, 400),
            value=min(10 ** (1 + level // 2), 10**9),
            text=min(n, 20_000),
        )


@dataclass(frozen=True)
class Template:
    """One procedural problem family (see the module docstring)."""

    name: str
    category: str
    title: str
    statement: str  # refers to parameters as `name`; the I/O section is generated from `params`
    params: tuple[Param, ...]
    returns: Kind
    solve: Callable[..., Any]
    generate: Generator
    constraints: str = ""  # a format string over Scale's fields, e.g. "1 ≤ len(a) ≤ {n}"
    step: str = ""  # for (a: ints) -> ints transforms: the statement as a step of a pipeline
    pipeline_final: bool = False  # (a: ints) -> anything, valid for any integer array

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"template {self.name!r}: unknown category {self.category!r}")

    @property
    def is_transform(self) -> bool:
        return bool(self.step) and self.returns == "ints" and _single_array(self.params)

    def constraint_text(self, scale: Scale) -> str:
        return self.constraints.format(**scale.__dict__) if self.constraints else ""

    def source(self, name: str = "solve") -> str:
        """The reference solution's source, with its function renamed to ``name``."""
        return rename_function(inspect.getsource(self.solve), self.solve.__name__, name)


def _single_array(params: tuple[Param, ...]) -> bool:
    return len(params) == 1 and params[0].kind == "ints"


def rename_function(source: str, old: str, new: str) -> str:
    """Rename the top-level ``def old(`` of ``source`` (dedented) to ``new``."""
    text = textwrap.dedent(source)
    renamed, count = re.subn(rf"^def {re.escape(old)}\(", f"def {new}(", text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise ValueError(f"cannot find 'def {old}(' in the reference source")
    return renamed


TEMPLATES: dict[str, Template] = {}


def register(template: Template) -> Template:
    """Add a template to `TEMPLATES` (names are unique)."""
    if template.name in TEMPLATES:
        raise ValueError(f"template {template.name!r} is registered twice")
    TEMPLATES[template.name] = template
    return template


@dataclass(frozen=True)
class Pipeline:
    """A problem built from templates: zero or more array transforms, then a final template."""

    names: tuple[str, ...]
    templates: tuple[Template, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "templates", tuple(TEMPLATES[name] for name in self.names))

    @property
    def final(self) -> Template:
        return self.templates[-1]

    @property
    def params(self) -> tuple[Param, ...]:
        return self.templates[0].params

    @property
    def returns(self) -> Kind:
        return self.final.returns

    @property
    def category(self) -> str:
        return self.final.category if len(self.templates) == 1 else "composition"

    def solve(self, *args: Any) -> Any:
        value: Any = self.templates[0].solve(*args)
        for template in self.templates[1:]:
            value = template.solve(value)
        return value

    def generate(self, rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
        return self.templates[0].generate(rng, scale, edge)

    def title(self) -> str:
        return self.final.title if len(self.templates) == 1 else " then ".join(t.title for t in self.templates)

    def statement(self) -> str:
        if len(self.templates) == 1:
            return self.final.statement
        steps = [f"{index + 1}. {t.step}" for index, t in enumerate(self.templates[:-1])]
        return (
            "You are given an array `a` of integers. First transform it, step by step (each step works on the "
            "array produced by the previous one):\n"
            + "\n".join(steps)
            + "\nThen, calling the final array `a` again, solve this problem:\n"
            + self.final.statement
        )

    def constraint_text(self, scale: Scale) -> str:
        return self.templates[0].constraint_text(scale)

    def source(self) -> str:
        """A self-contained ``solve`` (the reference, chaining the steps) for the oracle."""
        if len(self.templates) == 1:
            return self.final.source()
        parts = [t.source(f"_step{index}") for index, t in enumerate(self.templates)]
        chain = "a"
        for index in range(len(self.templates)):
            chain = f"_step{index}({chain})"
        return "\n\n".join(parts) + f"\n\ndef solve(a):\n    return {chain}\n"


def transforms() -> list[str]:
    return sorted(name for name, t in TEMPLATES.items() if t.is_transform)


def pipeline_finals() -> list[str]:
    return sorted(name for name, t in TEMPLATES.items() if t.pipeline_final and _single_array(t.params))
