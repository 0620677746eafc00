"""Generation backends: ``hf`` (transformers ``generate``) and ``vllm`` (imported only when chosen)."""

from __future__ import annotations

from typing import Any

from baselines.grpo.backends.base import Backend, SamplingSettings


def make_backend(name: str, model: Any, tokenizer: Any, **options: Any) -> Backend:
    """The backend called ``name`` for ``model`` (the policy being trained) and its tokenizer."""
    if name == "hf":
        from baselines.grpo.backends.hf import HFBackend

        return HFBackend(model, tokenizer, **options)
    if name == "vllm":
        from baselines.grpo.backends.vllm import VLLMBackend

        return VLLMBackend(model, tokenizer, **options)
    raise ValueError(f"unknown backend {name!r}; use 'hf' or 'vllm'")


__all__ = ["Backend", "SamplingSettings", "make_backend"]
