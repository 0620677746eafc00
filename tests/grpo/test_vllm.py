"""The ``vllm`` backend for real (slow; needs vLLM: `make install-vllm` then `make test-vllm`).

A few GRPO steps generate with a colocated vLLM engine; after every optimizer step the trainer's
weights are pushed into the engine, so its greedy generations must equal transformers' greedy
generations with the *current* weights, and differ from what the engine produced before training.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

pytest.importorskip("vllm", reason="vLLM is not installed (make install-vllm creates .venv-vllm)")

from baselines.grpo.backends.base import SamplingSettings
from baselines.grpo.backends.hf import HFBackend
from baselines.grpo.config import load_config
from baselines.grpo.sft import supervised_target
from baselines.grpo.tiny import build_tiny
from baselines.grpo.trainer import GRPOTrainer

pytestmark = pytest.mark.slow


def test_grpo_steps_with_vllm_sync_weights_into_the_engine(tmp_path: Path) -> None:
    config = load_config(
        None,
        [
            f"run.out_dir='{tmp_path}'", "run.max_steps=3", "rollout.backend=vllm", "rollout.groups_per_step=4",
            "rollout.group_size=4", "rollout.max_new_tokens=12", "rollout.max_context_tokens=200",
            "rollout.dynamic_sampling=false", 'env.kwargs.generators=["arithmetic"]', "optim.lr=0.05",
            # a random model never boxes an answer: score any number (0) above none (-1), so groups differ
            'env.kwargs.answer_sources=["last_number"]', "env.kwargs.reward.no_answer=-1.0",
            "logging.progress=false", "model.tiny.corpus_tasks=200", "model.tiny.vocab_size=400",
        ],
    )  # fmt: skip
    torch.manual_seed(0)
    model, tokenizer = build_tiny(
        config.env.id, config.env.kwargs, config.model.tiny, seed=0, target=supervised_target
    )  # head_dim 64: what vLLM's CPU attention accepts
    trainer = GRPOTrainer(config, model, tokenizer, device=torch.device("cpu"))
    hf = HFBackend(model, tokenizer)
    greedy = SamplingSettings(12, greedy=True)
    prompts = [trainer.collector.formatter.encode(f"<|user|>Compute the value of ${i} + {i + 2}$.<|end|><|assistant|>")
               for i in range(6)]  # fmt: skip
    try:
        before = trainer.backend.generate(prompts, greedy)
        assert before == hf.generate(prompts, greedy)  # the engine starts from the same weights
        records = trainer.train()
        assert len(records) == 3 and all(r["tokens/generated"] > 0 for r in records)
        assert trainer.backend.syncs >= 3  # once per trainer step
        after = trainer.backend.generate(prompts, greedy)
        assert after == hf.generate(prompts, greedy)  # ...and follows every update
        assert after != before  # lr 0.05 moved the greedy continuations
        # without a sync the engine keeps the old weights
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.add_(torch.randn_like(parameter))
        assert trainer.backend.generate(prompts, greedy) == after != hf.generate(prompts, greedy)
        trainer.backend.sync_weights(model)
        assert trainer.backend.generate(prompts, greedy) == hf.generate(prompts, greedy)
    finally:
        trainer.close()
