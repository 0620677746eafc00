"""Load a user's own math problems (JSONL on disk: GSM8K/MATH exports and the like).

Each line is a JSON object with a problem and an answer field (names configurable). Answers in
GSM8K style (``"... #### 72"``) and MATH style (a solution containing ``\\boxed{...}``) are reduced to
the final answer. Rows may carry an integer ``level`` that the curriculum can select on.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from rlvr_envs.core.datasets import read_jsonl
from rlvr_envs.core.parsing import extract_boxed_all
from rlvr_envs.errors import TaskSourceError

_THOUSANDS_RE = re.compile(r"^-?[0-9]{1,3}(?:,[0-9]{3})+$|^-?[0-9]+$")


class DatasetRow(BaseModel):
    """One usable problem from a user dataset."""

    model_config = ConfigDict(frozen=True)

    index: int
    problem: str
    answer: str
    level: int | None = None


def clean_answer(raw: str) -> str:
    """Reduce a dataset answer field to the final answer (GSM8K ``####``, MATH ``\\boxed{}``)."""
    text = raw.strip()
    if "####" in text:
        text = text.rsplit("####", 1)[1].strip()
    boxed = extract_boxed_all(text)  # ``\\boxed{1}\\boxed{2}`` is the list 1, 2
    if boxed is not None:
        text = boxed
    # Drop thousands separators only (``1,000``); ``1,22`` is a decimal comma or a list, left to the verifier.
    return text.replace(",", "") if _THOUSANDS_RE.match(text) else text


@lru_cache(maxsize=16)
def load_jsonl(
    path: str, problem_field: str = "problem", answer_field: str = "answer", level_field: str = "level"
) -> tuple[DatasetRow, ...]:
    """Read and validate a JSONL dataset once per process (cached by path and field names)."""
    rows: list[DatasetRow] = []
    for number, record in read_jsonl(path, "math source"):
        missing = [name for name in (problem_field, answer_field) if name not in record]
        if missing:
            raise TaskSourceError(
                f"{path}:{number}: missing field(s) {missing}; present: {sorted(record)}. "
                "Set source_problem_field / source_answer_field to your column names."
            )
        level = record.get(level_field)
        rows.append(
            DatasetRow(
                index=len(rows),
                problem=str(record[problem_field]),
                answer=clean_answer(str(record[answer_field])),
                level=level if isinstance(level, int) and not isinstance(level, bool) else None,
            )
        )
    if not rows:
        raise TaskSourceError(f"math source {path!r} has no rows")
    return tuple(rows)
