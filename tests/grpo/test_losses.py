"""The clipped surrogate, KL and the three aggregations against hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch

from baselines.grpo.losses import Normaliser, aggregate, kl_k3, policy_loss, token_entropy, token_logprobs


def _loss(ratio: float, advantage: float, **kwargs: float) -> tuple[float, float, float]:
    logp = torch.tensor([[math.log(ratio)]])
    parts = policy_loss(logp, torch.zeros(1, 1), torch.tensor([advantage]), torch.ones(1, 1), **kwargs)
    return float(parts.loss), parts.clipped_low, parts.clipped_high


def test_on_policy_loss_is_minus_the_advantage() -> None:
    assert _loss(1.0, 2.0) == (-2.0, 0.0, 0.0)
    assert _loss(1.0, -0.5) == (0.5, 0.0, 0.0)


def test_clip_higher_caps_positive_advantages_at_one_plus_clip_high() -> None:
    loss, low, high = _loss(1.5, 1.0, clip_low=0.2, clip_high=0.28)
    assert loss == pytest.approx(-1.28) and (low, high) == (0.0, 1.0)
    loss, _, high = _loss(1.25, 1.0, clip_low=0.2, clip_high=0.28)  # inside the band: unclipped
    assert loss == pytest.approx(-1.25) and high == 0.0


def test_clip_low_caps_negative_advantages_at_one_minus_clip_low() -> None:
    loss, low, high = _loss(0.5, -1.0, clip_low=0.2, clip_high=0.28)
    assert loss == pytest.approx(0.8) and (low, high) == (1.0, 0.0)


def test_pessimistic_side_is_never_clipped() -> None:
    # ratio above the band with a negative advantage: min() keeps the unclipped (worse) term
    loss, low, high = _loss(1.5, -1.0, clip_low=0.2, clip_high=0.28)
    assert loss == pytest.approx(1.5) and (low, high) == (0.0, 0.0)
    loss, _, _ = _loss(0.5, 1.0, clip_low=0.2, clip_high=0.28)
    assert loss == pytest.approx(-0.5)


def test_k3_kl_estimator() -> None:
    logp, ref = torch.tensor([math.log(0.5)]), torch.tensor([math.log(0.25)])
    d = math.log(0.5)
    assert float(kl_k3(logp, ref)) == pytest.approx(math.exp(d) - d - 1)
    assert float(kl_k3(logp, logp)) == 0.0


def test_kl_term_is_added_with_beta() -> None:
    logp = torch.tensor([[math.log(0.5)]])
    ref = torch.tensor([[math.log(0.25)]])
    parts = policy_loss(logp, logp, torch.tensor([0.0]), torch.ones(1, 1), beta=0.1, ref_logp=ref)
    assert float(parts.loss) == pytest.approx(0.1 * (0.5 - math.log(0.5) - 1))
    with pytest.raises(ValueError, match="ref_logp"):
        policy_loss(logp, logp, torch.tensor([0.0]), torch.ones(1, 1), beta=0.1)


def test_three_aggregations() -> None:
    # sequence 0 has one token (loss a), sequence 1 three tokens (b, c, d); padding masked out
    per_token = torch.tensor([[1.0, 9.0, 9.0], [2.0, 3.0, 4.0]])
    mask = torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    norm = Normaliser.of(mask, max_tokens=4)
    assert float(aggregate(per_token, mask, "seq_mean", norm)) == pytest.approx((1 + (2 + 3 + 4) / 3) / 2)
    assert float(aggregate(per_token, mask, "token_mean", norm)) == pytest.approx((1 + 2 + 3 + 4) / 4)
    assert float(aggregate(per_token, mask, "dr_grpo", norm)) == pytest.approx((1 + 2 + 3 + 4) / (2 * 4))
    with pytest.raises(ValueError, match="unknown loss aggregation"):
        aggregate(per_token, mask, "mean", norm)  # type: ignore[arg-type]


@pytest.mark.parametrize("aggregation", ["seq_mean", "token_mean", "dr_grpo"])
def test_micro_batches_with_batch_normalisers_add_up_to_the_batch_loss(aggregation: str) -> None:
    torch.manual_seed(0)
    weights = torch.randn(4, 5, requires_grad=True)
    old = torch.randn(4, 5)
    advantages = torch.tensor([1.0, -0.5, 0.25, 2.0])
    mask = torch.tensor([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0], [1, 1, 1, 0, 0]], dtype=torch.float32)
    norm = Normaliser.of(mask, max_tokens=5)

    def run(rows: list[list[int]]) -> tuple[float, torch.Tensor]:
        weights.grad = None
        total = 0.0
        for part in rows:
            logp = torch.log_softmax(weights, dim=1)[part]
            out = policy_loss(logp, old[part], advantages[part], mask[part], aggregation=aggregation, normaliser=norm)
            out.loss.backward()
            total += float(out.loss.detach())
        return total, weights.grad.clone()

    whole, grad_whole = run([[0, 1, 2, 3]])
    split, grad_split = run([[0, 1], [2], [3]])
    assert split == pytest.approx(whole, rel=1e-6)
    assert torch.allclose(grad_split, grad_whole, atol=1e-6)


def test_on_policy_gradient_is_minus_advantage_over_tokens() -> None:
    logp = torch.zeros(2, 2, requires_grad=True)
    mask = torch.tensor([[1.0, 1.0], [1.0, 0.0]])
    parts = policy_loss(logp, logp.detach(), torch.tensor([1.0, -2.0]), mask, aggregation="token_mean")
    parts.loss.backward()
    assert torch.allclose(logp.grad, torch.tensor([[-1 / 3, -1 / 3], [2 / 3, 0.0]]))
    assert parts.tokens == 3.0 and parts.ratio_sum == pytest.approx(3.0)


def test_token_logprobs_and_entropy() -> None:
    logits = torch.log(torch.tensor([[[0.5, 0.25, 0.25]]]))
    assert float(token_logprobs(logits, torch.tensor([[1]]))) == pytest.approx(math.log(0.25))
    expected = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))
    assert float(token_entropy(logits)) == pytest.approx(expected)


def test_score_uses_the_sampling_temperature() -> None:
    from baselines.grpo.batching import pad, score

    class Fixed(torch.nn.Module):
        def forward(self, input_ids: torch.Tensor, **kwargs: object) -> object:
            logits = torch.tensor([[2.0, 0.0, -1.0]]).expand(*input_ids.shape, 3)
            return type("Out", (), {"logits": logits})()

    batch = pad([[0, 1, 2]], [[0, 1, 1]], pad_id=0)
    for temperature in (1.0, 2.0):
        logp, _ = score(Fixed(), batch, temperature=temperature)
        expected = torch.log_softmax(torch.tensor([2.0, 0.0, -1.0]) / temperature, dim=0)
        assert torch.allclose(logp[0], expected[[1, 2]])
