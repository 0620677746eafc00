"""Load a user's own math problems (JSONL on disk: GSM8K/MATH exports and the like).

Each line is a JSON object with a problem and an answer field (names configurable). Answers in
GSM8K style (``"... #### 72"``) and MATH style (a solution containing ``\\boxed{...}``) are reduced to
the final answer. Rows may carry an integer ``level`` that the curriculum can select on.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from rlvr_envs.core.datasets import load_rows
from rlvr_envs.core.parsing import extract_boxed
from rlvr_envs.errors import TaskSourceError


class DatasetRow(BaseModel):
    """One usable problem from a user dataset."""

    model_config = ConfigDict(frozen=True)

    index: int
    problem: str
    answer: str
    level: int | None = None
    subject: str = ""


def clean_answer(raw: str) -> str:
    """Reduce a dataset answer field to the final answer (GSM8K ``####``, MATH ``\\boxed{}``)."""
    text = raw.strip()
    if "####" in text:
        text = text.rsplit("####", 1)[1].strip()
    boxed = extract_boxed(text)
    if boxed is not None:
        text = boxed
    return text.replace(",", "") if text.replace(",", "").lstrip("-").isdigit() else text


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
    from rlvr_envs.tasks.math.datasets import formats

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
