"""Trainer: dynamic sampling, held-out exclusion, metrics, LR schedule, devices, and exact resume."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import torch

from baselines.grpo.checkpoint import latest_checkpoint, list_checkpoints, resolve_resume
from baselines.grpo.config import ConfigError, TrainConfig, load_config
from baselines.grpo.evaluate import distinct_held_out, held_out_requests, prompt_keys
from baselines.grpo.model import autocast_dtype, resolve_device
from baselines.grpo.rollout import HELD_OUT_SEED_BASE, prompt_key
from baselines.grpo.train import run_training
from baselines.grpo.trainer import GRPOTrainer, LRSchedule
from baselines.grpo.worked import solve_arithmetic
from tests.grpo.conftest import ScriptedBackend

TINY = [
    "model.tiny.hidden_size=32", "model.tiny.num_layers=1", "model.tiny.num_heads=2", "model.tiny.head_dim=16",
    "model.tiny.intermediate_size=64", "model.tiny.vocab_size=400", "model.tiny.corpus_tasks=100",
]  # fmt: skip


def odd_gold_policy(prompt: str, index: int) -> str:
    """Right on even rollout indices when the gold answer is odd; always wrong when it is even."""
    solved = solve_arithmetic(prompt)
    gold = solved[0] if solved else 0
    if gold % 2 == 1 and index % 2 == 0:
        return f"\\boxed{{{gold}}}"
    return f"\\boxed{{{gold + 1000}}}"


def trainer_config(tmp_path: Path, *overrides: str) -> TrainConfig:
    return load_config(
        None,
        [
            f"run.out_dir='{tmp_path}'",
            'env.kwargs.generators=["arithmetic"]',
            "rollout.groups_per_step=4",
            "rollout.group_size=4",
            "rollout.max_new_tokens=16",
            "curriculum.kind=frontier",
            "logging.progress=false",
            *overrides,
        ],
    )


def make_trainer(small_model: Any, tokenizer: Any, tmp_path: Path, *overrides: str) -> GRPOTrainer:
    trainer = GRPOTrainer(trainer_config(tmp_path, *overrides), small_model, tokenizer, device=torch.device("cpu"))
    trainer.backend = trainer.collector.backend = ScriptedBackend(tokenizer, odd_gold_policy)
    return trainer


def test_dynamic_sampling_keeps_only_informative_groups(small_model: Any, tokenizer: Any, tmp_path: Path) -> None:
    trainer = make_trainer(small_model, tokenizer, tmp_path, "rollout.max_sampling_rounds=4")
    batch = trainer.sample_batch()
    assert 1 <= batch.rounds <= 4 and len(batch.kept) <= 4
    assert all(len(set(g.rewards)) > 1 for g in batch.kept)  # no zero-variance group is trained on
    flat = [g for g in batch.generated if len(set(g.rewards)) == 1]
    assert all(set(g.rewards) == {0.0} for g in flat)  # even gold: everyone wrong
    assert len(batch.kept) == 4 or batch.rounds == 4  # stops when full or out of rounds
    informative = [g for g in batch.generated if len(set(g.rewards)) > 1]
    assert batch.kept == informative[:4]
    # every generated rollout, kept or not, updated the curriculum
    assert trainer.controller.state().stats["rollouts"] == 4 * len(batch.generated)


def test_without_dynamic_sampling_every_group_is_kept(small_model: Any, tokenizer: Any, tmp_path: Path) -> None:
    trainer = make_trainer(small_model, tokenizer, tmp_path, "rollout.dynamic_sampling=false")
    batch = trainer.sample_batch()
    assert batch.rounds == 1 and batch.kept == batch.generated and len(batch.kept) == 4


def test_train_step_metrics(small_model: Any, tokenizer: Any, tmp_path: Path) -> None:
    trainer = make_trainer(small_model, tokenizer, tmp_path, "rollout.dynamic_sampling=false", "optim.lr=1e-3")
    before = [p.detach().clone() for p in small_model.parameters()]
    record = trainer.train_step()
    for key in (
        "reward/mean", "reward/correct", "reward/format", "accuracy", "level/mean", "level/frontier",
        "zero_variance_share", "kl", "entropy", "clip_fraction", "tokens/generation_per_s", "tokens/train_per_s",
        "wall_time_s", "loss", "grad_norm", "lr",
    ):  # fmt: skip
        assert key in record, key
    assert record["step"] == 1 and record["groups/kept"] == 4 and record["optimizer_steps"] == 1
    assert record["kl"] == 0.0 and record["clip_fraction"] == 0.0  # on-policy, no reference
    assert record["ratio_mean"] == pytest.approx(1.0)
    changed = any(not torch.equal(a, b) for a, b in zip(before, small_model.parameters(), strict=True))
    assert changed == (record["zero_variance_share"] < 1.0)


def test_several_updates_per_batch_clip_and_kl(small_model: Any, tokenizer: Any, tmp_path: Path) -> None:
    trainer = make_trainer(
        small_model, tokenizer, tmp_path, "rollout.dynamic_sampling=false", "algo.iterations=2",
        "algo.minibatches=2", "algo.beta=0.1", "optim.lr=0.05", "algo.clip_low=0.01", "algo.clip_high=0.01",
    )  # fmt: skip
    record = trainer.train_step()
    assert record["optimizer_steps"] == 4 and trainer.counters.optimizer_steps == 4
    if record["zero_variance_share"] < 1.0:
        assert record["kl"] > 0.0 and record["clip_fraction"] > 0.0  # the policy moved away from both


def test_demonstration_term_needs_demonstrations_and_fits_them(
    small_model: Any, tokenizer: Any, tmp_path: Path
) -> None:
    """``algo.demo_coef``: refused without demonstrations; with them, it alone moves the policy when
    every group is flat (all wrong), towards the demonstrations."""
    overrides = ("rollout.dynamic_sampling=false", "algo.demo_coef=1.0", "algo.demo_batch=4", "optim.lr=3e-3")
    with pytest.raises(ConfigError, match=r"algo\.demo_coef = 1\.0 needs demonstrations"):
        make_trainer(small_model, tokenizer, tmp_path, *overrides)
    prompt = tokenizer.encode("<|user|>Compute the value of $2 + 3$.<|end|><|assistant|>")
    target = tokenizer.encode("2 + 3 = 5. \\boxed{5}<|end|>")
    example = (prompt + target, [0] * len(prompt) + [1] * len(target))
    config = trainer_config(tmp_path, *overrides)
    trainer = GRPOTrainer(config, small_model, tokenizer, device=torch.device("cpu"), demonstrations=lambda: example)
    trainer.backend = trainer.collector.backend = ScriptedBackend(tokenizer, lambda prompt, index: "\\boxed{-999}")
    records = [trainer.train_step() for _ in range(3)]
    assert all(r["zero_variance_share"] == 1.0 for r in records)  # no policy-gradient signal at all
    nll = [r["loss/demonstrations"] for r in records]
    assert nll[2] < nll[0]  # measured before each update: the term fitted the demonstration
    trainer.close()


def test_held_out_prompts_are_never_drawn(small_model: Any, tokenizer: Any, tmp_path: Path) -> None:
    trainer = make_trainer(small_model, tokenizer, tmp_path, "curriculum.kind=fixed", "curriculum.level=0")
    state = copy.deepcopy(trainer.rng.bit_generator.state)
    first = trainer.draw_group()
    trainer.rng.bit_generator.state = state  # the same draw again, now with its prompt held out
    trainer.exclude = {prompt_key(trainer.collector.probe(first)[0])}
    second = trainer.draw_group()
    assert second.seed != first.seed and trainer.counters.skipped_prompts == 1
    assert prompt_key(trainer.collector.probe(second)[0]) not in trainer.exclude
    requests = held_out_requests([0, 1], 5)
    assert len(requests) == 10 and min(r.seed for r in requests) >= HELD_OUT_SEED_BASE
    assert len(prompt_keys(trainer.collector, requests)) >= 8
    distinct, keys = distinct_held_out(trainer.collector, [0, 1], 40)
    assert len(distinct) == len(keys) == 80 and {r.level for r in distinct} == {0, 1}
    assert min(r.seed for r in distinct) >= HELD_OUT_SEED_BASE


def test_lr_schedules() -> None:
    constant = LRSchedule("constant", warmup=4, total=10)
    assert [constant(s) for s in (0, 3, 9)] == [0.25, 1.0, 1.0]
    linear = LRSchedule("linear", warmup=0, total=10, min_ratio=0.1)
    assert linear(0) == 1.0 and linear(5) == pytest.approx(0.55) and linear(10) == pytest.approx(0.1)
    cosine = LRSchedule("cosine", warmup=2, total=12)
    assert cosine(2) == 1.0 and cosine(7) == pytest.approx(0.5) and cosine(12) == pytest.approx(0.0)


def test_device_and_precision_selection() -> None:
    assert resolve_device("auto", cuda_available=False).type == "cpu"
    assert resolve_device("auto", cuda_available=True).type == "cuda"
    assert resolve_device("cpu", cuda_available=True).type == "cpu"
    with pytest.raises(RuntimeError, match="no CUDA device"):
        resolve_device("cuda", cuda_available=False)
    assert autocast_dtype("auto", torch.device("cuda")) == torch.bfloat16
    assert autocast_dtype("auto", torch.device("cpu")) is None
    assert autocast_dtype("float32", torch.device("cuda")) is None
    assert autocast_dtype("bfloat16", torch.device("cpu")) == torch.bfloat16


DETERMINISTIC = ("reward/mean", "accuracy", "loss", "grad_norm", "entropy", "level/frontier", "tokens/generated")


def test_resume_continues_exactly(tmp_path: Path) -> None:
    common = [
        *TINY, 'env.kwargs.generators=["arithmetic"]', "rollout.groups_per_step=2", "rollout.group_size=4",
        "rollout.max_new_tokens=6", "optim.lr=3e-3", "logging.progress=false", "logging.plot=false",
        "curriculum.kind=thompson", "checkpoint.every=2", "run.threads=1",
    ]  # fmt: skip
    straight = tmp_path / "straight"
    run_training(load_config(None, [*common, f"run.out_dir='{straight}'", "run.max_steps=4"]))
    split = tmp_path / "split"
    run_training(load_config(None, [*common, f"run.out_dir='{split}'", "run.max_steps=2"]))
    assert [p.name for p in list_checkpoints(split)] == ["step-000002"]
    run_training(load_config(None, [*common, f"run.out_dir='{split}'", "run.max_steps=4"]), resume=True)

    def records(out: Path) -> list[dict[str, Any]]:
        lines = (out / "metrics.jsonl").read_text().splitlines()
        return [{k: json.loads(line).get(k) for k in ("step", *DETERMINISTIC)} for line in lines]

    assert records(split) == records(straight) and len(records(split)) == 4
    from safetensors.torch import load_file

    weights = [load_file(latest_checkpoint(out) / "model" / "model.safetensors") for out in (straight, split)]
    assert weights[0].keys() == weights[1].keys()
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])
    curriculum = [json.loads((latest_checkpoint(out) / "curriculum.json").read_text()) for out in (straight, split)]
    assert curriculum[0] == curriculum[1]
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        resolve_resume(tmp_path / "nowhere", True)
