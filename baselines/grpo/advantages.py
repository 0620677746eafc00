"""Group-relative advantages: each rollout's reward against the other rollouts of the same task."""

from __future__ import annotations

import torch


def group_advantages(
    rewards: torch.Tensor, *, scale_std: bool = True, leave_one_out: bool = False, eps: float = 1e-4
) -> torch.Tensor:
    """Advantages for a ``[groups, G]`` reward tensor (G rollouts of one task per row).

    - baseline: the group mean (GRPO), or with ``leave_one_out`` the mean of the *other* G-1
      rewards (RLOO), i.e. ``G / (G - 1) * (r - mean)``;
    - ``scale_std``: divide by the group's sample standard deviation (unbiased, as TRL) plus
      ``eps``; off, the advantages stay in reward units (Dr.GRPO).

    A group whose rewards are all equal gets zero advantages either way.
    """
    if rewards.dim() != 2 or rewards.shape[1] < 2:
        raise ValueError(f"rewards must have shape [groups, G] with G >= 2, got {tuple(rewards.shape)}")
    rewards = rewards.float()
    size = rewards.shape[1]
    mean = rewards.mean(dim=1, keepdim=True)
    advantages = (rewards - mean) * (size / (size - 1)) if leave_one_out else rewards - mean
    if scale_std:
        advantages = advantages / (rewards.std(dim=1, keepdim=True) + eps)
    return advantages


def zero_variance(rewards: torch.Tensor, tol: float = 1e-8) -> torch.Tensor:
    """``[groups]`` bool: True where every rollout of the group got the same reward (nothing to learn)."""
    return (rewards.max(dim=1).values - rewards.min(dim=1).values) <= tol
