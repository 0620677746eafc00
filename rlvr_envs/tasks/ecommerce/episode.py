"""One e-commerce episode: parse the agent's turn, run tools, let the customer answer, keep score.

Turn syntax (also in the system prompt):

- ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>`` blocks run in order (at most
  `MAX_CALLS_PER_TURN`); their results come back in one message. A ``reply`` call among them is
  sent to the customer after the other calls; other text in such a turn is not shown to the customer.
- A turn without any ``<tool_call>`` block is a reply to the customer (``<think>`` blocks removed).

The `Episode` is plain picklable data; the verifier replays a transcript through a fresh one, so
scoring a transcript offline and playing it live give the same verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rlvr_envs.core.parsing import parse_tool_calls, strip_thinking
from rlvr_envs.core.types import ToolCall
from rlvr_envs.tasks.ecommerce.customer import Customer
from rlvr_envs.tasks.ecommerce.db import ShopDB
from rlvr_envs.tasks.ecommerce.facts import Evidence, unsupported
from rlvr_envs.tasks.ecommerce.goals import Goal
from rlvr_envs.tasks.ecommerce.llm_customer import LLMCustomer, LLMSettings
from rlvr_envs.tasks.ecommerce.models import World
from rlvr_envs.tasks.ecommerce.tools import ToolResult, run_tool

MAX_CALLS_PER_TURN = 8
MAX_REPLY_CHARS = 4000


@dataclass
class TurnOutcome:
    """What the agent reads next, and whether the conversation is over."""

    message: str
    role: str
    ended: bool


@dataclass
class Episode:
    """Database, customer and bookkeeping of one episode."""

    world: World
    goal: Goal
    seed: int
    silent_limit: int = 6
    llm: LLMSettings | None = None  # a model voices the customer (the rules still decide); None: rules only
    db: ShopDB = field(init=False)
    customer: Customer = field(init=False)
    evidence: Evidence = field(default_factory=Evidence)
    replies: list[str] = field(default_factory=list)
    turns: int = 0
    tool_calls: int = 0
    invalid_calls: int = 0
    hallucinations: list[str] = field(default_factory=list)
    ended: bool = False

    def __post_init__(self) -> None:
        self.db = ShopDB(self.world)
        self.customer = (
            Customer(self.goal, self.db, self.seed)
            if self.llm is None
            else LLMCustomer(self.goal, self.db, self.seed, self.llm)
        )
        self.first_message = self.customer.opening()
        self.evidence.add_customer(self.first_message)

    def step(self, action: str) -> TurnOutcome:
        """Play one agent turn (any string; never raises on model text)."""
        self.turns += 1
        text = action if isinstance(action, str) else ""
        parsed = parse_tool_calls(text)
        if not parsed.calls and not parsed.errors:
            return self._reply(strip_thinking(text).strip())
        results: list[str] = []
        reply: str | None = None
        for call in parsed.calls[:MAX_CALLS_PER_TURN]:
            result = self.run(call)
            results.append(f"[{result.name or '?'}] {result.text}")
            if result.reply is not None:
                reply = result.reply if reply is None else f"{reply}\n{result.reply}"
        if len(parsed.calls) > MAX_CALLS_PER_TURN:
            self.invalid_calls += len(parsed.calls) - MAX_CALLS_PER_TURN
            results.append(f"error: at most {MAX_CALLS_PER_TURN} tool calls per turn; the rest were not run")
        for error in parsed.errors:
            self.invalid_calls += 1
            results.append(f"error: {error}")
        body = "\n".join(results)
        if reply is not None:
            said = self._reply(reply.strip())
            return TurnOutcome(f"{body}\nCustomer: {said.message}", "user", said.ended)
        nudge = self.customer.silent_turn(self.silent_limit)
        if nudge:
            self.evidence.add_customer(nudge)
            self.ended = self.customer.state.left
            return TurnOutcome(f"{body}\nCustomer: {nudge}", "user", self.ended)
        return TurnOutcome(body, "tool", False)

    def run(self, call: ToolCall) -> ToolResult:
        """Run one tool call and record its result as evidence (errors count as invalid calls)."""
        result = run_tool(self.db, call)
        self.tool_calls += 1
        if not result.ok:
            self.invalid_calls += 1
        elif result.name != "reply":
            self.evidence.add_tool(result.name, result.text)
        return result

    def _reply(self, message: str) -> TurnOutcome:
        message = message[:MAX_REPLY_CHARS]
        self.hallucinations.extend(unsupported(message, self.evidence, self.db))
        self.evidence.add_told(message)
        self.replies.append(message)
        answer = self.customer.hear(message, "\n".join(self.replies))
        self.evidence.add_customer(answer)
        self.ended = self.customer.state.satisfied or self.customer.state.left
        return TurnOutcome(answer, "user", self.ended)
