"""A tiny chat model built from scratch for the integration tests (nothing is downloaded).

A byte-level BPE tokenizer trained on generated env text (digits split, so numbers are spelled
digit by digit) with a ``<|role|>content<|end|>`` chat template, and a Llama with two small layers
and random weights. Same spirit as ``baselines/grpo/tiny.py`` on the GRPO branch; the lead will
unify them once both are merged.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np

import rlvr_envs

PAD, END = "<|pad|>", "<|end|>"
SPECIAL_TOKENS = [PAD, END, "<|system|>", "<|user|>", "<|assistant|>", "<|tool|>"]
CHAT_TEMPLATE = (
    "{%- for message in messages -%}<|{{ message['role'] }}|>{{ message['content'] }}<|end|>{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|assistant|>{%- endif -%}"
)


def corpus(env_id: str = "rlvr/Math-v0", tasks: int = 200, seed: int = 0) -> list[str]:
    """Rendered conversations of ``tasks`` generated episodes with their gold answers."""
    env = rlvr_envs.make(env_id)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x746F6B]))
    texts: list[str] = []
    try:
        for index in range(tasks):
            _, info = env.reset(seed=int(rng.integers(0, 2**31)), options={"level": index % 4})
            answer = rlvr_envs.unwrap(env).oracle_action()
            text = "".join(f"<|{m['role']}|>{m['content']}{END}" for m in info["messages"])
            texts.append(f"{text}<|assistant|>{answer}{END}")
    finally:
        env.close()
    return texts


def build_tiny(
    save_to: str | Path | None = None, *, vocab_size: int = 512, seed: int = 0, chat_template: str | None = None
) -> tuple[Any, Any]:
    """``(model, tokenizer)``: a 2-layer random Llama and a tokenizer trained on Math-v0 text.

    ``chat_template`` replaces our template (e.g. TRL's Qwen2.5 one, which TRL knows how to parse
    tool calls from); its ``<|im_start|>``/``<|im_end|>`` markers are added as special tokens.
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

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
    core.train_from_iterator(corpus(seed=seed), trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, pad_token=PAD, eos_token=END, clean_up_tokenization_spaces=False
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    if chat_template is not None:
        tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
        tokenizer.eos_token = "<|im_end|>"
        tokenizer.chat_template = chat_template
    tokenizer.padding_side = "left"
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.bos_token_id = None
    if save_to is not None:
        model.save_pretrained(save_to)
        tokenizer.save_pretrained(save_to)
    return model, tokenizer


@functools.cache
def shared_tiny() -> tuple[Any, Any]:
    """One `build_tiny()` per test session, for tests that only generate (never train) with it."""
    return build_tiny()
