"""The row model and answer cleaning for a user's own math problems (GSM8K/MATH exports and the like).

Reading files lives in `rlvr_envs.tasks.math.datasets` (one reader per format), which builds on this.

Each line is a JSON object with a problem and an answer field (names configurable). Answers in
GSM8K style (``"... #### 72"``) and MATH style (a solution containing ``\\boxed{...}``) are reduced to
the final answer. Rows may carry an integer ``level`` that the curriculum can select on.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from rlvr_envs.core.parsing import extract_boxed_all

_THOUSANDS_RE = re.compile(r"^-?[0-9]{1,3}(?:,[0-9]{3})+$|^-?[0-9]+$")


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
    boxed = extract_boxed_all(text)  # ``\\boxed{1}\\boxed{2}`` is the list 1, 2
    if boxed is not None:
        text = boxed
    # Drop thousands separators only (``1,000``); ``1,22`` is a decimal comma or a list, left to the verifier.
    return text.replace(",", "") if _THOUSANDS_RE.match(text) else text
