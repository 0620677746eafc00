"""``hf`` backend: the training model itself generates (CPU or CUDA), no weight sync needed.

A text model's prompts go through `decoding.decode_compacting` (``decoder="compact"``, the default),
which stops computing a sequence once it ends; ``decoder="generate"`` and vision-language models (a
``processor``) use transformers' ``generate``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any, Literal

import torch
from transformers import GenerationConfig

from baselines.grpo.backends.base import Backend, SamplingSettings, cut_at_stop, stop_token_ids
from baselines.grpo.backends.decoding import CompactionUnsupported, decode_compacting
from baselines.grpo.vision import image_inputs

HFDecoder = Literal["compact", "generate"]


class HFBackend(Backend):
    """Batched decoding of left-padded prompts; weights are always current (no sync)."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        batch_size: int = 256,
        autocast_dtype: Any = None,
        processor: Any = None,
        decoder: HFDecoder = "compact",
    ) -> None:
        if decoder not in ("compact", "generate"):
            raise ValueError(f"unknown decoder {decoder!r}; use 'compact' or 'generate'")
        self.model = model
        self.decoder: HFDecoder = decoder
        self.processor = processor  # a vision-language model's processor: images go through its image processor
        self.batch_size = batch_size
        self.autocast_dtype = autocast_dtype
        self.stop_ids = stop_token_ids(tokenizer, model)
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad) if pad is not None else min(self.stop_ids)

    def generate(self, prompts: list[list[int]], settings: SamplingSettings) -> list[list[int]]:
        results: list[list[int]] = [[] for _ in prompts]
        # similar lengths together: less padding; the order is deterministic, so sampling is too
        order = sorted(range(len(prompts)), key=lambda i: (len(prompts[i]), i))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            for index, ids in zip(chunk, self._generate([prompts[i] for i in chunk], settings), strict=True):
                results[index] = ids
        return results

    def generate_with_images(
        self, prompts: list[list[int]], images: list[list[Any]], settings: SamplingSettings
    ) -> list[list[int]]:
        """`generate` for prompts whose image tokens are already expanded; ``images[i]`` are prompt
        ``i``'s images (``uint8`` arrays) in order, turned into ``pixel_values`` (and whatever else the
        model's forward takes) by `baselines.grpo.vision.image_inputs`, as the trainer's log-prob passes do."""
        if self.processor is None:
            raise ValueError("generate_with_images needs HFBackend(processor=...): the model's processor")
        results: list[list[int]] = [[] for _ in prompts]
        order = sorted(range(len(prompts)), key=lambda i: (len(prompts[i]), i))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            extra = image_inputs(self.processor, [images[i] for i in chunk])
            for index, ids in zip(chunk, self._generate([prompts[i] for i in chunk], settings, extra), strict=True):
                results[index] = ids
        return results

    def _generate(
        self, prompts: list[list[int]], settings: SamplingSettings, model_inputs: dict[str, Any] | None = None
    ) -> list[list[int]]:
        device = next(self.model.parameters()).device
        width = max(len(p) for p in prompts)
        input_ids = torch.full((len(prompts), width), self.pad_id, dtype=torch.long)
        attention = torch.zeros((len(prompts), width), dtype=torch.long)
        for row, ids in enumerate(prompts):
            input_ids[row, width - len(ids) :] = torch.tensor(ids, dtype=torch.long)
            attention[row, width - len(ids) :] = 1
        # a vision-language model keeps generate even for text: some (Qwen2-VL) number positions their own way
        if self.decoder == "compact" and self.processor is None and not model_inputs:
            compacted = self._decode_compacting(input_ids.to(device), attention.to(device), settings)
            if compacted is not None:
                return [cut_at_stop(ids, self.stop_ids) for ids in compacted]
        config = GenerationConfig(  # type: ignore[no-untyped-call]
            max_new_tokens=settings.max_new_tokens,
            do_sample=not settings.greedy,
            temperature=None if settings.greedy else settings.temperature,
            top_p=None if settings.greedy else settings.top_p,
            top_k=None if settings.greedy or settings.top_k == 0 else settings.top_k,
            pad_token_id=self.pad_id,
            eos_token_id=sorted(self.stop_ids),
            use_cache=True,  # even when training turned it off for gradient checkpointing
        )
        with torch.no_grad(), self._inference(device):
            extra = {key: value.to(device) for key, value in (model_inputs or {}).items()}
            out = self.model.generate(
                input_ids=input_ids.to(device),
                attention_mask=attention.to(device),
                generation_config=config,
                **extra,
            )
        new = out[:, width:].tolist()
        return [cut_at_stop(ids, self.stop_ids) for ids in new]

    def _decode_compacting(
        self, input_ids: torch.Tensor, attention: torch.Tensor, settings: SamplingSettings
    ) -> list[list[int]] | None:
        """`decode_compacting`, or None (and ``generate`` from now on) if the model's cache cannot drop rows."""
        try:
            with self._inference(input_ids.device):
                return decode_compacting(self.model, input_ids, attention, settings, self.stop_ids)
        except CompactionUnsupported as error:  # raised before anything was sampled
            warnings.warn(
                f"rollout.hf_decoder = 'compact' needs a key-value cache that can drop rows ({error}); "
                f"{type(self.model).__name__} generates with transformers' generate instead",
                stacklevel=2,
            )
            self.decoder = "generate"
            return None

    @contextlib.contextmanager
    def _inference(self, device: torch.device) -> Iterator[None]:
        """Eval mode and the configured autocast; the model's training mode comes back afterwards."""
        was_training = self.model.training
        self.model.eval()
        autocast = (
            torch.autocast(device_type=device.type, dtype=self.autocast_dtype)
            if self.autocast_dtype is not None
            else contextlib.nullcontext()
        )
        try:
            with autocast:
                yield
        finally:
            self.model.train(was_training)
