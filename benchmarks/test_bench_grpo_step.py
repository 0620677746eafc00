"""A CPU demo GRPO step's two costs, each against its alternative in the same run:

1. rollout generation: transformers' ``generate`` vs the compacting decoder (``rollout.hf_decoder``);
2. the optimizer step: ``GRPOTrainer.optimise`` with micro-batches of 128 (the whole batch, padded
   to its longest sequence) vs 32 (sorted by length, so a long sample pads only its micro-batch).

Run (from the repository root; about three minutes on one core)::

    .venv/bin/pytest benchmarks/test_bench_grpo_step.py -p no:cacheprovider -s -o addopts=""

The model is the CPU demo's own (``baselines/grpo/configs/math_demo.toml``: tokenizer and tiny Llama
built from scratch), warmed up with ``RLVR_BENCH_SFT_STEPS`` (default 300) supervised steps on the
demo's pool, so it ends its answers the way the demo's policy does, most of them after about 20
tokens, a few not before the cap. Both decoders get the same 128 prompts (levels 0-5, one demo GRPO
round: 16 groups x 8), one thread, and the same torch seed per round:

* sampled at the demo's temperature (1.5) with its 96-token cap, what GRPO's rollouts do;
* greedy, what the held-out evaluation and the validation checks do; both decoders must give the
  same tokens there.

The table reports the median time per batch, the tokens sampled per second and the ratio, and is
written to ``benchmarks/results/generation.md``.

The optimizer-step comparison takes ``RLVR_BENCH_TRAIN_BATCHES`` (default 8) batches of 16 groups x 8
rollouts sampled by that policy through the trainer's own collector, and times ``optimise`` on each,
from the same weights, for both micro-batch sizes: ``benchmarks/results/grpo_training.md``.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs the train extra")
pytest.importorskip("transformers", reason="needs the train extra")

import rlvr_envs  # noqa: E402
from baselines.grpo.backends.base import SamplingSettings  # noqa: E402
from baselines.grpo.backends.hf import HFBackend  # noqa: E402
from baselines.grpo.config import load_config  # noqa: E402
from baselines.grpo.rollout import GroupRequest  # noqa: E402
from baselines.grpo.sft import demo_stream, make_sft_optimizer, sft_train, supervised_target  # noqa: E402
from baselines.grpo.tiny import build_tiny  # noqa: E402
from baselines.grpo.trainer import GRPOTrainer  # noqa: E402

from .conftest import RESULTS, machine_lines, publish  # noqa: E402

CONFIG = Path(__file__).resolve().parents[1] / "baselines" / "grpo" / "configs" / "math_demo.toml"
SFT_STEPS = int(os.environ.get("RLVR_BENCH_SFT_STEPS", "300"))
ROUNDS = int(os.environ.get("RLVR_BENCH_GENERATION_ROUNDS", "7"))
TRAIN_BATCHES = int(os.environ.get("RLVR_BENCH_TRAIN_BATCHES", "8"))
BATCH = 128


@pytest.fixture(scope="module")
def demo_policy() -> tuple[Any, Any, Any]:
    """The demo's config, its tiny model after a short warm-up, and its tokenizer."""
    torch.set_num_threads(1)
    return _demo_policy()


def _demo_policy() -> tuple[Any, Any, Any]:
    config = load_config(CONFIG)
    model, tokenizer = build_tiny(config.env.id, config.env.kwargs, config.model.tiny, seed=0, target=supervised_target)
    assert config.demo is not None
    stream = demo_stream(config, tokenizer, np.random.default_rng(0), exclude=set())
    try:
        optimizer, scheduler = make_sft_optimizer(model, config.demo.sft.lr, config.demo.sft.warmup_steps)
        sft_train(model, optimizer, scheduler, stream, batch_size=config.demo.sft.batch_size, max_steps=SFT_STEPS)
    finally:
        stream.close()
    return config, model, tokenizer


def _prompts(config: Any, tokenizer: Any) -> list[list[int]]:
    env = rlvr_envs.make(config.env.id, **config.env.kwargs)
    prompts = []
    try:
        for index in range(BATCH // 8):
            _, info = env.reset(seed=10_000 + index, options={"level": index % 6})
            encoded = tokenizer.apply_chat_template(info["messages"], add_generation_prompt=True, tokenize=True)
            ids = list(encoded["input_ids"]) if hasattr(encoded, "keys") else list(encoded)
            prompts.extend([ids] * 8)  # a GRPO group: eight rollouts of one prompt
    finally:
        env.close()
    return prompts


def _time(backend: HFBackend, prompts: list[list[int]], settings: SamplingSettings) -> tuple[list[float], list[int]]:
    backend.generate(prompts[:8], settings)  # warm-up outside the measurement
    seconds, lengths = [], []
    for round_ in range(ROUNDS):
        torch.manual_seed(round_)
        start = time.perf_counter()
        out = backend.generate(prompts, settings)
        seconds.append(time.perf_counter() - start)
        lengths.extend(len(ids) for ids in out)
    return seconds, lengths


def test_compacting_decoder_against_generate(pytestconfig: pytest.Config, demo_policy: tuple[Any, Any, Any]) -> None:
    load = os.getloadavg()[0]
    config, model, tokenizer = demo_policy
    prompts = _prompts(config, tokenizer)
    sampled = SamplingSettings(max_new_tokens=config.rollout.max_new_tokens, temperature=config.rollout.temperature)
    greedy = SamplingSettings(max_new_tokens=config.rollout.max_new_tokens, greedy=True)
    backends = {name: HFBackend(model, tokenizer, decoder=name) for name in ("generate", "compact")}
    rows = []
    medians: dict[tuple[str, str], float] = {}
    modes = {f"sampled, T={sampled.temperature:g}": sampled, "greedy": greedy}
    for label, settings in modes.items():
        for name, backend in backends.items():
            seconds, lengths = _time(backend, prompts, settings)
            median = statistics.median(seconds)
            medians[(label, name)] = median
            capped = sum(length >= settings.max_new_tokens for length in lengths) / len(lengths)
            rows.append(
                f"| {label} | {name} | {median * 1000:.0f} | {sum(lengths) / sum(seconds):.0f} | "
                f"{np.mean(lengths):.1f} | {capped:.1%} |"
            )
    agree = backends["generate"].generate(prompts, greedy) == backends["compact"].generate(prompts, greedy)
    ratios = {label: medians[(label, "generate")] / medians[(label, "compact")] for label in modes}
    table = "\n".join(
        [
            "# Rollout generation: transformers' generate vs the compacting decoder",
            "",
            *machine_lines(),
            f"- model: the CPU demo's tiny Llama after {SFT_STEPS} warm-up steps; {BATCH} prompts "
            f"(16 groups x 8, levels 0-5), one thread, {ROUNDS} rounds per row",
            f"- load average (1 min) when the benchmark started: {load:.1f}",
            "",
            "| decoding | decoder | median ms per batch | tokens/s | mean tokens | rows at the cap |",
            "|---|---|---:|---:|---:|---:|",
            *rows,
            "",
            *(f"- {label}: compact is **{ratio:.2f}x** as fast as generate" for label, ratio in ratios.items()),
            f"- greedy tokens identical for all {BATCH} prompts: {agree}",
            "",
        ]
    )
    publish(pytestconfig, RESULTS / "generation.md", table)
    assert agree, "the compacting decoder's greedy tokens differ from generate's"


def test_optimizer_step_micro_batches(pytestconfig: pytest.Config, demo_policy: tuple[Any, Any, Any]) -> None:
    load = os.getloadavg()[0]
    config, model, tokenizer = demo_policy
    base = config.model_copy(update={"demo": None})
    state = {key: value.clone() for key, value in model.state_dict().items()}
    sampler = GRPOTrainer(base, model, tokenizer, device=torch.device("cpu"))
    batches = []
    for index in range(TRAIN_BATCHES):
        torch.manual_seed(index)
        requests = [GroupRequest(seed=20_000 + 16 * index + group, level=group % 4) for group in range(16)]
        batches.append(sampler.collector.collect(requests, config.rollout.group_size))
    longest = [max(len(r.tokens) for g in groups for r in g.rollouts) for groups in batches]
    mean = float(np.mean([len(r.tokens) for groups in batches for g in groups for r in g.rollouts]))
    medians = {}
    rows = []
    for micro in (128, 32):
        optim = base.optim.model_copy(update={"micro_batch_size": micro})
        seconds = []
        for groups in batches:
            model.load_state_dict(state)  # every optimise starts from the same weights
            trainer = GRPOTrainer(
                base.model_copy(update={"optim": optim}), model, tokenizer, device=torch.device("cpu")
            )
            start = time.perf_counter()
            trainer.optimise(groups)
            seconds.append(time.perf_counter() - start)
        medians[micro] = statistics.median(seconds)
        rows.append(
            f"| {micro} | {medians[micro] * 1000:.0f} | {min(seconds) * 1000:.0f} | {max(seconds) * 1000:.0f} |"
        )
    model.load_state_dict(state)
    table = "\n".join(
        [
            "# GRPO optimizer step: micro-batches of 128 vs 32 (sorted by length)",
            "",
            *machine_lines(),
            f"- model: the CPU demo's tiny Llama after {SFT_STEPS} warm-up steps; "
            f"{TRAIN_BATCHES} batches of 16 groups x 8 rollouts sampled at T={config.rollout.temperature:g} "
            "(levels 0-3), one thread",
            f"- load average (1 min) when the benchmark started: {load:.1f}",
            f"- sequence length (prompt + completion): mean {mean:.1f} tokens; longest per batch {longest}",
            "",
            "| micro-batch | median ms per optimise | fastest | slowest |",
            "|---:|---:|---:|---:|",
            *rows,
            "",
            f"- micro-batches of 32 are **{medians[128] / medians[32]:.2f}x** as fast as one of 128",
            "",
        ]
    )
    publish(pytestconfig, RESULTS / "grpo_training.md", table)
