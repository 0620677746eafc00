"""Pydantic models that cross module boundaries: tasks, messages, feedback and verdicts.

They are the vocabulary shared by families, the generic env, verifiers and trainers. Hot-path
code keeps plain dicts (``Message.model_dump()`` shape) inside an episode and validates at the
edges: when a task is replayed from user input, when a verdict leaves the env.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Role = Literal["system", "user", "assistant", "tool"]


class Message(BaseModel):
    """One chat message, in the shape `tokenizer.apply_chat_template` accepts."""

    model_config = ConfigDict(extra="allow")

    role: Role
    content: str | list[dict[str, Any]]
    name: str | None = None
    tool_call_id: str | None = None


class ToolCall(BaseModel):
    """A tool call parsed out of a model's text (``<tool_call>{"name":..,"arguments":..}</tool_call>``)."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    id: str | None = None


class Task(BaseModel):
    """A fully specified problem instance: everything the protocol and verifier need.

    ``task_id`` is enough to regenerate a generated task (it encodes family, level and the
    task seed); ``data`` holds the family's payload (gold answer, hidden tests, world state...).
    Tasks are JSON round-trippable so they can be exported and scored offline.
    """

    model_config = ConfigDict(frozen=True)

    task_id: str
    family: str
    level: int = Field(ge=0)
    prompt: str
    data: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


class Feedback(BaseModel):
    """The env's answer to a non-final turn: what the agent reads next, and optional shaping reward.

    ``message`` is text, or content parts (``{"type": "text", ...}``, ``{"type": "image"}``) for a
    multimodal family whose tool returns an image.
    """

    message: str | list[dict[str, Any]]
    role: Literal["user", "tool"] = "user"
    reward: float = Field(default=0.0, ge=-1.0, le=1.0)
    tool_call_id: str | None = None
    info: dict[str, Any] = Field(default_factory=dict)


class Verdict(BaseModel):
    """The verifier's final judgement of an episode.

    ``reward`` is what the trainer optimises (in [-1, 1]); ``components`` holds the named parts
    (``correct``, ``format``, ``attempts``...) so trainers can log or re-weight them.
    ``reason`` is a short human-readable explanation, also shown to the agent as the last observation.
    ``details`` holds structured, family-specific records for logging (e.g. every test's outcome and
    runtime for Code); it never changes the reward.
    """

    reward: float = Field(ge=-1.0, le=1.0)
    correct: bool
    components: dict[str, float] = Field(default_factory=dict)
    reason: str = ""
    timed_out: bool = False
    details: dict[str, Any] = Field(default_factory=dict)

    @field_validator("components")
    @classmethod
    def _finite_components(cls, value: dict[str, float]) -> dict[str, float]:
        for key, number in value.items():
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError(f"verdict component {key!r} is not finite: {number}")
        return value


class EpisodeRecord(BaseModel):
    """A finished episode as a policy evaluation or trainer stores it (one JSONL line)."""

    env_id: str
    task_id: str
    level: int
    seed: int | None = None
    messages: list[dict[str, Any]]
    reward: float
    verdict: Verdict | None = None
    turns: int
    terminated: bool
    truncated: bool
    elapsed_s: float = 0.0
