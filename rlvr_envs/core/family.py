"""The `TaskFamily` contract: what a new kind of task must provide, and nothing more.

A family is *generator + dialogue protocol + verifier*. The generic `RLVREnv` owns everything
else (seeding, curriculum, turn limits, messages, gymnasium plumbing), so a family never sees
gymnasium and can be unit-tested as plain Python.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from pydantic import BaseModel, ConfigDict

from rlvr_envs.core.spaces import UnicodeText
from rlvr_envs.core.types import Feedback, Message, Task, Verdict

Transcript = str | Sequence[Message | dict[str, Any]]


class FamilyConfig(BaseModel):
    """Base of every family's validated configuration (spec ``kwargs``); unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(slots=True)
class EpisodeState:
    """Mutable per-episode state handed to `TaskFamily.respond`.

    ``messages`` is the whole conversation as role/content dicts (system prompt first);
    ``scratch`` is the family's own space (attempt counters, a shop database, open documents...).
    """

    task: Task
    messages: list[dict[str, Any]]
    turn: int = 0
    scratch: dict[str, Any] = field(default_factory=dict)

    def last_action(self) -> str:
        """The agent's most recent message text ('' before the first action)."""
        for message in reversed(self.messages):
            if message["role"] == "assistant":
                content = message["content"]
                return content if isinstance(content, str) else ""
        return ""


class TaskFamily(ABC):
    """Base class for task families. Subclasses set ``name`` and ``Config`` and implement the
    abstract methods; the optional hooks have sensible defaults for single-answer tasks.

    Example (a complete verifiable family)::

        class Reverse(TaskFamily):
            name = "reverse"

            def generate(self, rng, level, *, task_id):
                word = "".join(rng.choice(list("abcdef"), size=3 + level))
                return Task(task_id=task_id, family=self.name, level=level,
                            prompt=f"Reverse {word!r}; answer in <answer></answer>.",
                            data={"answer": word[::-1]})

            def verify(self, task, transcript):
                got = extract_tag(final_text(transcript), "answer")
                ok = got == task.data["answer"]
                return Verdict(reward=float(ok), correct=ok, components={"correct": float(ok)})

            def oracle_action(self, state):
                return f"<answer>{state.task.data['answer']}</answer>"
    """

    name: ClassVar[str] = "family"
    Config: ClassVar[type[FamilyConfig]] = FamilyConfig

    def __init__(self, config: FamilyConfig | None = None, **kwargs: Any) -> None:
        if config is not None and kwargs:
            raise TypeError("pass either a config object or keyword arguments, not both")
        self.config = config if config is not None else self.Config(**kwargs)

    # ---- generation -------------------------------------------------------------------------
    @abstractmethod
    def generate(self, rng: np.random.Generator, level: int, *, task_id: str) -> Task:
        """Build one task at ``level`` using only ``rng`` (a pure function of its inputs)."""

    def task_from_id(self, task_id: str) -> Task | None:
        """Rebuild a task the family (not the env) named, e.g. a dataset row; ``None`` if unknown."""
        return None

    def knobs(self, level: int) -> dict[str, float]:
        """The concrete difficulty knobs at ``level`` (monotone non-decreasing in ``level``)."""
        return {"level": float(level)}

    # ---- protocol ---------------------------------------------------------------------------
    def system_prompt(self, task: Task) -> str | None:
        """The system message opening every episode (``None`` for none)."""
        return None

    def first_prompt(self, task: Task) -> str | list[dict[str, Any]]:
        """Content of the first user message (multimodal families return content parts)."""
        return task.prompt

    def tools(self, task: Task) -> list[dict[str, Any]]:
        """Tool schemas in OpenAI function format, offered to the agent (``info["tools"]``)."""
        return []

    def respond(self, state: EpisodeState, action: str) -> Feedback | Verdict:
        """React to the agent's ``action``: `Feedback` continues the episode, `Verdict` ends it.

        The default ends every episode on the first action by verifying it (single-turn tasks).
        """
        return self.verify(state.task, action)

    def on_truncate(self, state: EpisodeState) -> Verdict:
        """The verdict when the turn limit cuts an episode short (default: no reward)."""
        return Verdict(reward=0.0, correct=False, components={"truncated": 1.0}, reason="turn limit reached")

    # ---- observations -----------------------------------------------------------------------
    def observation_space(self, max_chars: int) -> spaces.Space[Any]:
        """The observation space (text by default; multimodal families return a ``Dict``)."""
        return UnicodeText(max_chars)

    def to_observation(self, content: str | list[dict[str, Any]], state: EpisodeState) -> Any:
        """Turn message content into an observation matching `observation_space`."""
        return content if isinstance(content, str) else _text_of(content)

    def images(self, state: EpisodeState) -> list[Any] | None:
        """The images of the ``{"type": "image"}`` parts in ``state.messages``, in order, returned
        as ``info["images"]``; ``None`` (the default) for text-only families, which omits the key.
        """
        return None

    # ---- scoring ----------------------------------------------------------------------------
    @abstractmethod
    def verify(self, task: Task, transcript: Transcript) -> Verdict:
        """Score a response or whole transcript for ``task`` without an env (pure function)."""

    @abstractmethod
    def oracle_action(self, state: EpisodeState) -> str:
        """An action that leads to reward 1.0 from ``state`` (used by tests and `policies.oracle`)."""


def _text_of(content: list[dict[str, Any]]) -> str:
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def final_text(transcript: Transcript) -> str:
    """The agent's last message text from a response string or a list of messages."""
    if isinstance(transcript, str):
        return transcript
    for message in reversed(list(transcript)):
        data = message.model_dump() if isinstance(message, Message) else message
        if isinstance(data, dict) and data.get("role") == "assistant":
            content = data.get("content", "")
            return content if isinstance(content, str) else _text_of(content)
    return ""


def assistant_turns(transcript: Transcript) -> int:
    """How many assistant messages ``transcript`` holds (a plain response string counts as one)."""
    if isinstance(transcript, str):
        return 1
    count = 0
    for message in transcript:
        role = message.role if isinstance(message, Message) else message.get("role")
        count += role == "assistant"
    return count
