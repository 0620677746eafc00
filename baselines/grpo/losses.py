"""The GRPO policy loss: clipped surrogate (separate low/high clip), optional KL, three aggregations.

Per generated token ``t`` of sequence ``i`` with advantage ``A_i`` and ratio
``rho = exp(logp - old_logp)``::

    loss_it = -min(rho * A_i, clip(rho, 1 - clip_low, 1 + clip_high) * A_i) + beta * KL_it
    KL_it   = exp(ref - logp) - (ref - logp) - 1        (the k3 estimator, always >= 0)

and the batch loss aggregates ``loss_it`` over the generated tokens (mask = 1):

- ``seq_mean`` (GRPO paper): mean over each sequence's tokens, then mean over sequences;
- ``token_mean`` (DAPO): sum over all tokens / number of tokens in the batch;
- ``dr_grpo`` (Dr.GRPO): sum over all tokens / (number of sequences x a constant token count).

With gradient accumulation the normalisers must be those of the *whole* batch, not of one
micro-batch: pass them as `Normaliser` so that the micro-batch losses add up to the batch loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

Aggregation = Literal["seq_mean", "token_mean", "dr_grpo"]


@dataclass(frozen=True)
class Normaliser:
    """Batch-wide counts that turn summed per-token losses into the chosen mean."""

    sequences: int
    tokens: int
    max_tokens: int = 1

    @classmethod
    def of(cls, mask: torch.Tensor, max_tokens: int = 1) -> Normaliser:
        """The counts of one batch (``mask``: ``[sequences, tokens]``, 1 on generated tokens)."""
        return cls(sequences=int(mask.shape[0]), tokens=int(mask.sum().item()), max_tokens=max_tokens)


@dataclass
class LossParts:
    """The loss to backpropagate and detached sums for logging (divide by ``tokens``)."""

    loss: torch.Tensor
    tokens: float
    clipped_low: float
    clipped_high: float
    kl_sum: float
    ratio_sum: float


def kl_k3(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Per-token ``KL(policy || reference)`` estimate ``exp(d) - d - 1`` with ``d = ref - logp``."""
    delta = ref_logp - logp
    return torch.exp(delta) - delta - 1.0


def policy_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    *,
    clip_low: float = 0.2,
    clip_high: float = 0.2,
    beta: float = 0.0,
    ref_logp: torch.Tensor | None = None,
    aggregation: Aggregation = "token_mean",
    normaliser: Normaliser | None = None,
) -> LossParts:
    """The clipped-surrogate loss of one (micro-)batch.

    Args:
        logp, old_logp, ref_logp: ``[sequences, tokens]`` log-probabilities of the sampled tokens
            under the policy being trained (with grad), the policy that sampled them, and the
            frozen reference (needed when ``beta > 0``).
        advantages: ``[sequences]``, broadcast over each sequence's tokens.
        mask: ``[sequences, tokens]``, 1 where the model generated the token (loss), else 0.
        normaliser: batch-wide counts for gradient accumulation (default: this batch's own).
    """
    if beta > 0 and ref_logp is None:
        raise ValueError("beta > 0 needs ref_logp (log-probabilities under the reference model)")
    mask = mask.to(logp.dtype)
    norm = normaliser or Normaliser.of(mask)
    adv = advantages.to(logp.dtype).unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    unclipped = ratio * adv
    clipped = torch.clamp(ratio, 1.0 - clip_low, 1.0 + clip_high) * adv
    per_token = -torch.minimum(unclipped, clipped)
    kl = torch.zeros_like(logp)
    if beta > 0 and ref_logp is not None:
        kl = kl_k3(logp, ref_logp)
        per_token = per_token + beta * kl
    loss = aggregate(per_token, mask, aggregation, norm)
    with torch.no_grad():
        low = ((ratio < 1.0 - clip_low) & (adv < 0)).to(mask.dtype) * mask
        high = ((ratio > 1.0 + clip_high) & (adv > 0)).to(mask.dtype) * mask
        return LossParts(
            loss=loss,
            tokens=float(mask.sum().item()),
            clipped_low=float(low.sum().item()),
            clipped_high=float(high.sum().item()),
            kl_sum=float((kl.detach() * mask).sum().item()),
            ratio_sum=float((ratio.detach() * mask).sum().item()),
        )


def aggregate(per_token: torch.Tensor, mask: torch.Tensor, aggregation: Aggregation, norm: Normaliser) -> torch.Tensor:
    """Reduce ``[sequences, tokens]`` per-token losses to a scalar (see the module docstring)."""
    masked = per_token * mask
    if aggregation == "token_mean":
        return masked.sum() / max(norm.tokens, 1)
    if aggregation == "seq_mean":
        lengths = mask.sum(dim=1).clamp(min=1.0)
        return (masked.sum(dim=1) / lengths).sum() / max(norm.sequences, 1)
    if aggregation == "dr_grpo":
        return masked.sum() / max(norm.sequences * norm.max_tokens, 1)
    raise ValueError(f"unknown loss aggregation {aggregation!r}; use seq_mean, token_mean or dr_grpo")


def token_logprobs(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """``log softmax(logits)[target]`` per position, in float32, without materialising the full table."""
    logits = logits.float()
    return logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - torch.logsumexp(logits, dim=-1)


def token_entropy(logits: torch.Tensor) -> torch.Tensor:
    """Entropy of the next-token distribution at each position (nats)."""
    logp = torch.log_softmax(logits.float(), dim=-1)
    return -(logp.exp() * logp).sum(dim=-1)
