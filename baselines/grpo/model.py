"""Devices, precision, and loading the policy (a saved/hub model, or the tiny model built from scratch)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from baselines.grpo.config import ModelConfig, RunConfig


def resolve_device(name: str, *, cuda_available: bool | None = None) -> torch.device:
    """``auto`` -> ``cuda`` when a GPU is visible, else ``cpu``; asking for ``cuda`` without one is an error."""
    available = torch.cuda.is_available() if cuda_available is None else cuda_available
    if name == "auto":
        return torch.device("cuda" if available else "cpu")
    if name == "cuda" and not available:
        raise RuntimeError("run.device = 'cuda' but torch sees no CUDA device (torch.cuda.is_available() is False)")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"unknown device {name!r}; use auto, cpu or cuda")
    return torch.device(name)


def autocast_dtype(name: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype: bf16 on CUDA (``auto`` or ``bfloat16``), none (fp32) otherwise.

    Weights and optimizer state stay in fp32 (mixed precision); log-probabilities are computed
    in fp32 from the bf16 logits.
    """
    if name == "float32":
        return None
    if name == "bfloat16":
        return torch.bfloat16
    return torch.bfloat16 if device.type == "cuda" else None


def autocast(device: torch.device, dtype: torch.dtype | None) -> contextlib.AbstractContextManager[Any]:
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def set_threads(run: RunConfig) -> None:
    """Apply ``run.threads`` to torch's CPU thread pool."""
    if run.threads:
        torch.set_num_threads(run.threads)
        os.environ.setdefault("OMP_NUM_THREADS", str(run.threads))


def quiet_transformers() -> None:
    """No per-file progress bars when saving or loading checkpoints (the trainer has its own)."""
    from transformers.utils import logging as transformers_logging

    disable: Callable[[], None] = transformers_logging.disable_progress_bar  # untyped in some versions
    disable()


def load_pretrained(path: str | Path, device: torch.device) -> tuple[Any, Any]:
    """A causal LM and its tokenizer from a local directory or hub id (fp32 weights)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path))
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError(f"the tokenizer at {path} has no chat template; the trainer renders info['messages'] with it")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32)
    return model.to(device), tokenizer  # type: ignore[arg-type]


def load_policy(
    config: ModelConfig,
    device: torch.device,
    *,
    build_tiny: Callable[[], tuple[Any, Any]],
) -> tuple[Any, Any, str | None]:
    """The policy and tokenizer: ``config.path`` when set, else ``build_tiny()``; returns the source path too."""
    if config.path:
        model, tokenizer = load_pretrained(config.path, device)
        source: str | None = config.path
    else:
        model, tokenizer = build_tiny()
        model = model.to(device)
        source = None
    if config.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.config.use_cache = False
    return model, tokenizer, source
