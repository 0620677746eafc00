"""Group-normalised advantages against hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch

from baselines.grpo.advantages import group_advantages, zero_variance


def test_grpo_advantages_scale_by_the_unbiased_group_std() -> None:
    rewards = torch.tensor([[1.0, 0.0, 0.0, 1.0]])
    # mean 0.5; unbiased std sqrt((4 * 0.25) / 3) = 0.57735
    expected = 0.5 / math.sqrt(1 / 3)
    advantages = group_advantages(rewards, eps=0.0)
    assert torch.allclose(advantages, torch.tensor([[expected, -expected, -expected, expected]]), atol=1e-6)


def test_without_std_scaling_advantages_stay_in_reward_units() -> None:
    rewards = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.5, 0.25, 0.25, 0.0]])
    advantages = group_advantages(rewards, scale_std=False)
    assert torch.allclose(advantages[0], torch.tensor([0.75, -0.25, -0.25, -0.25]))
    assert torch.allclose(advantages[1], torch.tensor([0.25, 0.0, 0.0, -0.25]))


def test_leave_one_out_uses_the_mean_of_the_other_rewards() -> None:
    rewards = torch.tensor([[1.0, 0.0, 0.0, 0.0]])
    advantages = group_advantages(rewards, scale_std=False, leave_one_out=True)
    # r_i - mean(others): 1 - 0 = 1, and 0 - 1/3 = -1/3 for the others
    assert torch.allclose(advantages, torch.tensor([[1.0, -1 / 3, -1 / 3, -1 / 3]]), atol=1e-6)


def test_leave_one_out_with_std_scaling() -> None:
    rewards = torch.tensor([[1.0, 0.0]])
    # RLOO: [1, -1]; group std (unbiased) of [1, 0] = sqrt(0.5)
    advantages = group_advantages(rewards, leave_one_out=True, eps=0.0)
    assert torch.allclose(advantages, torch.tensor([[1.0, -1.0]]) / math.sqrt(0.5), atol=1e-6)


def test_all_equal_groups_get_zero_advantage_and_are_flagged() -> None:
    rewards = torch.tensor([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    for options in ({}, {"scale_std": False}, {"leave_one_out": True}):
        advantages = group_advantages(rewards, **options)
        assert torch.equal(advantages[:2], torch.zeros(2, 3))
        assert advantages[2].abs().sum() > 0
    assert zero_variance(rewards).tolist() == [True, True, False]


def test_shape_is_checked() -> None:
    with pytest.raises(ValueError, match="groups, G"):
        group_advantages(torch.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="G >= 2"):
        group_advantages(torch.tensor([[1.0]]))
