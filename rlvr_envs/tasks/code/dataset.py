"""Load programming problems from your own JSONL files (APPS, CodeContests, LiveCodeBench, functions).

One JSON object per line, in any of these shapes (``format="auto"`` tells them apart per row):

* **APPS**: ``question``, ``input_output`` (a dict or its JSON text: ``inputs``, ``outputs`` and,
  for call-based problems, ``fn_name``), optional ``solutions`` (list or JSON text), ``difficulty``
  (``introductory``/``interview``/``competition``), ``starter_code``. Call-based expected outputs
  are APPS-style one-element lists (``[[3], [5]]``) and are unwrapped.
* **CodeContests**: ``description``, ``public_tests`` / ``private_tests`` / ``generated_tests`` (each
  ``{"input": [...], "output": [...]}``), optional ``solutions`` (``{"language": [...],
  "solution": [...]}``, Python 3 is language 3), ``difficulty`` (int), ``time_limit``.
* **LiveCodeBench**: ``question_content``, ``public_test_cases`` / ``private_test_cases`` (a list or
  its JSON text, or LiveCodeBench's base64+zlib+pickle encoding of that text, decoded with an
  unpickler that accepts nothing but strings), ``metadata`` (``{"func_name": ...}`` for functional
  tests, whose inputs are newline-separated JSON arguments), ``difficulty`` (easy/medium/hard),
  ``starter_code``.
* **Function-call tests**: ``prompt`` (or ``question``), ``entry_point`` (or ``fn_name``), ``tests``:
  ``[{"input": [args...], "output": value}, ...]`` (``args``/``expected`` also accepted), optional
  ``public_tests``, ``solution``, ``level``.

Rows become `CodeRow`: statement, mode, entry point, public tests (feedback), hidden tests (reward),
level, and a reference solution when the file has one (the oracle submits it).
"""

from __future__ import annotations

import base64
import io
import json
import pickle
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rlvr_envs.core.datasets import read_jsonl
from rlvr_envs.errors import TaskSourceError
from rlvr_envs.verifiers.sandbox import TestCase

SourceFormat = Literal["auto", "apps", "codecontests", "livecodebench", "functions"]
_LEVELS = {"introductory": 0, "interview": 1, "competition": 2, "easy": 0, "medium": 1, "hard": 2}
_CODECONTESTS_PYTHON3 = 3


class CodeRow(BaseModel):
    """One usable problem from a user dataset."""

    model_config = ConfigDict(frozen=True)

    index: int
    title: str
    statement: str
    mode: Literal["stdio", "function"]
    entry_point: str | None = None
    starter_code: str = ""
    public_tests: list[TestCase] = Field(default_factory=list)
    hidden_tests: list[TestCase]
    level: int = 0
    reference: str | None = None
    time_limit_s: float | None = None


class _StringsOnly(pickle.Unpickler):
    """LiveCodeBench pickles a JSON *string*; refuse anything that needs a class or function."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a dataset file")


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _lcb_cases(value: Any) -> list[dict[str, Any]]:
    value = _maybe_json(value)
    if isinstance(value, str) and value:
        try:
            decoded = _StringsOnly(io.BytesIO(zlib.decompress(base64.b64decode(value)))).load()
        except (ValueError, zlib.error, pickle.UnpicklingError, EOFError) as exc:
            raise ValueError(f"test cases are neither JSON nor LiveCodeBench-encoded ({exc})") from exc
        value = json.loads(decoded) if isinstance(decoded, str) else decoded
    if not isinstance(value, list):
        raise ValueError("test cases must be a list")
    return [case for case in value if isinstance(case, dict)]


def _text(value: Any) -> str:
    """APPS sometimes stores an input or output as a list of lines."""
    if isinstance(value, list):
        return "\n".join(str(line) for line in value) + "\n"
    return str(value)


def _level(raw: Any) -> int:
    if isinstance(raw, bool):
        return 0
    if isinstance(raw, int):
        return max(0, raw)
    return _LEVELS.get(str(raw).strip().lower(), 0)


def _split(tests: list[TestCase], public_count: int) -> tuple[list[TestCase], list[TestCase]]:
    """Without separate public tests: the first ``public_count`` (leaving at least one hidden) are
    shown as feedback; the reward uses all of them (APPS practice)."""
    shown = tests[: min(public_count, max(0, len(tests) - 1))]
    return shown, tests


def _apps(record: dict[str, Any], index: int, public_count: int) -> CodeRow:
    io_spec = _maybe_json(record["input_output"])
    if not isinstance(io_spec, dict) or "inputs" not in io_spec or "outputs" not in io_spec:
        raise ValueError("'input_output' must hold 'inputs' and 'outputs'")
    solutions = _maybe_json(record.get("solutions") or [])
    reference = solutions[0] if isinstance(solutions, list) and solutions else None
    fn_name = io_spec.get("fn_name")
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
    public, hidden = _split(tests, public_count)
    return CodeRow(
        index=index,
        title=str(record.get("title") or f"Problem {record.get('problem_id', index)}"),
        statement=str(record["question"]),
        mode="function" if fn_name else "stdio",
        entry_point=str(fn_name) if fn_name else None,
        starter_code=str(record.get("starter_code") or ""),
        public_tests=public,
        hidden_tests=hidden,
        level=_level(record.get("difficulty")),
        reference=str(reference) if reference else None,
    )


def _cc_tests(block: Any) -> list[TestCase]:
    if not isinstance(block, dict):
        return []
    return [
        TestCase(input=str(i), expected=str(o))
        for i, o in zip(block.get("input", []), block.get("output", []), strict=False)
    ]


def _codecontests(record: dict[str, Any], index: int, public_count: int) -> CodeRow:
    public = _cc_tests(record.get("public_tests"))
    hidden = _cc_tests(record.get("private_tests")) + _cc_tests(record.get("generated_tests"))
    if not hidden:
        hidden = list(public)
    if not hidden:
        raise ValueError("no tests in public_tests, private_tests or generated_tests")
    solutions = record.get("solutions") or {}
    reference = None
    if isinstance(solutions, dict):
        for language, solution in zip(solutions.get("language", []), solutions.get("solution", []), strict=False):
            if language == _CODECONTESTS_PYTHON3:
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
        level=_level(record.get("difficulty")),
        reference=reference,
        time_limit_s=seconds,
    )


def _lcb(record: dict[str, Any], index: int, public_count: int) -> CodeRow:
    metadata = _maybe_json(record.get("metadata") or {})
    fn_name = metadata.get("func_name") if isinstance(metadata, dict) else None
    public_raw = _lcb_cases(record.get("public_test_cases") or [])
    private_raw = _lcb_cases(record.get("private_test_cases") or [])
    functional = any(case.get("testtype") == "functional" for case in public_raw + private_raw)

    def convert(case: dict[str, Any]) -> TestCase:
        if functional:
            args = [json.loads(line) for line in str(case["input"]).split("\n") if line.strip()]
            return TestCase(input=args, expected=json.loads(str(case["output"])))
        return TestCase(input=str(case["input"]), expected=str(case["output"]))

    public = [convert(case) for case in public_raw]
    hidden = [convert(case) for case in private_raw] or list(public)
    if not hidden:
        raise ValueError("no test cases")
    if functional and not fn_name:
        raise ValueError("functional tests need metadata.func_name")
    return CodeRow(
        index=index,
        title=str(record.get("question_title") or f"Problem {index}"),
        statement=str(record["question_content"]),
        mode="function" if functional else "stdio",
        entry_point=str(fn_name) if functional else None,
        starter_code=str(record.get("starter_code") or ""),
        public_tests=public,
        hidden_tests=hidden,
        level=_level(record.get("difficulty")),
        reference=str(record["solution"]) if record.get("solution") else None,
    )


def _functions(record: dict[str, Any], index: int, public_count: int) -> CodeRow:
    def convert(case: Any) -> TestCase:
        if not isinstance(case, dict):
            raise ValueError("each test must be an object with 'input' and 'output'")
        args = case.get("input", case.get("args"))
        expected = case.get("output", case.get("expected"))
        return TestCase(input=args if isinstance(args, list) else [args], expected=expected)

    entry = record.get("entry_point") or record.get("fn_name")
    if not entry:
        raise ValueError("function-call rows need 'entry_point' (or 'fn_name')")
    tests = [convert(case) for case in record["tests"]]
    if not tests:
        raise ValueError("'tests' is empty")
    if record.get("public_tests") is not None:
        public, hidden = [convert(case) for case in record["public_tests"]], tests
    else:
        public, hidden = _split(tests, public_count)
    return CodeRow(
        index=index,
        title=str(record.get("title") or f"Problem {index}"),
        statement=str(record.get("prompt") or record["question"]),
        mode="function",
        entry_point=str(entry),
        starter_code=str(record.get("starter_code") or ""),
        public_tests=public,
        hidden_tests=hidden,
        level=_level(record.get("level", record.get("difficulty"))),
        reference=str(record["solution"]) if record.get("solution") else None,
    )


_READERS = {"apps": _apps, "codecontests": _codecontests, "livecodebench": _lcb, "functions": _functions}


def detect_format(record: dict[str, Any]) -> str:
    """Which of the supported shapes a row has (`TaskSourceError`-friendly ``ValueError`` if none)."""
    if "input_output" in record:
        return "apps"
    if isinstance(record.get("public_tests"), dict) or "private_tests" in record:
        return "codecontests"
    if "question_content" in record:
        return "livecodebench"
    if "tests" in record:
        return "functions"
    raise ValueError(
        "unrecognised row: expected APPS ('input_output'), CodeContests ('public_tests'/'private_tests'), "
        f"LiveCodeBench ('question_content') or function-call ('tests') fields; got {sorted(record)}"
    )


@lru_cache(maxsize=16)
def load_code_jsonl(path: str, source_format: str = "auto", public_count: int = 1) -> tuple[CodeRow, ...]:
    """Read and validate a JSONL file of programming problems once per process."""
    rows: list[CodeRow] = []
    for number, record in read_jsonl(path, "code source"):
        try:
            kind = detect_format(record) if source_format == "auto" else source_format
            rows.append(_READERS[kind](record, len(rows), public_count))
        except (ValueError, KeyError, TypeError) as exc:
            detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            raise TaskSourceError(f"{path}:{number}: {detail}") from exc
    if not rows:
        raise TaskSourceError(f"code source {path!r} has no rows")
    return tuple(rows)


def sample_path() -> str:
    """The small sample dataset shipped with the package (all four formats, with solutions)."""
    return str(Path(__file__).with_name("data") / "sample.jsonl")
