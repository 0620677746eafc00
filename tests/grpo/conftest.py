"""Fixtures for the GRPO baseline tests; the whole folder is skipped when torch/transformers are missing."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("torch", reason="the GRPO baseline needs the train extra: pip install -e '.[train]'")
pytest.importorskip("transformers", reason="the GRPO baseline needs the train extra: pip install -e '.[train]'")

from baselines.grpo.backends.base import Backend, SamplingSettings
from baselines.grpo.config import TinyModelConfig
from baselines.grpo.sft import supervised_target
from baselines.grpo.tiny import build_model, env_corpus, train_tokenizer

SMALL = TinyModelConfig(
    hidden_size=32, num_layers=1, num_heads=2, head_dim=16, intermediate_size=64, vocab_size=400, corpus_tasks=120
)


@pytest.fixture(scope="session")
def tokenizer() -> Any:
    """A BPE tokenizer trained on a little Math-v0 and MathRetry-v0 text (a second or less)."""
    texts = env_corpus(
        "rlvr/MathRetry-v0", {"generators": ["arithmetic"]}, levels=[0, 1, 2], tasks=120, seed=0,
        target=supervised_target,
    )  # fmt: skip
    return train_tokenizer(texts, SMALL.vocab_size)


@pytest.fixture
def small_model(tokenizer: Any) -> Any:
    return build_model(tokenizer, SMALL, seed=0)


class ScriptedBackend(Backend):
    """Answers with ``policy(prompt_text, index_among_identical_prompts)``, tokenised, plus the eos token.

    Lets tests drive rollouts (and trainer steps) without a model that knows anything.
    """

    def __init__(self, tokenizer: Any, policy: Any, *, stop: bool = True) -> None:
        self.tokenizer = tokenizer
        self.policy = policy
        self.stop = stop
        self.stop_ids = frozenset({int(tokenizer.eos_token_id)})
        self.calls: list[list[list[int]]] = []

    def generate(self, prompts: list[list[int]], settings: SamplingSettings) -> list[list[int]]:
        self.calls.append([list(p) for p in prompts])
        seen: dict[tuple[int, ...], int] = {}
        out = []
        for prompt in prompts:
            key = tuple(prompt)
            index = seen.get(key, 0)
            seen[key] = index + 1
            text = self.tokenizer.decode(prompt, skip_special_tokens=False)
            ids = self.tokenizer.encode(self.policy(text, index), add_special_tokens=False)
            ids = ids[: settings.max_new_tokens - (1 if self.stop else 0)]
            out.append(ids + ([int(self.tokenizer.eos_token_id)] if self.stop else []))
        return out
