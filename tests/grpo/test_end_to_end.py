"""A few real GRPO steps on two envs (slow), and the CUDA smoke test (skipped without a GPU)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from baselines.grpo.checkpoint import latest_checkpoint
from baselines.grpo.config import load_config
from baselines.grpo.train import run_training

# A model that knows nothing never boxes an answer; scoring any number (0) above none (-1) gives
# its groups reward variance, so these few steps really update the weights.
VARIED = ['env.kwargs.answer_sources=["last_number"]', "env.kwargs.reward.no_answer=-1.0"]
TINY = ["model.tiny.hidden_size=64", "model.tiny.num_layers=2", "model.tiny.head_dim=32",
        "model.tiny.corpus_tasks=200", "model.tiny.vocab_size=400"]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("env_id", "turns"), [("rlvr/Math-v0", 1), ("rlvr/MathRetry-v0", 3)])
def test_a_few_grpo_steps_end_to_end(env_id: str, turns: int, tmp_path: Path) -> None:
    config = load_config(
        None,
        [*TINY, *VARIED, f"env.id='{env_id}'", 'env.kwargs.generators=["arithmetic"]', f"run.out_dir='{tmp_path}'",
         "run.max_steps=4", "rollout.groups_per_step=4", "rollout.group_size=4", "rollout.max_new_tokens=12",
         "optim.lr=1e-3", "logging.progress=false", "checkpoint.every=2", "algo.beta=0.05", "run.device=cpu"],
    )  # fmt: skip
    result = run_training(config)
    assert result["steps"] == 4
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [1, 2, 3, 4]
    for record in records:
        assert record["turns/mean"] <= turns and record["tokens/generated"] > 0
        assert 0.0 <= record["zero_variance_share"] <= 1.0 and record["entropy"] > 0
    if turns > 1:
        assert max(r["turns/mean"] for r in records) > 1  # wrong answers got feedback and another turn
    assert any(r["kl"] > 0 for r in records[1:])  # the policy left the reference
    assert (tmp_path / "learning_curves.png").stat().st_size > 10_000
    assert "curriculum: frontier" in (tmp_path / "report.md").read_text()
    assert latest_checkpoint(tmp_path).name == "step-000004"
    # --resume from the last checkpoint with a higher step limit continues the run
    more = config.model_copy(update={"run": config.run.model_copy(update={"max_steps": 5})})
    assert run_training(more, resume=True)["steps"] == 5


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_smoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A small config on the GPU in bf16: a few steps, throughput printed (run with -s to see it)."""
    config = load_config(
        None,
        [*VARIED, 'env.kwargs.generators=["arithmetic"]', f"run.out_dir='{tmp_path}'", "run.max_steps=5",
         "run.device=cuda", "model.dtype=auto", "rollout.groups_per_step=16", "rollout.group_size=8",
         "rollout.max_new_tokens=64", "model.tiny.hidden_size=256", "model.tiny.num_layers=4",
         "model.tiny.num_heads=4", "logging.progress=false", "optim.lr=1e-3"],
    )  # fmt: skip
    result = run_training(config)
    records = result["records"]
    assert result["steps"] == 5 and all(r["tokens/generated"] > 0 for r in records)
    generation = sum(r["tokens/generated"] for r in records) / sum(r["time/generation_s"] for r in records)
    training = sum(r["tokens/train_per_s"] for r in records) / len(records)
    with capsys.disabled():
        print(f"\nCUDA smoke ({torch.cuda.get_device_name()}): {generation:.0f} generated tokens/s, "
              f"{training:.0f} trained tokens/s, bf16 autocast")  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("env_id", ["rlvr/Code-v0", "rlvr/LongContextSearch-v0"])
def test_grpo_steps_on_tool_and_feedback_envs(env_id: str, tmp_path: Path) -> None:
    """Envs with long prompts, tools and feedback turns go through the same loop unchanged."""
    config = load_config(
        None,
        [*TINY, f"env.id='{env_id}'", f"run.out_dir='{tmp_path}'", "run.max_steps=2", "rollout.groups_per_step=2",
         "rollout.group_size=2", "rollout.max_new_tokens=16", "rollout.max_context_tokens=3072",
         "model.tiny.max_positions=4096", "model.tiny.corpus_tasks=40", "model.tiny.corpus_levels=[0]",
         "logging.progress=false", "run.device=cpu", "curriculum.kind='fixed'", "curriculum.level=0"],
    )  # fmt: skip
    result = run_training(config)
    assert result["steps"] == 2
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert all(r["tokens/generated"] > 0 and r["level/mean"] == 0 for r in records)
    assert (tmp_path / "report.md").is_file()
