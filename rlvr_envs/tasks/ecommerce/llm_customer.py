"""An optional LLM-voiced customer: a model role-plays the persona, the rule-based customer decides.

`LLMCustomer` first lets the rule-based `Customer` hear the reply (it decides what is disclosed,
judges offers, keeps patience and notices finished intents; the verifier still judges the database),
then asks an OpenAI-compatible chat server (``base_url``, as tau-bench's user simulator) to say that
answer in the persona's own words. Guards: the model's text must carry exactly the facts of the
rule-based answer (ids, amounts, numbers, colours, brands, feature values): a fact it adds (a slot
nobody asked for, an invented constraint) or drops makes the customer fall back to the rule-based
text, as does any server error or timeout. Model output is untrusted text; nothing in it is run.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rlvr_envs.tasks.ecommerce.catalog import CATEGORIES, COLORS
from rlvr_envs.tasks.ecommerce.customer import Customer
from rlvr_envs.tasks.ecommerce.db import ShopDB
from rlvr_envs.tasks.ecommerce.goals import Goal
from rlvr_envs.tasks.ecommerce.phrases import describe

_FACT = re.compile(r"\$\s?\d[\d,]*(?:\.\d+)?|\b[POR]\d{4,5}\b|\b\d+(?:\.\d+)?\b", re.IGNORECASE)
_WORDS = frozenset(
    [*COLORS, *(b.lower() for c in CATEGORIES for b in c.brands)]
    + [str(v).lower() for c in CATEGORIES for v in c.values if isinstance(v, str)]
    + ["wireless", "wired", "waterproof", "xs", "xl"]
)
_WORD = re.compile(r"[a-z][a-z\-]*")


class LLMSettings(BaseModel):
    """Where the customer's voice comes from (``customer="llm"`` in the family config)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(description="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1")
    model: str = "default"
    timeout_s: float = Field(default=20.0, gt=0, le=300)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)


def facts(text: str) -> set[str]:
    """The checkable facts of ``text``: ids, amounts, numbers, colours, brands, feature values."""
    low = text.lower()
    found = {re.sub(r"[\s,]", "", m.group(0)).rstrip(".").lower() for m in _FACT.finditer(low)}
    return found | {w for w in _WORD.findall(low) if w in _WORDS}


def persona_prompt(goal: Goal) -> str:
    """The role the model plays, generated from the hidden goal (what to keep back included)."""
    lines = [
        "You are a customer chatting with an online shop's assistant. Stay in character, write one short "
        "message, and never act as the assistant.",
        "You will be given the exact reply you must send; say the same thing in your own natural words. "
        "Keep every number, id, colour, brand and size exactly as given, and add no new facts or wishes.",
        "Your goal (for tone only; reveal nothing beyond the given reply):",
    ]
    for intent in goal.intents:
        if intent.kind == "buy":
            for want in intent.wants:
                wish = ", ".join(describe(s, v, want.attribute) for s, v in want.constraints.items())
                lines.append(f"- buy {want.category}" + (f" ({wish})" if wish else ""))
        else:
            lines.append(f"- {intent.kind} ({intent.order_id or intent.topic or ''})")
    return "\n".join(lines)


class LLMCustomer(Customer):
    """`Customer` whose answers are voiced by a model, within the guards above."""

    def __init__(self, goal: Goal, db: ShopDB, seed: int, settings: LLMSettings) -> None:
        super().__init__(goal, db, seed)
        try:
            import httpx  # noqa: F401
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError("customer='llm' needs httpx: pip install 'rlvr-envs[eval]'") from error
        self.settings = settings
        self.history: list[dict[str, str]] = []
        self.fallbacks = 0  # answers where the rule-based text was used (guard or server failure)

    def hear(self, reply: str, replies_so_far: str) -> str:
        truth = super().hear(reply, replies_so_far)
        if not truth:
            return truth
        voiced = self._voice(reply, truth)
        self.history += [{"role": "user", "content": reply}, {"role": "assistant", "content": voiced}]
        return voiced

    def _voice(self, reply: str, truth: str) -> str:
        messages: list[dict[str, Any]] = [{"role": "system", "content": persona_prompt(self.goal)}]
        messages += self.history[-8:]
        messages.append({"role": "user", "content": f"The shop assistant wrote: {reply}\nYour reply must say: {truth}"})
        try:
            import httpx

            response = httpx.post(
                self.settings.base_url.rstrip("/") + "/chat/completions",
                json={"model": self.settings.model, "messages": messages, "temperature": self.settings.temperature},
                timeout=self.settings.timeout_s,
            )
            response.raise_for_status()
            text = str(response.json()["choices"][0]["message"]["content"] or "").strip()[:2000]
        except Exception:
            self.fallbacks += 1
            return truth
        if not text or facts(text) != facts(truth):
            self.fallbacks += 1
            return truth
        return text
