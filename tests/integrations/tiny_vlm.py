"""The multimodal tests' tiny vision-language model: `baselines.grpo.tiny_vlm` with its defaults (a
2-layer CLIP vision tower and a 2-layer Llama behind transformers' Llava, 56 px images in 14 px
patches: 17 image tokens with CLS, and a character-level tokenizer). Nothing is downloaded."""

from __future__ import annotations

from typing import Any

from baselines.grpo.tiny_vlm import CHAT_TEMPLATE
from baselines.grpo.tiny_vlm import build_tiny_vlm as _build

__all__ = ["CHAT_TEMPLATE", "build_tiny_vlm"]


def build_tiny_vlm() -> tuple[Any, Any]:
    """``(model, processor)``; the processor's tokenizer has ``<image>`` and the chat template."""
    return _build()
