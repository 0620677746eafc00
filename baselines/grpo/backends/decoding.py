"""A sampling loop that drops every sequence from the batch as soon as it ends.

transformers' ``generate`` keeps decoding a whole batch until its *longest* sequence stops, so one
sample that rambles to ``max_new_tokens`` makes every finished row pay for all its steps. Small
policies sampled hot do exactly that: in the CPU demo the mean completion is about 20 tokens while
most 128-sequence batches run to the 96-token cap. On a CPU, where cost grows with the rows in the
batch, decoding only the live rows is about three times faster there
(``benchmarks/test_bench_grpo_step.py``).

The loop samples from exactly what `SamplingSettings` says (temperature, then top-k, then top-p,
through transformers' own logits warpers, in ``generate``'s order) and nothing else: none of the
model's ``generation_config`` defaults (repetition penalties and the like) apply, so a sample comes
from the distribution the trainer scores (its log-probabilities divide the logits by the same
temperature).
"""

from __future__ import annotations

import inspect
from typing import Any

import torch
from transformers.generation.logits_process import (
    LogitsProcessorList,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from baselines.grpo.backends.base import SamplingSettings


def sampling_warpers(settings: SamplingSettings) -> LogitsProcessorList:
    """The logits warpers ``generate`` would build for ``settings`` (none when greedy)."""
    warpers = LogitsProcessorList()
    if settings.greedy:
        return warpers
    if settings.temperature != 1.0:
        warpers.append(TemperatureLogitsWarper(settings.temperature))
    if settings.top_k > 0:
        warpers.append(TopKLogitsWarper(top_k=settings.top_k))
    if settings.top_p < 1.0:
        warpers.append(TopPLogitsWarper(top_p=settings.top_p))
    return warpers


def supports_compaction(cache: Any) -> bool:
    """Whether ``cache`` (what the model's forward returned) can drop rows in place."""
    return callable(getattr(cache, "batch_select_indices", None))


def _cache_keyword(model: Any) -> str:
    """The forward keyword that takes the key-value cache: ``cache`` in transformers 5, else ``past_key_values``."""
    parameters = inspect.signature(model.forward).parameters
    return "cache" if "cache" in parameters else "past_key_values"


def _returned_cache(output: Any) -> Any:
    cache = getattr(output, "cache", None)
    return cache if cache is not None else getattr(output, "past_key_values", None)


class CompactionUnsupported(RuntimeError):
    """The model's key-value cache cannot drop rows: use transformers' ``generate`` instead."""


@torch.no_grad()
def decode_compacting(
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    settings: SamplingSettings,
    stop_ids: frozenset[int],
) -> list[list[int]]:
    """New tokens for every left-padded row of ``input_ids``, each ending at its first stop token.

    Raises `CompactionUnsupported` before sampling anything if the model's cache cannot drop rows.
    Randomness comes from torch's global generator, as in ``generate``.
    """
    rows = input_ids.shape[0]
    results: list[list[int]] = [[] for _ in range(rows)]
    if rows == 0 or settings.max_new_tokens <= 0:
        return results
    device = input_ids.device
    warpers = sampling_warpers(settings)
    stops = torch.tensor(sorted(stop_ids), dtype=torch.long, device=device)
    # left padding: a row's positions count its real tokens only, as generate computes them
    positions = (attention_mask.cumsum(-1) - 1).clamp(min=0)
    out = model(input_ids=input_ids, attention_mask=attention_mask, position_ids=positions, use_cache=True)
    cache = _returned_cache(out)
    if not supports_compaction(cache):
        raise CompactionUnsupported(f"{type(cache).__name__} has no batch_select_indices")
    logits = out.logits[:, -1, :]
    next_position = positions[:, -1] + 1
    live = torch.arange(rows, device=device)
    keyword = _cache_keyword(model)
    for step in range(settings.max_new_tokens):
        scores = warpers(input_ids, logits.float()) if warpers else logits.float()
        if settings.greedy:
            tokens = scores.argmax(dim=-1)
        else:
            tokens = torch.multinomial(scores.softmax(dim=-1), num_samples=1).squeeze(1)
        for row, token in zip(live.tolist(), tokens.tolist(), strict=True):
            results[row].append(token)
        if step == settings.max_new_tokens - 1:
            break
        running = ~torch.isin(tokens, stops)
        if not bool(running.all()):
            keep = running.nonzero().squeeze(1)
            if keep.numel() == 0:
                break
            cache.batch_select_indices(keep)
            live, tokens = live[keep], tokens[keep]
            attention_mask, next_position = attention_mask[keep], next_position[keep]
        attention_mask = torch.cat([attention_mask, attention_mask.new_ones((attention_mask.shape[0], 1))], dim=1)
        out = model(
            input_ids=tokens[:, None],
            attention_mask=attention_mask,
            position_ids=next_position[:, None],
            use_cache=True,
            **{keyword: cache},
        )
        logits = out.logits[:, -1, :]
        next_position = next_position + 1
    return results
