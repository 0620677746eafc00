"""CodeContests rows: ``description``, ``public_tests`` / ``private_tests`` / ``generated_tests``
(each ``{"input": [...], "output": [...]}``), optional ``solutions`` (``{"language": [...],
"solution": [...]}``, Python 3 is language 3), ``difficulty`` (int), ``time_limit``."""

from __future__ import annotations

from typing import Any

from rlvr_envs.core.datasets import RowError
from rlvr_envs.tasks.code.datasets.rows import CodeRow, level_of
from rlvr_envs.verifiers.sandbox import TestCase

_PYTHON3 = 3


def detect(record: dict[str, Any]) -> bool:
    return isinstance(record.get("public_tests"), dict) or "private_tests" in record


def _tests(block: Any) -> list[TestCase]:
    if not isinstance(block, dict):
        return []
    return [
        TestCase(input=str(i), expected=str(o))
        for i, o in zip(block.get("input", []), block.get("output", []), strict=False)
    ]


def read(record: dict[str, Any], index: int, public_count: int) -> CodeRow:
    public = _tests(record.get("public_tests"))
    hidden = _tests(record.get("private_tests")) + _tests(record.get("generated_tests"))
    if not hidden:
        hidden = list(public)
    if not hidden:
        raise RowError(
            "public_tests/private_tests/generated_tests", "at least one {'input': [...], 'output': [...]} test"
        )
    solutions = record.get("solutions") or {}
    reference = None
    if isinstance(solutions, dict):
        for language, solution in zip(solutions.get("language", []), solutions.get("solution", []), strict=False):
            if language == _PYTHON3:
                reference = str(solution)
                break
    limit = record.get("time_limit")
    seconds = None
    if isinstance(limit, dict):
        seconds = float(limit.get("seconds") or 0) + float(limit.get("nanos") or 0) / 1e9 or None
    return CodeRow(
        index=index,
        title=str(record.get("name") or f"Problem {index}"),
        statement=str(record["description"]),
        mode="stdio",
        public_tests=public,
        hidden_tests=hidden,
        level=level_of(record.get("difficulty")),
        reference=reference,
        time_limit_s=seconds,
        task_name=str(record.get("name", "")),
    )
