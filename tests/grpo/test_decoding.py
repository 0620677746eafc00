"""The compacting decoder (`baselines.grpo.backends.decoding`) against transformers' own ``generate``."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from baselines.grpo.backends import decoding
from baselines.grpo.backends.base import SamplingSettings
from baselines.grpo.backends.hf import HFBackend


def _prompts(tokenizer: Any) -> list[list[int]]:
    """Prompts of different lengths, so the batch is left-padded."""
    texts = ["<|user|>Compute $3 + 4$.<|end|><|assistant|>", "<|user|>What is $12 \\times 7 - 5$?<|end|><|assistant|>"]
    texts += [f"<|user|>Compute the value of ${i} + {i * 3} - 2$, step by step.<|end|><|assistant|>" for i in range(6)]
    return [tokenizer.encode(text, add_special_tokens=False) for text in texts]


@pytest.fixture
def lively_model(small_model: Any) -> Any:
    """The small model with its matrices redrawn at std 0.3: the default initialisation repeats one
    token for every prompt, these weights give prompt-dependent continuations, some ending early,
    and a peaked next-token distribution, so a wrong temperature or filter shows in the frequencies."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for parameter in small_model.parameters():
            if parameter.dim() > 1:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.3)
    return small_model


def _stops_at_different_steps(backend: HFBackend, prompts: list[list[int]], length: int) -> frozenset[int]:
    """The eos tokens plus two tokens that greedy continuations reach at different steps, so that
    rows end early and apart and compaction drops rows from the batch several times."""
    free = backend.generate(prompts, SamplingSettings(max_new_tokens=length, greedy=True))
    longest = sorted(free, key=len, reverse=True)
    return backend.stop_ids | {longest[0][3], longest[1][length // 2]}


def test_greedy_tokens_equal_generate_while_rows_end_apart(lively_model: Any, tokenizer: Any) -> None:
    prompts = _prompts(tokenizer)
    reference = HFBackend(lively_model, tokenizer, decoder="generate")
    compact = HFBackend(lively_model, tokenizer)
    assert compact.decoder == "compact"  # the default
    stops = _stops_at_different_steps(reference, prompts, 16)
    reference.stop_ids = compact.stop_ids = stops
    greedy = SamplingSettings(max_new_tokens=16, greedy=True)
    lively_model.train()
    expected = reference.generate(prompts, greedy)
    got = compact.generate(prompts, greedy)
    assert got == expected
    lengths = {len(ids) for ids in got}
    assert len(lengths) > 2 and max(lengths) <= 16  # rows did end at different steps, within the cap
    assert all(ids[-1] in stops for ids in got if len(ids) < 16)
    assert all(stop not in ids[:-1] for ids in got for stop in stops)  # nothing after a row's first stop
    assert lively_model.training  # generation leaves the training mode as it found it


def _first_token_probabilities(model: Any, prompt: list[int], temperature: float) -> torch.Tensor:
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([prompt])).logits[0, -1].float()
    return torch.softmax(logits / temperature, dim=-1)


@pytest.mark.parametrize(("temperature", "top_k", "top_p"), [(0.7, 0, 1.0), (1.5, 4, 1.0), (1.0, 0, 0.6)])
def test_samples_follow_the_configured_distribution(
    lively_model: Any, tokenizer: Any, temperature: float, top_k: int, top_p: float
) -> None:
    model = lively_model
    prompt = _prompts(tokenizer)[1]
    probabilities = _first_token_probabilities(model, prompt, temperature)
    order = torch.argsort(probabilities, descending=True)
    allowed = torch.zeros_like(probabilities, dtype=torch.bool)
    if top_k:
        allowed[order[:top_k]] = True
    elif top_p < 1.0:
        before = torch.cumsum(probabilities[order], 0) - probabilities[order]
        allowed[order[before < top_p]] = True  # the smallest set reaching top_p, as transformers keeps it
    else:
        allowed[:] = True
    expected = torch.where(allowed, probabilities, 0.0)
    expected /= expected.sum()
    torch.manual_seed(0)
    draws = 8000
    settings = SamplingSettings(max_new_tokens=1, temperature=temperature, top_k=top_k, top_p=top_p)
    tokens = [ids[0] for ids in HFBackend(model, tokenizer, batch_size=1000).generate([prompt] * draws, settings)]
    observed = torch.bincount(torch.tensor(tokens), minlength=len(probabilities)).float() / draws
    assert observed[~allowed].sum() == 0  # nothing outside top-k / top-p
    # total variation that sampling noise alone gives on average (a binomial count per token), x3
    bound = 3 * 0.5 * float((2 * expected * (1 - expected) / (torch.pi * draws)).sqrt().sum())
    total_variation = 0.5 * float((observed - expected).abs().sum())
    assert total_variation < bound, f"frequencies {total_variation:.3f} from the model (bound {bound:.3f})"
    if temperature != 1.0:  # and the check can tell a forgotten temperature apart
        untempered = torch.where(allowed, _first_token_probabilities(model, prompt, 1.0), 0.0)
        assert 0.5 * float((expected - untempered / untempered.sum()).abs().sum()) > 2 * bound


def test_a_cache_that_cannot_drop_rows_falls_back_to_generate(
    lively_model: Any, tokenizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = _prompts(tokenizer)
    greedy = SamplingSettings(max_new_tokens=8, greedy=True)
    expected = HFBackend(lively_model, tokenizer, decoder="generate").generate(prompts, greedy)
    monkeypatch.setattr(decoding, "supports_compaction", lambda cache: False)
    backend = HFBackend(lively_model, tokenizer)
    with pytest.warns(UserWarning, match=r"rollout.hf_decoder = 'compact' needs a key-value cache that can drop rows"):
        assert backend.generate(prompts, greedy) == expected
    assert backend.decoder == "generate"  # and it stays there: no warning per call


def test_an_unknown_decoder_is_refused(small_model: Any, tokenizer: Any) -> None:
    with pytest.raises(ValueError, match="unknown decoder 'fast'; use 'compact' or 'generate'"):
        HFBackend(small_model, tokenizer, decoder="fast")  # type: ignore[arg-type]
