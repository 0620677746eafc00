"""HumanEval and HumanEval+ rows: ``task_id``, ``prompt`` (imports, the signature and docstring),
``canonical_solution`` (the body), ``test`` (code defining ``check(candidate)``), ``entry_point``.

The test program runs as HumanEval's harness builds it: the completed prompt, then ``test``, then
``check(entry_point)``, in one process, unchanged; it passes when it runs to the end. HumanEval+
(evalplus) rows have the same fields, their ``test`` carrying the extra inputs and the tolerance.
"""

from __future__ import annotations

from typing import Any

from rlvr_envs.core.datasets import RowError, field
from rlvr_envs.tasks.code.datasets.rows import CodeRow


def detect(record: dict[str, Any]) -> bool:
    return (
        "entry_point" in record and isinstance(record.get("test"), str) and "prompt" in record and "tests" not in record
    )


def read(record: dict[str, Any], index: int, public_count: int) -> CodeRow:
    prompt = field(record, "prompt", expected="the function's signature and docstring as a string")
    entry = field(record, "entry_point", expected="the name of the function under test")
    test = field(record, "test", expected="test code defining check(candidate)")
    if "def check(" not in test:
        raise RowError("test", "code that defines check(candidate)", test)
    solution = record.get("canonical_solution")
    if solution is not None and not isinstance(solution, str):
        raise RowError("canonical_solution", "the reference body as a string", solution)
    task_id = str(record.get("task_id") or f"Problem {index}")
    return CodeRow(
        index=index,
        title=task_id,
        statement=prompt,
        mode="script",
        entry_point=entry,
        prompt_code=prompt,
        hidden_scripts=[f"{test}\n\ncheck({entry})\n"],
        reference=prompt + solution if solution else None,
        task_name=task_id,
    )
