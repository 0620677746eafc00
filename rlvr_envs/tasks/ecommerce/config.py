"""Configuration of EcomDialogue-v0: reward weights, scenarios, and the level -> difficulty axes.

Difficulty axes for level ``L`` (all monotone non-decreasing in ``L``; `Knobs.as_dict` reports them):

| axis | level L |
|---|---|
| catalog size (products) | ``min(150 + 120 L, 3000)`` |
| near-miss distractors per wanted product | ``min(2 + 2 L, 40)`` (match every constraint but one) |
| constraints per wanted product (besides category) | ``min(1 + L // 2, 5)`` |
| omitted slots (told only when asked) | ``min(L // 2, constraints - 1)``, at most 4 |
| policy edge-case rate | ``min(0.08 L, 0.6)`` (returns on the window's last day / one day after, shipped orders) |
| impatience | ``min(L // 3, 4)``; patience = ``6 - impatience`` unproductive replies |
| intents in a multi-intent journey | ``min(2 + L // 4, 4)`` |
| mind-change rate | ``min(0.06 L, 0.5)`` (the customer changes a colour after the first offer) |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rlvr_envs.core.family import FamilyConfig

Scenario = Literal[
    "discovery", "substitution", "budget_cart", "return", "order_status", "policy", "coupon", "multi_intent"
]
SCENARIOS: tuple[Scenario, ...] = (
    "discovery",
    "substitution",
    "budget_cart",
    "return",
    "order_status",
    "policy",
    "coupon",
    "multi_intent",
)


@dataclass(frozen=True)
class Knobs:
    """The concrete difficulty of one level."""

    catalog_size: int
    distractors: int
    constraints: int
    omitted: int
    edge_rate: float
    impatience: int
    intents: int
    mind_change: float

    @property
    def patience(self) -> int:
        return 6 - self.impatience

    def as_dict(self) -> dict[str, float]:
        return {
            "catalog_size": float(self.catalog_size),
            "distractors": float(self.distractors),
            "constraints": float(self.constraints),
            "omitted_slots": float(self.omitted),
            "policy_edge_rate": self.edge_rate,
            "impatience": float(self.impatience),
            "intents": float(self.intents),
            "mind_change_rate": self.mind_change,
        }


def level_knobs(level: int, catalog_cap: int = 3000) -> Knobs:
    """The knobs of ``level`` (see the module docstring)."""
    level = max(0, int(level))
    constraints = min(1 + level // 2, 5)
    return Knobs(
        catalog_size=min(150 + 120 * level, catalog_cap),
        distractors=min(2 + 2 * level, 40),
        constraints=constraints,
        omitted=min(level // 2, constraints - 1, 4),
        edge_rate=round(min(0.08 * level, 0.6), 6),
        impatience=min(level // 3, 4),
        intents=min(2 + level // 4, 4),
        mind_change=round(min(0.06 * level, 0.5), 6),
    )


class EcomReward(BaseModel):
    """Reward weights (the spec's ``[reward]`` table).

    ``reward = task * (task_w + efficiency_w * efficiency + hallucination_w * (1 - hallucination))``:
    efficiency and honesty are paid only in proportion to task success, so an agent that does nothing
    (or says nothing false because it says nothing) earns nothing.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: float = Field(default=0.75, ge=0.0, le=1.0)
    efficiency: float = Field(default=0.15, ge=0.0, le=1.0)
    hallucination: float = Field(default=0.10, ge=0.0, le=1.0)
    invalid_call_cost: float = Field(default=2.0, ge=0.0, le=10.0, description="an invalid tool call counts as N calls")
    slack: float = Field(default=0.5, ge=0.0, le=5.0, description="calls/turns allowed above par, as a share of par")

    @model_validator(mode="after")
    def _at_most_one(self) -> EcomReward:
        if self.task + self.efficiency + self.hallucination > 1.0 + 1e-9:
            raise ValueError("task + efficiency + hallucination weights must sum to at most 1")
        return self


DEFAULT_SYSTEM_PROMPT = (
    "You are the assistant of an online shop, chatting with one customer. Help them using the shop's tools "
    "and follow the shop's policies. Only state facts (prices, attributes, stock, order statuses, dates, "
    "policy terms) that a tool result or the customer gave you.\n\n"
    "To call tools, write one or more blocks like\n"
    '<tool_call>{"name": "search_products", "arguments": {"category": "headphones", "max_price": 120}}</tool_call>\n'
    "The results come back in the next message. A message without any <tool_call> is sent to the customer "
    "as your reply (you can also call the `reply` tool). Text outside tool calls in a message that has "
    "tool calls is not shown to the customer."
)


class EcomConfig(FamilyConfig):
    """Configuration of `EcomFamily` (spec ``[kwargs]`` or ``gym.make`` keywords)."""

    scenarios: list[Scenario] = Field(default_factory=lambda: list(SCENARIOS), min_length=1)
    catalog_cap: int = Field(default=3000, ge=100, le=20000, description="largest catalog any level builds")
    max_silent_turns: int = Field(default=6, ge=1, le=50, description="tool-only turns in a row before a nudge")
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    customer: Literal["rules", "llm"] = Field(default="rules", description="'llm': a model voices the customer")
    customer_base_url: str | None = Field(default=None, description="OpenAI-compatible server for customer='llm'")
    customer_model: str = "default"

    @model_validator(mode="after")
    def _llm_needs_url(self) -> EcomConfig:
        if self.customer == "llm" and not self.customer_base_url:
            raise ValueError("customer='llm' needs customer_base_url (an OpenAI-compatible server, e.g. .../v1)")
        return self

    reward: EcomReward = Field(default_factory=EcomReward)

    def knobs(self, level: int) -> Knobs:
        return level_knobs(level, self.catalog_cap)
