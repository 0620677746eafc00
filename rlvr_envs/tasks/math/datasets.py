"""Readers of published math benchmarks for `rlvr/Math-v0` (``source=...``, ``.jsonl`` / ``.jsonl.gz``).

* **gsm8k**: ``question``, ``answer`` (a worked solution ending ``#### 72``): the number after ``####``.
* **math** (MATH, MATH-500): ``problem``, ``solution`` (the final answer in ``\\boxed{}``), ``level``
  (``"Level 1"`` .. ``"Level 5"`` -> our levels 0..4), ``type``; MATH-500's own ``answer`` wins.
* **aime**: ``problem``/``Problem``, an integer ``answer``/``Answer`` (0..999), ``year``/``ID``/``url``:
  level 5 (above MATH's hardest).
* **numina** (NuminaMath-CoT / -TIR): ``source``, ``problem``, ``solution`` with ``\\boxed{}``; the
  ``source`` sets the level (gsm8k 0, math 2, amc_aime/olympiads 4, others 3).
* **plain**: ``problem`` and ``answer`` (our own format, and any file with those two fields).

The final answer is taken with the shared `rlvr_envs.core.parsing.extract_boxed` (the last
``\\boxed{}``), and compared at run time by the Math family's verifier, as for generated tasks.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial
from typing import Any

from rlvr_envs.core.datasets import RowError, field, load_rows
from rlvr_envs.core.parsing import extract_boxed
from rlvr_envs.errors import TaskSourceError
from rlvr_envs.tasks.math.dataset import DatasetRow, clean_answer

AIME_LEVEL = 5
_NUMINA_LEVELS = {"gsm8k": 0, "synthetic_math": 2, "math": 2, "amc_aime": 4, "olympiads": 4, "aops_forum": 4}
_NUMINA_DEFAULT_LEVEL = 3
_MATH_LEVEL = re.compile(r"level\s*(\d+)", re.IGNORECASE)


def _integer_text(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return str(int(value.strip()))
    return None


def detect_gsm8k(record: dict[str, Any]) -> bool:
    return "question" in record and "####" in str(record.get("answer", ""))


def detect_numina(record: dict[str, Any]) -> bool:
    return "source" in record and "problem" in record and "solution" in record


def detect_math(record: dict[str, Any]) -> bool:
    return "problem" in record and "solution" in record and ("level" in record or "type" in record)


def detect_aime(record: dict[str, Any]) -> bool:
    answer = record.get("answer", record.get("Answer"))
    has_problem = "problem" in record or "Problem" in record
    return has_problem and _integer_text(answer) is not None and bool({"year", "ID", "id", "url"} & set(record))


def detect_plain(record: dict[str, Any], problem_field: str = "problem", answer_field: str = "answer") -> bool:
    return problem_field in record and answer_field in record


def _boxed(solution: str, name: str) -> str:
    answer = extract_boxed(solution)
    if answer is None:
        raise RowError(name, "a solution whose final answer is in \\boxed{...}", solution)
    return answer


def read_gsm8k(record: dict[str, Any], index: int) -> DatasetRow:
    question = field(record, "question", expected="the problem text")
    answer = field(record, "answer", expected="a solution ending '#### <number>'")
    final = answer.rsplit("####", 1)[1].strip().replace(",", "")
    if not final:
        raise RowError("answer", "a number after '####'", answer)
    return DatasetRow(index=index, problem=question, answer=final, level=0)


def read_math(record: dict[str, Any], index: int) -> DatasetRow:
    problem = field(record, "problem", expected="the problem text")
    solution = field(record, "solution", expected="a worked solution with \\boxed{answer}")
    answer = record.get("answer")
    final = answer.strip() if isinstance(answer, str) and answer.strip() else _boxed(solution, "solution")
    raw_level = record.get("level")
    level = None
    if raw_level is not None:
        found = _MATH_LEVEL.search(str(raw_level)) if not isinstance(raw_level, int) else None
        number = raw_level if isinstance(raw_level, int) else int(found.group(1)) if found else None
        if number is None:
            raise RowError("level", "'Level 1' .. 'Level 5' (or an integer)", raw_level)
        level = max(0, int(number) - 1)
    return DatasetRow(index=index, problem=problem, answer=final, level=level, subject=str(record.get("type", "")))


def read_aime(record: dict[str, Any], index: int) -> DatasetRow:
    problem = field(record, "problem", "Problem", expected="the problem text")
    raw = record.get("answer", record.get("Answer"))
    answer = _integer_text(raw)
    if answer is None or not 0 <= int(answer) <= 999:
        raise RowError("answer", "an integer from 0 to 999 (AIME answers)", raw)
    return DatasetRow(index=index, problem=problem, answer=answer, level=AIME_LEVEL)


def read_numina(record: dict[str, Any], index: int) -> DatasetRow:
    problem = field(record, "problem", expected="the problem text")
    solution = field(record, "solution", expected="a worked solution with \\boxed{answer}")
    level = _NUMINA_LEVELS.get(str(record.get("source", "")).strip().lower(), _NUMINA_DEFAULT_LEVEL)
    return DatasetRow(index=index, problem=problem, answer=_boxed(solution, "solution"), level=level)


def read_plain(
    record: dict[str, Any], index: int, problem_field: str, answer_field: str, level_field: str, clean: Any
) -> DatasetRow:
    problem = field(record, problem_field, kind=(str, int, float), expected="the problem text")
    answer = field(record, answer_field, kind=(str, int, float), expected="the final answer")
    level = record.get(level_field)
    return DatasetRow(
        index=index,
        problem=str(problem),
        answer=clean(str(answer)),
        level=level if isinstance(level, int) and not isinstance(level, bool) else None,
    )


def formats(
    problem_field: str, answer_field: str, level_field: str, clean: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(detectors, readers) in detection order; ``plain`` uses the configured field names."""
    detectors = {
        "gsm8k": detect_gsm8k,
        "numina": detect_numina,
        "math": detect_math,
        "aime": detect_aime,
        "plain": partial(detect_plain, problem_field=problem_field, answer_field=answer_field),
    }
    readers = {
        "gsm8k": read_gsm8k,
        "numina": read_numina,
        "math": read_math,
        "aime": read_aime,
        "plain": partial(
            read_plain, problem_field=problem_field, answer_field=answer_field, level_field=level_field, clean=clean
        ),
    }
    return detectors, readers


@lru_cache(maxsize=16)
def load_jsonl(
    path: str,
    problem_field: str = "problem",
    answer_field: str = "answer",
    level_field: str = "level",
    source_format: str = "auto",
) -> tuple[DatasetRow, ...]:
    """Read and validate a dataset once per process: GSM8K, MATH, AIME, NuminaMath or plain rows
    (`rlvr_envs.tasks.math.datasets`), auto-detected unless ``source_format`` names one."""
    detectors, readers = formats(problem_field, answer_field, level_field, clean_answer)
    try:
        rows = load_rows(path, "math source", detectors=detectors, readers=readers, source_format=source_format)
    except TaskSourceError as exc:
        if "unrecognised row" in str(exc):
            raise TaskSourceError(
                f"{exc}; for plain rows the missing field(s) are {problem_field!r} and {answer_field!r}: "
                "set source_problem_field / source_answer_field to your column names"
            ) from exc
        raise
    return tuple(rows)
