"""A tiny random-init vision-language model built locally (nothing downloaded): a small CLIP vision
tower and a small Llama behind transformers' Llava, with a LlavaProcessor made of a CLIP image
processor and a character-level tokenizer.

With the defaults (56 px images, 14 px patches) one image is 17 image tokens: 16 patches plus CLS,
which the ``"full"`` feature strategy keeps. Used by ``[model.tiny_vlm]`` in a GRPO config and by
the multimodal tests.
"""

from __future__ import annotations

from typing import Any, cast

import torch

from baselines.grpo.config import TinyVLMConfig

SPECIAL_TOKENS = ["<|pad|>", "<|end|>", "<image>", "<|system|>", "<|user|>", "<|assistant|>", "<|tool|>"]
CHAT_TEMPLATE = (
    "{%- for message in messages -%}<|{{ message['role'] }}|>"
    "{%- if message['content'] is string -%}{{ message['content'] }}{%- else -%}"
    "{%- for part in message['content'] -%}{%- if part['type'] == 'image' -%}<image>"
    "{%- elif part['type'] == 'text' -%}{{ part['text'] }}{%- endif -%}{%- endfor -%}{%- endif -%}<|end|>"
    "{%- endfor -%}{%- if add_generation_prompt -%}<|assistant|>{%- endif -%}"
)


def build_processor(config: TinyVLMConfig) -> Any:
    """A LlavaProcessor: one token per character (all 256 byte values), ``<image>`` and the chat template above."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import CLIPImageProcessor, LlavaProcessor, PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS)}
    for byte in range(256):
        vocab.setdefault(chr(byte), len(vocab))
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="?"))
    core.pre_tokenizer = pre_tokenizers.Split("", behavior="isolated")
    core.decoder = decoders.Fuse()  # characters back to text without spaces between them
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<|pad|>", eos_token="<|end|>")  # type: ignore[no-untyped-call]
    tokenizer.add_special_tokens({"additional_special_tokens": SPECIAL_TOKENS[2:]})
    tokenizer.chat_template = CHAT_TEMPLATE
    side = config.image_size
    image_processor = CLIPImageProcessor(size={"shortest_edge": side}, crop_size={"height": side, "width": side})
    return cast(Any, LlavaProcessor)(  # untyped in transformers
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=config.patch_size,
        vision_feature_select_strategy="full",
        chat_template=CHAT_TEMPLATE,
        num_additional_image_tokens=1,  # the CLS token, which "full" keeps
    )


def build_tiny_vlm(config: TinyVLMConfig | None = None, *, seed: int = 0) -> tuple[Any, Any]:
    """``(model, processor)``: a random-init Llava sized by ``config`` (seeded, global RNG untouched)."""
    from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration

    config = config or TinyVLMConfig()
    processor = build_processor(config)
    tokenizer = processor.tokenizer
    vision = CLIPVisionConfig(
        hidden_size=config.vision_hidden_size, intermediate_size=2 * config.vision_hidden_size,
        num_hidden_layers=config.vision_layers, num_attention_heads=config.num_heads,
        image_size=config.image_size, patch_size=config.patch_size,
    )  # fmt: skip
    text = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=config.hidden_size, intermediate_size=2 * config.hidden_size,
        num_hidden_layers=config.num_layers, num_attention_heads=config.num_heads,
        num_key_value_heads=config.num_heads, max_position_embeddings=config.max_positions,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, bos_token_id=None,
    )  # fmt: skip
    llava = LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        vision_feature_select_strategy="full",
        vision_feature_layer=-1,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model: Any = LlavaForConditionalGeneration(llava)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.bos_token_id = None
    return model.eval(), processor
