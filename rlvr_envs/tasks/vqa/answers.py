"""Reading the value an answer states: a count, yes/no, an attribute value or an image region.

Like `rlvr_envs.verifiers.text.single_number`, an answer counts only if it states exactly one
distinct value of the asked kind: "It is red." reads as ``red``, "red or blue" as nothing, so
listing every value never pays. Synonyms are folded first ("grey" -> "gray", "upper left" ->
"top left", "centre" -> "center").
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from rlvr_envs.tasks.vqa.vocab import REGIONS, SYNONYMS, VALUES
from rlvr_envs.verifiers.text import normalize_text, single_number

_SYNONYM_RE = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in sorted(SYNONYMS, key=len, reverse=True)) + r")\b")
KINDS: dict[str, tuple[str, ...]] = {**VALUES, "region": REGIONS, "yesno": ("yes", "no")}


@lru_cache(maxsize=16)
def _pattern(kind: str) -> re.Pattern[str]:
    values = sorted(KINDS[kind], key=len, reverse=True)  # "top left" before "top"
    return re.compile(r"\b(?:" + "|".join(re.escape(v) for v in values) + r")\b")


def canonical(text: str) -> str:
    """Normalised text with synonyms folded ("Upper-Left" -> "top left", "grey" -> "gray")."""
    return _SYNONYM_RE.sub(lambda m: SYNONYMS[m.group(0)], normalize_text(text))


def stated_value(text: str, kind: str) -> str | None:
    """The one value of ``kind`` that ``text`` states, or ``None`` (none, or several distinct)."""
    if kind not in KINDS:
        return None
    found = set(_pattern(kind).findall(canonical(text)))
    return found.pop() if len(found) == 1 else None


def answer_correct(predicted: str | None, gold: str, answer_type: str) -> bool:
    """Whether ``predicted`` states exactly the gold value: counts by value ("3", "three"), the
    rest as one stated vocabulary value."""
    if predicted is None:
        return False
    if answer_type == "count":
        value = single_number(predicted)
        return value is not None and value == Decimal(gold)
    return stated_value(predicted, answer_type) == gold
