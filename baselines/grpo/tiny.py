"""A tiny model built from scratch: a byte-level BPE tokenizer trained on generated env text and a
small Llama with random weights. Nothing is downloaded.

The tokenizer splits every digit into its own token (so numbers are spelled digit by digit) and
lets merges cross spaces, so the fixed phrasing of generated prompts compresses to a few tokens.
Its chat template is ``<|role|>content<|end|>`` per message plus ``<|assistant|>`` as the
generation prompt; ``<|end|>`` is the end-of-turn (eos) token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

import rlvr_envs
from baselines.grpo.config import TinyModelConfig

PAD, END = "<|pad|>", "<|end|>"
SPECIAL_TOKENS = [PAD, END, "<|system|>", "<|user|>", "<|assistant|>", "<|tool|>"]
CHAT_TEMPLATE = (
    "{%- for message in messages -%}<|{{ message['role'] }}|>{{ message['content'] }}<|end|>{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|assistant|>{%- endif -%}"
)


def env_corpus(
    env_id: str,
    env_kwargs: dict[str, Any],
    *,
    levels: list[int],
    tasks: int,
    seed: int,
    target: Callable[[Any, Any], str],
) -> list[str]:
    """Text of ``tasks`` generated episodes: the rendered opening messages, a target answer, and
    for multi-turn envs the feedback a wrong answer gets."""
    env = rlvr_envs.make(env_id, **env_kwargs)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x746F6B]))
    texts: list[str] = []
    try:
        for index in range(tasks):
            level = levels[index % len(levels)]
            _, info = env.reset(seed=int(rng.integers(0, 2**31)), options={"level": level})
            task = rlvr_envs.unwrap(env).task
            text = "".join(f"<|{m['role']}|>{m['content']}{END}" for m in info["messages"])
            texts.append(text + "<|assistant|>" + target(env, task) + END)
            _, _, terminated, truncated, info = env.step("\\boxed{0}")
            if not (terminated or truncated):
                texts.append("".join(f"<|{m['role']}|>{m['content']}{END}" for m in info["messages"][-1:]))
    finally:
        env.close()
    return texts


def train_tokenizer(texts: Iterable[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer with single-digit tokens and the chat template above."""
    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    core.train_from_iterator(texts, trainer)
    tokenizer = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=core, pad_token=PAD, eos_token=END, clean_up_tokenization_spaces=False
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def build_model(tokenizer: PreTrainedTokenizerFast, config: TinyModelConfig, seed: int) -> LlamaForCausalLM:
    """A randomly initialised Llama sized by ``config`` (seeded, without touching the global RNG)."""
    llama = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=config.hidden_size,
        intermediate_size=config.intermediate_size,
        num_hidden_layers=config.num_layers,
        num_attention_heads=config.num_heads,
        num_key_value_heads=config.num_heads,
        head_dim=config.head_dim,
        max_position_embeddings=config.max_positions,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        # Typed in some transformers releases and not in others (verl pins one): call it as Any either way.
        model: LlamaForCausalLM = cast(Any, LlamaForCausalLM)(llama)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.bos_token_id = None
    return model


def build_tiny(
    env_id: str,
    env_kwargs: dict[str, Any],
    config: TinyModelConfig,
    *,
    seed: int,
    target: Callable[[Any, Any], str],
    save_to: str | Path | None = None,
) -> tuple[LlamaForCausalLM, PreTrainedTokenizerFast]:
    """Tokenizer trained on ``env_id`` text plus a fresh model; saved to ``save_to`` when given."""
    texts = env_corpus(
        env_id, env_kwargs, levels=config.corpus_levels, tasks=config.corpus_tasks, seed=seed, target=target
    )
    tokenizer = train_tokenizer(texts, config.vocab_size)
    model = build_model(tokenizer, config, seed)
    if save_to is not None:
        model.save_pretrained(save_to)
        tokenizer.save_pretrained(save_to)
    return model, tokenizer
