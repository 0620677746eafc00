"""APPS rows: ``question``, ``input_output`` (``inputs``, ``outputs``, ``fn_name`` for call-based
problems; a dict or its JSON text), optional ``solutions``, ``difficulty``, ``starter_code``.

APPS's own harness turns a returned tuple into a list and unwraps one-element expected lists
(``[[3], [5]]``); both are kept here so that its reference solutions pass as they do there.
"""

from __future__ import annotations

from typing import Any

from rlvr_envs.core.datasets import RowError
from rlvr_envs.tasks.code.datasets.rows import CodeRow, level_of, maybe_json, split_tests
from rlvr_envs.verifiers.sandbox import TestCase


def detect(record: dict[str, Any]) -> bool:
    return "input_output" in record


def _text(value: Any) -> str:
    """APPS sometimes stores an input or output as a list of lines."""
    if isinstance(value, list):
        return "\n".join(str(line) for line in value) + "\n"
    return str(value)


def read(record: dict[str, Any], index: int, public_count: int) -> CodeRow:
    io_spec = maybe_json(record["input_output"])
    if not isinstance(io_spec, dict) or "inputs" not in io_spec or "outputs" not in io_spec:
        raise RowError("input_output", "an object (or its JSON text) with 'inputs' and 'outputs'", io_spec)
    solutions = maybe_json(record.get("solutions") or [])
    reference = solutions[0] if isinstance(solutions, list) and solutions else None
    fn_name = io_spec.get("fn_name")
    if len(io_spec["inputs"]) != len(io_spec["outputs"]):
        raise RowError("input_output", "as many 'outputs' as 'inputs'", io_spec)
    if fn_name:
        tests = [
            TestCase(input=list(args), expected=out[0] if isinstance(out, list) and len(out) == 1 else out)
            for args, out in zip(io_spec["inputs"], io_spec["outputs"], strict=True)
        ]
    else:
        tests = [
            TestCase(input=_text(i), expected=_text(o))
            for i, o in zip(io_spec["inputs"], io_spec["outputs"], strict=True)
        ]
    if not tests:
        raise RowError("input_output", "at least one test in 'inputs'", io_spec)
    public, hidden = split_tests(tests, public_count)
    return CodeRow(
        index=index,
        title=str(record.get("title") or f"Problem {record.get('problem_id', index)}"),
        statement=str(record["question"]),
        mode="function" if fn_name else "stdio",
        entry_point=str(fn_name) if fn_name else None,
        starter_code=str(record.get("starter_code") or ""),
        public_tests=public,
        hidden_tests=hidden,
        level=level_of(record.get("difficulty")),
        reference=str(reference) if reference else None,
        tuple_as_list=True,
        task_name=str(record.get("problem_id", "")),
    )
