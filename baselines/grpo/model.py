"""Devices, precision, and loading the policy (a saved/hub model, or the tiny model built from scratch)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

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


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@contextlib.contextmanager
def cpu_threads(threads: int) -> Iterator[None]:
    """Torch's CPU thread pool at ``threads`` (0: every core) inside the block, restored after it.

    The demo's warm-up runs alone, so it may use every core; GRPO then drops back to
    ``run.threads`` so the control can train beside it on the core that is left.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(threads or usable_cores())
    try:
        yield
    finally:
        torch.set_num_threads(before)


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


PROCESSOR_FILES = ("processor_config.json", "preprocessor_config.json")


def is_vision_dir(path: str | Path) -> bool:
    """A local model directory that holds a processor config (a vision-language model saved with its processor)."""
    return any((Path(path) / name).is_file() for name in PROCESSOR_FILES)


def load_vision_pretrained(path: str | Path, device: torch.device) -> tuple[Any, Any]:
    """A vision-language model and its processor (``AutoModelForImageTextToText``/``AutoProcessor``, fp32)."""
    from transformers import AutoModelForImageTextToText, AutoProcessor

    processor = cast(Any, AutoProcessor).from_pretrained(str(path))  # untyped in transformers
    tokenizer = processor.tokenizer
    if not getattr(processor, "chat_template", None) and not getattr(tokenizer, "chat_template", None):
        raise ValueError(f"the processor at {path} has no chat template; the trainer renders info['messages'] with it")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model: Any = AutoModelForImageTextToText.from_pretrained(str(path), dtype=torch.float32)
    return model.to(device), processor


@dataclass
class LoadedPolicy:
    """The policy, its tokenizer, its processor (vision-language models; else ``None``) and where it came from."""

    model: Any
    tokenizer: Any
    processor: Any = None
    source: str | None = None


def load_model_dir(path: str | Path, device: torch.device) -> LoadedPolicy:
    """`load_vision_pretrained` for a directory with a processor config, else `load_pretrained`."""
    if is_vision_dir(path):
        model, processor = load_vision_pretrained(path, device)
        return LoadedPolicy(model, processor.tokenizer, processor, str(path))
    model, tokenizer = load_pretrained(path, device)
    return LoadedPolicy(model, tokenizer, None, str(path))


def load_policy(
    config: ModelConfig,
    device: torch.device,
    *,
    build_tiny: Callable[[], tuple[Any, Any]],
    seed: int = 0,
) -> LoadedPolicy:
    """The policy: ``config.path`` when set, else the tiny VLM if ``config.tiny_vlm`` is set, else ``build_tiny()``."""
    if config.path:
        policy = load_model_dir(config.path, device)
    elif config.tiny_vlm is not None:
        from baselines.grpo.tiny_vlm import build_tiny_vlm

        model, processor = build_tiny_vlm(config.tiny_vlm, seed=seed)
        policy = LoadedPolicy(model.to(device), processor.tokenizer, processor)
    else:
        model, tokenizer = build_tiny()
        policy = LoadedPolicy(model.to(device), tokenizer)
    if config.gradient_checkpointing:
        policy.model.gradient_checkpointing_enable()
        policy.model.config.use_cache = False
    return policy
