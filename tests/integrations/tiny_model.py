"""The integration tests' tiny chat model: the GRPO baseline's model built from scratch, smaller.

`baselines.grpo.tiny` trains a byte-level BPE tokenizer on generated ``rlvr/Math-v0`` text (with a
``<|role|>content<|end|>`` chat template) and builds a random-init Llama; nothing is downloaded.
Here it is sized for speed (two 32-wide layers) and can take another chat template, such as
TRL's Qwen2.5 one, which TRL knows how to parse tool calls from.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import rlvr_envs


def _oracle(env: Any, _task: Any) -> str:
    return str(rlvr_envs.unwrap(env).oracle_action())


def build_tiny(
    save_to: str | Path | None = None, *, vocab_size: int = 512, seed: int = 0, chat_template: str | None = None
) -> tuple[Any, Any]:
    """``(model, tokenizer)``: a 2-layer random Llama and a tokenizer trained on Math-v0 text.

    ``chat_template`` replaces ours; its ``<|im_start|>``/``<|im_end|>`` markers become special
    tokens and ``<|im_end|>`` the end-of-turn token.
    """
    from baselines.grpo.config import TinyModelConfig
    from baselines.grpo.tiny import build_model, env_corpus, train_tokenizer

    config = TinyModelConfig(
        hidden_size=32, intermediate_size=64, num_layers=2, num_heads=2, head_dim=16, vocab_size=vocab_size,
        corpus_tasks=200, corpus_levels=[0, 1, 2, 3],
    )  # fmt: skip
    texts = env_corpus("rlvr/Math-v0", {}, levels=config.corpus_levels, tasks=config.corpus_tasks, seed=seed,
                       target=_oracle)  # fmt: skip
    tokenizer = train_tokenizer(texts, config.vocab_size)
    if chat_template is not None:
        tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
        tokenizer.eos_token = "<|im_end|>"
        tokenizer.chat_template = chat_template
    tokenizer.padding_side = "left"
    model = build_model(tokenizer, config, seed)
    if save_to is not None:
        model.save_pretrained(save_to)
        tokenizer.save_pretrained(save_to)
    return model, tokenizer


@functools.cache
def shared_tiny() -> tuple[Any, Any]:
    """One `build_tiny()` per test session, for tests that only generate (never train) with it."""
    return build_tiny()
