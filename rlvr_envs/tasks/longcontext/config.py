"""Configuration of the long-context families and the level -> knobs mapping.

Difficulty knobs per level ``L`` (each one can be pinned with the config field of the same name):

| knob | level L | pinned by |
|---|---|---|
| hops | ``min(1 + L // 2, max_hops)`` | ``hops`` |
| context tokens | ``min(1024 * 2**L, max_context_tokens)`` (1k ... 128k at L = 7) | ``context_tokens`` |
| question types | the first ``min(1 + L, 5)`` of the types, in the order below | ``question_types`` |
| high-confusability share | ``min(0.15 * L, 0.9)`` of distractor tokens | ``high_confusability_share`` |
| gold middleness | ``min(0.25 * L, 1)``: how far from the context's edges gold may sit | ``gold_depth`` |

Question types, in order: bridge, comparison, intersection, temporal, counting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import AliasChoices, Field, field_validator

from rlvr_envs.core.datasets import existing_file
from rlvr_envs.core.family import FamilyConfig
from rlvr_envs.tasks.longcontext.questions import QUESTION_TYPES, QuestionType
from rlvr_envs.tasks.longcontext.scoring import LongContextReward

DEFAULT_SYSTEM_PROMPT = (
    "You answer questions about collections of documents. Reason step by step and name every person, "
    "place, organisation, event or work you pass through on the way to the answer. Then give the final "
    "answer inside <answer></answer> and the ids of the documents that support it inside <cite></cite>."
)


@dataclass(frozen=True)
class Knobs:
    """The concrete difficulty of one level."""

    hops: int
    context_tokens: int
    question_types: tuple[QuestionType, ...]
    high_share: float
    gold_middleness: float
    gold_depth: float | None

    def as_dict(self) -> dict[str, float]:
        return {
            "hops": float(self.hops),
            "context_tokens": float(self.context_tokens),
            "question_types": float(len(self.question_types)),
            "high_confusability_share": self.high_share,
            "gold_depth_middleness": self.gold_middleness,
        }


class LongContextConfig(FamilyConfig):
    """Configuration of `LongContextQAFamily` (spec ``[kwargs]`` or ``gym.make`` keywords)."""

    context_tokens: int | None = Field(default=None, ge=256, le=1_048_576, description="pin the prompt length")
    hops: int | None = Field(default=None, ge=1, le=6, description="pin the number of hops")
    question_types: list[QuestionType] | None = Field(default=None, description="pin the question types")
    high_confusability_share: float | None = Field(default=None, ge=0.0, le=1.0)
    gold_depth: float | None = Field(default=None, ge=0.0, le=1.0, description="pin every gold document's depth")
    max_hops: int = Field(default=4, ge=1, le=6, description="cap of the level-driven hops")
    max_context_tokens: int = Field(default=131_072, ge=1024, le=1_048_576, description="cap of the level length")
    chars_per_token: float = Field(default=4.0, gt=0.0, le=16.0, description="the approximate counter's ratio")
    tokenizer: Callable[[str], Any] | str | None = Field(
        default=None, description="exact token counts: a callable text -> int | ids, or 'module:function'"
    )
    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT
    source: str | None = Field(default=None, description="HotpotQA / 2Wiki / MuSiQue file (.jsonl or .jsonl.gz)")
    source_format: Literal["auto", "mixed", "hotpotqa", "2wiki", "musique"] = Field(
        default="auto", validation_alias=AliasChoices("source_format", "format"), description="alias: format"
    )
    reward: LongContextReward = Field(default_factory=LongContextReward)

    @field_validator("source")
    @classmethod
    def _source_exists(cls, value: str | None) -> str | None:
        return existing_file(value)

    @field_validator("question_types")
    @classmethod
    def _some_types(cls, value: list[QuestionType] | None) -> list[QuestionType] | None:
        if value is not None and not value:
            raise ValueError(f"question_types must name at least one of {list(QUESTION_TYPES)} (or be omitted)")
        return value

    def knobs(self, level: int) -> Knobs:
        """The knobs of ``level`` (pinned fields win over the level mapping)."""
        level = max(0, int(level))
        hops = self.hops if self.hops is not None else min(1 + level // 2, self.max_hops)
        context = (
            self.context_tokens
            if self.context_tokens is not None
            else min(1024 * 2 ** min(level, 20), self.max_context_tokens)
        )
        if self.question_types is not None:
            types = tuple(dict.fromkeys(self.question_types))
        else:
            types = QUESTION_TYPES[: min(1 + level, len(QUESTION_TYPES))]
        share = self.high_confusability_share
        if share is None:
            share = round(min(0.15 * level, 0.9), 6)
        # a pinned depth has the middleness of that depth; otherwise it grows with the level
        middleness = min(0.25 * level, 1.0) if self.gold_depth is None else 1.0 - abs(2.0 * self.gold_depth - 1.0)
        return Knobs(hops, context, types, share, middleness, self.gold_depth)


class LongContextSearchConfig(LongContextConfig):
    """`LongContextConfig` plus the search tools' settings (`LongContextSearchFamily`)."""

    tool_budget: int | None = Field(
        default=None, ge=1, le=1000, description="tool calls per episode; None = 4 + 2 per supporting document"
    )
    search_results: int = Field(default=5, ge=1, le=20, description="results per search unless the call sets k")
    snippet_words: int = Field(default=30, ge=5, le=200, description="words of each search result's snippet")
    max_idle_turns: int = Field(
        default=3, ge=1, le=100, description="turns without a tool call or answer before the episode ends"
    )
