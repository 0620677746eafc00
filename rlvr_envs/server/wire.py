"""The wire format: OpenEnv's request/response shapes, with our action, observation and state models.

OpenEnv (``openenv-core``, ``openenv/core/env_server/types.py``) fixes the envelope: ``POST /reset``
takes ``{seed?, episode_id?, ...extra}``, ``POST /step`` takes ``{action: {...}, timeout_s?,
request_id?}``, both answer ``{observation: {...}, reward, done}``; WebSocket messages are
``{"type": "reset"|"step"|"state"|"close", "data": {...}}`` and replies ``{"type":
"observation"|"state"|"error", "data": {...}}``. What goes *inside* ``action`` and ``observation``
is ours and is published by ``GET /schema``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorCode(StrEnum):
    """OpenEnv's ``WSErrorCode`` values (the same strings), plus ``UNAUTHORIZED`` and ``NOT_FOUND``."""

    INVALID_JSON = "INVALID_JSON"
    UNKNOWN_TYPE = "UNKNOWN_TYPE"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    EXECUTION_ERROR = "EXECUTION_ERROR"
    CAPACITY_REACHED = "CAPACITY_REACHED"
    FACTORY_ERROR = "FACTORY_ERROR"
    SESSION_ERROR = "SESSION_ERROR"
    UNAUTHORIZED = "UNAUTHORIZED"
    NOT_FOUND = "NOT_FOUND"


class ServerError(Exception):
    """An error a client caused or must know about; its message is safe to send (no internals)."""

    def __init__(self, code: ErrorCode, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra

    def payload(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code.value, **self.extra}


class ResetOptions(BaseModel):
    """Our ``reset(options=...)``: force a level, replay a task (its dict) or a task id."""

    model_config = ConfigDict(extra="forbid")

    level: int | None = Field(default=None, ge=0, le=1_000_000)
    task: dict[str, Any] | None = None
    task_id: str | None = Field(default=None, max_length=1024)


class ResetRequest(BaseModel):
    """OpenEnv's ``ResetRequest`` plus our options; ``level``/``task``/``task_id`` may also sit at the
    top level, which is what OpenEnv's clients send for ``env.reset(seed=1, level=3)``."""

    model_config = ConfigDict(extra="forbid")

    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    episode_id: str | None = Field(default=None, max_length=255)
    options: ResetOptions = Field(default_factory=ResetOptions)
    level: int | None = Field(default=None, ge=0, le=1_000_000)
    task: dict[str, Any] | None = None
    task_id: str | None = Field(default=None, max_length=1024)
    session_id: str | None = Field(default=None, max_length=64, description="HTTP only: reuse this session")

    def env_options(self) -> dict[str, Any]:
        """The ``options`` dict for `RLVREnv.reset` (top-level fields win over ``options``)."""
        merged = self.options.model_dump(exclude_none=True)
        for key in ("level", "task", "task_id"):
            value = getattr(self, key)
            if value is not None:
                merged[key] = value
        return merged


class Action(BaseModel):
    """One agent turn: the model's text (tool calls inside it), as `RLVREnv.step` takes it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="the model's output for this turn")
    metadata: dict[str, Any] = Field(default_factory=dict, description="ignored by the env; echoed nowhere")


class StepRequest(BaseModel):
    """OpenEnv's ``StepRequest``; ``action`` is an `Action` (a bare string is accepted too)."""

    model_config = ConfigDict(extra="forbid")

    action: Action | str
    timeout_s: float | None = Field(default=None, gt=0, le=3600)
    request_id: str | None = Field(default=None, max_length=255)
    session_id: str | None = Field(default=None, max_length=64, description="HTTP only: the session /reset made")

    def text(self) -> str:
        return self.action if isinstance(self.action, str) else self.action.text


class Observation(BaseModel):
    """What the agent sees after a reset or a step (the ``observation`` of OpenEnv's responses)."""

    text: str = Field(description="the new text the agent must read this turn")
    content: list[dict[str, Any]] | None = Field(
        default=None,
        description="multimodal envs: the text and the images new this turn as OpenAI content parts "
        "(images as base64 PNG data URLs)",
    )
    messages: list[dict[str, Any]] = Field(description="the whole conversation, ready for apply_chat_template")
    tools: list[dict[str, Any]] = Field(default_factory=list, description="tool schemas (OpenAI function format)")
    env_id: str
    task_id: str
    level: int
    turn: int
    terminated: bool = False
    truncated: bool = False
    verdict: dict[str, Any] | None = Field(default=None, description="on the last step: reward, correct, components")
    feedback: dict[str, Any] | None = None
    error: str | None = Field(default=None, description="set when the server ended the episode (step deadline)")


class StepResponse(BaseModel):
    """OpenEnv's ``ResetResponse``/``StepResponse`` (plus ``session_id`` for HTTP sessions)."""

    observation: Observation
    reward: float | None = None
    done: bool = False
    session_id: str | None = None


class State(BaseModel):
    """OpenEnv's ``State`` (``episode_id``, ``step_count``) plus what a trainer logs."""

    episode_id: str | None = None
    step_count: int = 0
    env_id: str
    session_id: str
    task_id: str | None = None
    level: int | None = None
    done: bool = False
    episodes: int = 0


class EnvListing(BaseModel):
    """One served env id (``GET /envs``)."""

    id: str
    path: str = Field(description="prefix of this id's routes: {path}/reset, {path}/step, {path}/ws ...")
    family: str
    max_turns: int
    description: str
    observation: str = Field(description="'text', or 'text+image' for multimodal envs")
    image_shape: list[int] | None = None
    max_action_chars: int
    spec: dict[str, Any]


def schema() -> dict[str, Any]:
    """``GET /schema``: OpenEnv's ``SchemaResponse`` (JSON schemas of action, observation, state)."""
    return {
        "action": Action.model_json_schema(),
        "observation": Observation.model_json_schema(),
        "state": State.model_json_schema(),
    }
