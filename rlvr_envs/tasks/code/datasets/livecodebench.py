"""LiveCodeBench rows: ``question_content``, ``public_test_cases`` / ``private_test_cases`` (a list
or its JSON text, or LiveCodeBench's base64+zlib+pickle encoding of that text, decoded with an
unpickler that accepts nothing but strings), ``metadata`` (``{"func_name": ...}`` for functional
tests, whose inputs are newline-separated JSON arguments), ``difficulty``, ``starter_code``.

Its harness turns a returned tuple into a list, as here."""

from __future__ import annotations

import base64
import io
import json
import pickle
import zlib
from typing import Any

from rlvr_envs.core.datasets import RowError
from rlvr_envs.tasks.code.datasets.rows import CodeRow, level_of, maybe_json
from rlvr_envs.verifiers.sandbox import TestCase


class _StringsOnly(pickle.Unpickler):
    """LiveCodeBench pickles a JSON *string*; refuse anything that needs a class or function."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a dataset file")


def detect(record: dict[str, Any]) -> bool:
    return "question_content" in record


def _cases(name: str, value: Any) -> list[dict[str, Any]]:
    value = maybe_json(value)
    if isinstance(value, str) and value:
        try:
            decoded = _StringsOnly(io.BytesIO(zlib.decompress(base64.b64decode(value)))).load()
        except (ValueError, zlib.error, pickle.UnpicklingError, EOFError) as exc:
            raise ValueError(f"field {name!r}: test cases are neither JSON nor LiveCodeBench-encoded ({exc})") from exc
        value = json.loads(decoded) if isinstance(decoded, str) else decoded
    if not isinstance(value, list):
        raise RowError(name, "a list of test cases", value)
    return [case for case in value if isinstance(case, dict)]


def read(record: dict[str, Any], index: int, public_count: int) -> CodeRow:
    metadata = maybe_json(record.get("metadata") or {})
    fn_name = metadata.get("func_name") if isinstance(metadata, dict) else None
    public_raw = _cases("public_test_cases", record.get("public_test_cases") or [])
    private_raw = _cases("private_test_cases", record.get("private_test_cases") or [])
    functional = any(case.get("testtype") == "functional" for case in public_raw + private_raw)

    def convert(case: dict[str, Any]) -> TestCase:
        if functional:
            args = [json.loads(line) for line in str(case["input"]).split("\n") if line.strip()]
            return TestCase(input=args, expected=json.loads(str(case["output"])))
        return TestCase(input=str(case["input"]), expected=str(case["output"]))

    public = [convert(case) for case in public_raw]
    hidden = [convert(case) for case in private_raw] or list(public)
    if not hidden:
        raise RowError("public_test_cases/private_test_cases", "at least one test case")
    if functional and not fn_name:
        raise RowError("metadata.func_name", "the function's name (the tests are functional)", metadata)
    return CodeRow(
        index=index,
        title=str(record.get("question_title") or f"Problem {index}"),
        statement=str(record["question_content"]),
        mode="function" if functional else "stdio",
        entry_point=str(fn_name) if functional else None,
        starter_code=str(record.get("starter_code") or ""),
        public_tests=public,
        hidden_tests=hidden,
        level=level_of(record.get("difficulty")),
        reference=str(record["solution"]) if record.get("solution") else None,
        tuple_as_list=True,
        task_name=str(record.get("question_id", "")),
    )
