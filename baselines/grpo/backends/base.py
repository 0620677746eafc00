"""The interface every generation backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SamplingSettings:
    """How to continue each prompt: ``greedy`` ignores temperature/top_p/top_k."""

    max_new_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    greedy: bool = False


class Backend(ABC):
    """Continues token-id prompts; the trainer computes log-probabilities itself.

    ``generate`` returns, per prompt, the new token ids, ending with a stop token when the model
    emitted one (never padding). ``sync_weights`` makes generation use the trainer's current
    weights (a no-op when the backend generates with the training model itself).
    """

    stop_ids: frozenset[int]

    @abstractmethod
    def generate(self, prompts: list[list[int]], settings: SamplingSettings) -> list[list[int]]:
        """New tokens for every prompt (same order)."""

    def sync_weights(self, model: Any) -> None:  # noqa: B027 - optional hook
        """Load ``model``'s current weights into the generator."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Free the generator's resources."""


def stop_token_ids(tokenizer: Any, model: Any) -> frozenset[int]:
    """The tokenizer's eos id plus the model's generation-config eos ids."""
    ids: set[int] = set()
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    config = getattr(model, "generation_config", None)
    extra = getattr(config, "eos_token_id", None)
    if isinstance(extra, int):
        ids.add(extra)
    elif isinstance(extra, list | tuple):
        ids.update(int(i) for i in extra)
    if not ids:
        raise ValueError("the tokenizer has no eos token: the model could never end a turn")
    return frozenset(ids)


def cut_at_stop(ids: list[int], stop_ids: frozenset[int]) -> list[int]:
    """``ids`` up to and including the first stop token."""
    for index, token in enumerate(ids):
        if token in stop_ids:
            return ids[: index + 1]
    return ids
