"""The long-context verifier: answer EM/F1, citation precision/recall, and the entity rubric.

Response format (stated in every prompt)::

    ...reasoning...
    <answer>Keltavo Institute</answer>
    <cite>D12, D40</cite>

- **Answer**: the last ``<answer>...</answer>`` outside ``<think>`` blocks (``\\boxed{...}`` and a
  "Final answer:" line are accepted too). Entities: normalised exact match against the aliases,
  and token F1 (best alias). Numbers, years and dates are compared as values ("12,400" = "12400",
  "14 March 1987" = "1987-03-14"); an answer that states two different values is wrong; F1 equals
  EM for them. Lists (temporal order): the items, split on ``;`` (or ``,``/newlines when there is
  no ``;``), must match the gold order item by item; F1 equals EM.
- **Citations**: the document ids (``D12``) in the last ``<cite>...</cite>``; precision and recall
  against the supporting documents. Unknown ids count as wrong citations.
- **Rubric**: the share of the question's intermediate path entities (any alias) named anywhere in
  the agent's messages, reasoning included. Paid only when the answer is exactly correct.

``reward = em*EM + f1*F1 + citations*citation_F1 + rubric*rubric`` with the weights of
`LongContextReward` (the spec's ``[reward]`` table); by default the citation term is paid only when
the answer is exactly right (EM), so citing every document beside a guessed name (which often
shares a word with the gold) earns nothing. The weights sum to at most 1, so a perfect response
earns their sum (1.0 by default).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rlvr_envs.core.parsing import extract_answer, extract_tag, strip_thinking
from rlvr_envs.core.types import Verdict
from rlvr_envs.verifiers.text import (
    best_f1,
    exact_match,
    normalize_text,
    parse_dates,
    parse_numbers,
    single_date,
    single_number,
)

MAX_SCORED_CHARS = 1_000_000  # longer texts are cut before scoring (the env already caps actions)
_TAG = re.compile(r"<[^<>]{0,64}>")
_DOC_ID = re.compile(r"\bD\s?0*(\d{1,9})\b", re.IGNORECASE)


class LongContextReward(BaseModel):
    """Reward weights (the spec's ``[reward]`` table). Each in [0, 1]; together at most 1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    em: float = Field(default=0.5, ge=0.0, le=1.0, description="normalised exact match of the answer")
    f1: float = Field(default=0.1, ge=0.0, le=1.0, description="token F1 of the answer (best alias)")
    citations: float = Field(default=0.25, ge=0.0, le=1.0, description="F1 of cited vs supporting documents")
    rubric: float = Field(default=0.15, ge=0.0, le=1.0, description="share of path entities named; only if EM")
    citations_need_answer: bool = Field(default=True, description="pay citations only when the answer is exactly right")
    no_answer: float = Field(default=0.0, ge=-1.0, le=0.0, description="reward when no answer can be found")

    @model_validator(mode="after")
    def _weights_fit(self) -> LongContextReward:
        total = self.em + self.f1 + self.citations + self.rubric
        if total <= 0.0 or total > 1.0 + 1e-9:
            raise ValueError(f"em + f1 + citations + rubric must be in (0, 1], got {total:g}; lower some weights")
        return self


def parse_citations(text: str) -> list[str]:
    """Document ids in the last ``<cite>...</cite>`` block, normalised to ``D<n>``, in order, deduplicated."""
    block = extract_tag(text, "cite")
    if block is None:
        return []
    return list(dict.fromkeys(f"D{int(match.group(1))}" for match in _DOC_ID.finditer(block)))


def _clean(answer: str) -> str:
    return _TAG.sub(" ", answer).strip()


def _split_items(answer: str) -> list[str]:
    separator = ";" if ";" in answer else None
    parts = answer.split(separator) if separator else re.split(r"[,\n]| then | -> |→", answer)
    return [part.strip() for part in parts if part.strip()]


def answer_scores(data: Mapping[str, Any], answer: str) -> tuple[float, float]:
    """(EM, F1) of ``answer`` for a task's gold data (see the module docstring for the rules)."""
    kind = data.get("answer_kind", "entity")
    gold = str(data.get("answer", ""))
    if kind == "entity":
        aliases = [str(a) for a in data.get("aliases", [gold])]
        return float(exact_match(answer, aliases)), best_f1(answer, aliases)
    if kind == "number":
        value = single_number(answer)
        ok = value is not None and value == Decimal(gold)
    elif kind == "year":
        dates = parse_dates(answer)
        years = {d.year for d in dates} if dates else {int(v) for v in parse_numbers(answer) if v == int(v)}
        ok = len(years) == 1 and years.pop() == int(gold)
    elif kind == "date":
        gold_dates = parse_dates(gold)
        ok = bool(gold_dates) and single_date(answer) == gold_dates[0]
    else:  # list
        items: Sequence[Sequence[str]] = data.get("items", [])
        given = _split_items(answer)
        ok = len(given) == len(items) and all(exact_match(g, a) for g, a in zip(given, items, strict=True))
    return float(ok), float(ok)


def named_share(rubric: Sequence[Mapping[str, Any]], text: str) -> float:
    """Share of rubric entities with any alias named (as whole words) in ``text``; 1.0 for none."""
    if not rubric:
        return 1.0
    haystack = f" {normalize_text(text)} "
    found = 0
    for entity in rubric:
        aliases = [normalize_text(str(a)) for a in entity.get("aliases", [])]
        found += any(alias and f" {alias} " in haystack for alias in aliases)
    return found / len(rubric)


def score(data: Mapping[str, Any], response: str, reasoning: str, weights: LongContextReward) -> Verdict:
    """Score the final ``response`` (answer and citations) and the agent's whole ``reasoning`` text."""
    response = response[:MAX_SCORED_CHARS] if isinstance(response, str) else ""
    reasoning = reasoning[:MAX_SCORED_CHARS] if isinstance(reasoning, str) else ""
    body = strip_thinking(response)
    extraction = extract_answer(body, ("answer_tag", "boxed", "final_answer"), ignore_thinking=False)
    cited = parse_citations(body)
    supporting = [str(d) for d in data.get("supporting", [])]
    hits = len(set(cited) & set(supporting))
    precision = hits / len(cited) if cited else 0.0
    recall = hits / len(supporting) if supporting else 0.0
    citation_f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    cite_parts = {"citation_precision": precision, "citation_recall": recall, "citation_f1": citation_f1}
    if extraction.answer is None or not _clean(extraction.answer):
        return Verdict(
            reward=weights.no_answer,
            correct=False,
            components={"em": 0.0, "f1": 0.0, **cite_parts, "rubric": 0.0, "format": 0.0},
            reason="No answer found: put it in <answer>...</answer> and the document ids in <cite>...</cite>.",
        )
    em, f1 = answer_scores(data, _clean(extraction.answer))
    rubric = named_share(data.get("rubric", []), reasoning) if em else 0.0
    citation_credit = citation_f1 if (em > 0 or not weights.citations_need_answer) else 0.0
    reward = weights.em * em + weights.f1 * f1 + weights.citations * citation_credit + weights.rubric * rubric
    verdict = "Correct" if em else ("Partly correct" if f1 > 0 else "Incorrect")
    reason = f"{verdict} answer; cited {hits} of {len(supporting)} supporting documents ({len(cited)} cited)."
    return Verdict(
        reward=min(1.0, max(-1.0, reward)),
        correct=bool(em),
        components={"em": em, "f1": f1, **cite_parts, "rubric": rubric, "format": 1.0},
        reason=reason,
    )
