"""MBPP, MBPP (sanitized) and MBPP+ rows.

* MBPP: ``task_id``, ``text``, ``code``, ``test_list`` (assert lines), ``test_setup_code``,
  ``challenge_test_list``.
* MBPP sanitized: ``prompt`` instead of ``text``, ``test_imports`` (a list of import lines).
* MBPP+ (evalplus): as sanitized, plus ``test``: one test program with the extra inputs.

Each assert (or MBPP+'s ``test`` program) runs as MBPP's harness runs it: the setup code, the
answer, then the test line, unchanged, in one process. The prompt shows ``test_list`` as MBPP's
own prompt does; the first ``source_public_tests`` asserts give feedback on wrong answers.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any

from rlvr_envs.core.datasets import RowError, field
from rlvr_envs.tasks.code.datasets.rows import CodeRow


def detect(record: dict[str, Any]) -> bool:
    return "test_list" in record


def _calls(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]


def _defined(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]


def entry_point(code: str, tests: list[str]) -> str | None:
    """The function the asserts test: one the reference defines and the tests call, else the first
    non-builtin the tests call."""
    called = [name for test in tests for name in _calls(test)]
    defined = set(_defined(code))
    for name in called:
        if name in defined:
            return name
    return next((name for name in called if not hasattr(builtins, name)), None)


def _strings(record: dict[str, Any], name: str) -> list[str]:
    value = record.get(name) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RowError(name, "a list of strings (assert lines)", value)
    return list(value)


def read(record: dict[str, Any], index: int, public_count: int) -> CodeRow:
    text = field(record, "text", "prompt", expected="the problem statement as a string")
    tests = _strings(record, "test_list")
    if not tests:
        raise RowError("test_list", "at least one assert line", record.get("test_list"))
    for line in tests:
        try:
            ast.parse(line)
        except SyntaxError as exc:
            raise RowError("test_list", "assert lines that are valid Python", line) from exc
    challenge = _strings(record, "challenge_test_list")
    setup = record.get("test_setup_code") or ""
    if not isinstance(setup, str):
        raise RowError("test_setup_code", "a string of Python code", setup)
    setup = "\n".join([*_strings(record, "test_imports"), setup]).strip()
    code = record.get("code")
    if code is not None and not isinstance(code, str):
        raise RowError("code", "the reference solution as a string", code)
    plus = record.get("test")
    if plus is not None and not isinstance(plus, str):
        raise RowError("test", "MBPP+'s test program as a string", plus)
    entry = entry_point(code or "", tests)
    shown = "\n".join(tests)
    statement = f"{text.strip()}\n\nYour code should pass these tests:\n\n```python\n{shown}\n```"
    if entry:
        statement += f"\n\nWrite the function `{entry}` (with any imports it needs)."
    return CodeRow(
        index=index,
        title=f"MBPP {record.get('task_id', index)}",
        statement=statement,
        mode="script",
        entry_point=entry,
        setup_code=setup,
        public_scripts=tests[: min(public_count, len(tests))],
        hidden_scripts=[plus] if plus and plus.strip() else tests + challenge,
        reference=code or None,
        task_name=str(record.get("task_id", "")),
    )
