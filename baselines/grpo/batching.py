"""Padding token streams into tensors and scoring them with the policy (log-probs, entropy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from baselines.grpo.losses import token_entropy, token_logprobs
from baselines.grpo.model import autocast


@dataclass
class Padded:
    """Right-padded ``input_ids``/``attention_mask`` ``[B, T]`` and the loss mask ``[B, T-1]`` of the targets.

    ``model_inputs`` are further forward keywords for the batch, such as a vision-language model's
    ``pixel_values`` (`baselines.grpo.vision.image_inputs`), so scoring sees what generation saw.
    """

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    loss_mask: torch.Tensor
    model_inputs: dict[str, torch.Tensor] = field(default_factory=dict)

    @property
    def targets(self) -> torch.Tensor:
        return self.input_ids[:, 1:]

    def to(self, device: torch.device) -> Padded:
        return Padded(
            self.input_ids.to(device),
            self.attention_mask.to(device),
            self.loss_mask.to(device),
            {key: value.to(device) for key, value in self.model_inputs.items()},
        )


def pad(
    sequences: list[list[int]],
    masks: list[list[int]],
    pad_id: int,
    model_inputs: dict[str, torch.Tensor] | None = None,
) -> Padded:
    """Right-pad; ``masks[i][t] = 1`` marks token ``t`` as a target (its log-prob is predicted at ``t - 1``)."""
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(sequences), width), dtype=torch.long)
    loss = torch.zeros((len(sequences), width), dtype=torch.float32)
    for row, (seq, mask) in enumerate(zip(sequences, masks, strict=True)):
        ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
        attention[row, : len(seq)] = 1
        loss[row, : len(mask)] = torch.tensor(mask, dtype=torch.float32)
    return Padded(ids, attention, loss[:, 1:], dict(model_inputs or {}))


def score(
    model: Any,
    batch: Padded,
    *,
    autocast_dtype: torch.dtype | None = None,
    entropy: bool = False,
    temperature: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``[B, T-1]`` log-probabilities of each target token (and entropies of the predicting distribution).

    ``temperature`` divides the logits first, so the log-probabilities are those of the distribution
    the tokens were sampled from (as TRL does).
    """
    device = batch.input_ids.device
    with autocast(device, autocast_dtype):
        logits = model(
            input_ids=batch.input_ids, attention_mask=batch.attention_mask, use_cache=False, **batch.model_inputs
        ).logits
    logits = logits[:, :-1]
    if temperature != 1.0:
        logits = logits / temperature
    logp = token_logprobs(logits, batch.targets)
    ent = None
    if entropy:
        with torch.no_grad():
            ent = token_entropy(logits.detach())
    return logp, ent


def supervised_nll(
    model: Any, examples: list[tuple[list[int], list[int]]], pad_id: int, *, autocast_dtype: torch.dtype | None = None
) -> torch.Tensor:
    """Mean cross-entropy of the target tokens of ``(tokens, mask)`` examples: the SFT loss, which the
    warm-up, the control and GRPO's demonstration term all minimise."""
    device = next(model.parameters()).device
    batch = pad([e[0] for e in examples], [e[1] for e in examples], pad_id).to(device)
    logp, _ = score(model, batch, autocast_dtype=autocast_dtype)
    return -(logp * batch.loss_mask).sum() / batch.loss_mask.sum().clamp(min=1.0)


def chunks(indices: list[int], size: int) -> list[list[int]]:
    """Consecutive slices of ``indices`` of at most ``size``."""
    return [indices[i : i + size] for i in range(0, len(indices), size)]
