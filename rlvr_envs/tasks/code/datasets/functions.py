"""Function-call test rows (our own plain format): ``prompt`` (or ``question``), ``entry_point``
(or ``fn_name``), ``tests``: ``[{"input": [args...], "output": value}, ...]`` (``args`` /
``expected`` also accepted), optional ``public_tests``, ``solution``, ``level``, ``float_tol``.

JSON has no tuples or sets: a test may give ``output_literal``, a Python literal such as
``"(1, 2)"`` read with `ast.literal_eval` (never ``eval``), to expect exactly that value. Returned
values are compared as Python values: a tuple is not a list, ``True`` is not ``1``.
"""

from __future__ import annotations

import ast
from typing import Any

from rlvr_envs.core.datasets import RowError
from rlvr_envs.tasks.code.datasets.rows import CodeRow, level_of, split_tests
from rlvr_envs.verifiers.sandbox import TestCase


def detect(record: dict[str, Any]) -> bool:
    return "tests" in record and isinstance(record.get("tests"), list)


def _convert(name: str, case: Any) -> TestCase:
    if not isinstance(case, dict):
        raise RowError(name, "a list of objects with 'input' and 'output'", case)
    args = case.get("input", case.get("args"))
    if "output_literal" in case:
        try:
            expected = ast.literal_eval(str(case["output_literal"]))
        except (ValueError, SyntaxError) as exc:
            raise RowError(
                f"{name}[].output_literal", "a Python literal such as '(1, 2)'", case["output_literal"]
            ) from exc
    else:
        expected = case.get("output", case.get("expected"))
    return TestCase(input=args if isinstance(args, list) else [args], expected=expected)


def read(record: dict[str, Any], index: int, public_count: int) -> CodeRow:
    entry = record.get("entry_point") or record.get("fn_name")
    if not entry:
        raise RowError("entry_point", "the name of the function to call (or 'fn_name')", present=list(record))
    tests = [_convert("tests", case) for case in record["tests"]]
    if not tests:
        raise RowError("tests", "at least one test", record["tests"])
    if record.get("public_tests") is not None:
        public, hidden = [_convert("public_tests", case) for case in record["public_tests"]], tests
    else:
        public, hidden = split_tests(tests, public_count)
    tol = record.get("float_tol")
    if tol is not None and (not isinstance(tol, int | float) or isinstance(tol, bool) or tol < 0):
        raise RowError("float_tol", "a non-negative number", tol)
    statement = record.get("prompt") or record.get("question")
    if not isinstance(statement, str):
        raise RowError("prompt", "the problem statement as a string (or 'question')", statement, present=list(record))
    return CodeRow(
        index=index,
        title=str(record.get("title") or f"Problem {index}"),
        statement=statement,
        mode="function",
        entry_point=str(entry),
        starter_code=str(record.get("starter_code") or ""),
        public_tests=public,
        hidden_tests=hidden,
        level=level_of(record.get("level", record.get("difficulty"))),
        reference=str(record["solution"]) if record.get("solution") else None,
        float_tol=float(tol) if tol is not None else None,
        task_name=str(record.get("task_id", "")),
    )
