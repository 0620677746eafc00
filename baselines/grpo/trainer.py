"""The GRPO loop: curriculum -> groups of rollouts -> advantages -> clipped policy loss -> optimizer.

One trainer step:

1. the curriculum controller (owned by the trainer) picks a level per group; every rollout of a
   group resets its env with the same seed and ``options={"level": L}``;
2. the backend samples G episodes per task (multi-turn, batched across all episodes);
3. every finished episode updates the controller (``controller.update(level, reward, task_id)``);
4. with dynamic sampling, groups whose G rewards are all equal are dropped and more groups are
   sampled (up to ``max_sampling_rounds`` generation rounds) to fill the batch;
5. group-normalised advantages; ``iterations`` passes of ``minibatches`` optimizer steps, each
   accumulating gradients over micro-batches with batch-wide loss normalisers;
6. the backend's weights are synced, metrics logged, checkpoints written.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

import rlvr_envs
from baselines.grpo.advantages import group_advantages, zero_variance
from baselines.grpo.backends import make_backend
from baselines.grpo.batching import Padded, chunks, pad, score, supervised_nll
from baselines.grpo.checkpoint import load_training_state, restore_rng, save_checkpoint
from baselines.grpo.config import ConfigError, OptimConfig, TrainConfig, dump_toml
from baselines.grpo.losses import Normaliser, policy_loss
from baselines.grpo.metrics import MetricsLogger, postfix, progress_bar
from baselines.grpo.model import autocast_dtype
from baselines.grpo.rollout import Group, GroupRequest, RolloutCollector, draw_seed, prompt_key
from baselines.grpo.vision import image_inputs
from rlvr_envs.curriculum import Controller, build_controller, controller_from_state


class LRSchedule:
    """Multiplier of the base LR at optimizer step ``n``: linear warm-up, then constant/linear/cosine decay."""

    def __init__(self, kind: str, warmup: int, total: int, min_ratio: float = 0.0) -> None:
        self.kind, self.warmup, self.total, self.min_ratio = kind, warmup, max(total, 1), min_ratio

    def __call__(self, step: int) -> float:
        if self.warmup and step < self.warmup:
            return (step + 1) / self.warmup
        if self.kind == "constant":
            return 1.0
        progress = min(1.0, (step - self.warmup) / max(1, self.total - self.warmup))
        if self.kind == "linear":
            shape = 1.0 - progress
        elif self.kind == "cosine":
            shape = 0.5 * (1.0 + math.cos(math.pi * progress))
        else:
            raise ValueError(f"unknown LR schedule {self.kind!r}")
        return self.min_ratio + (1.0 - self.min_ratio) * shape


def make_optimizer(model: Any, optim: OptimConfig, total_steps: int) -> tuple[torch.optim.Optimizer, Any]:
    """AdamW and its LambdaLR schedule over ``total_steps`` optimizer steps."""
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=optim.lr,
        betas=optim.betas,
        weight_decay=optim.weight_decay,
    )
    schedule = LRSchedule(optim.schedule, optim.warmup_steps, total_steps, optim.min_lr_ratio)
    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def env_controller(env_id: str, env_kwargs: dict[str, Any]) -> Controller:
    """A fresh controller like the env's own (its spec's curriculum, or the one ``env_kwargs`` sets)."""
    env = rlvr_envs.make(env_id, **env_kwargs)
    try:
        state = rlvr_envs.unwrap(env).curriculum.state().model_dump()
    finally:
        env.close()
    state.pop("stats", None)
    return controller_from_state(state)


@dataclass
class StepBatch:
    """The groups trained on in one step and what it took to get them."""

    kept: list[Group]
    generated: list[Group]
    rounds: int
    first_round: int = 0  # groups of the first generation round (before dynamic sampling drew more)
    replayed: int = 0  # generated groups that replay a task the curriculum chose again (not a fresh draw)


@dataclass
class TrainerCounters:
    step: int = 0
    optimizer_steps: int = 0
    elapsed_s: float = 0.0
    level_max: int = 0
    level_raises: int = 0
    skipped_prompts: int = 0
    history: list[int] = field(default_factory=list)


class GRPOTrainer:
    """GRPO on ``config.env.id`` with ``model``/``tokenizer`` (already on ``device``).

    Args:
        exclude_prompts: prompt keys (`rollout.prompt_key`) never trained on, e.g. a held-out set.
        reference: the frozen KL reference (default: a copy of ``model`` as given) when ``algo.beta > 0``.
        processor: a vision-language model's processor (``hf`` backend only): the episodes' images go
            through it to the model in generation and in every log-prob pass (policy, old policy, reference).
    """

    def __init__(
        self,
        config: TrainConfig,
        model: Any,
        tokenizer: Any,
        *,
        device: torch.device,
        exclude_prompts: set[str] | None = None,
        reference: Any = None,
        out_dir: str | Path | None = None,
        processor: Any = None,
        demonstrations: Callable[[], tuple[list[int], list[int]]] | None = None,
    ) -> None:
        if config.algo.demo_coef > 0 and demonstrations is None:
            raise ConfigError(
                f"algo.demo_coef = {config.algo.demo_coef} needs demonstrations, and only the CPU demo "
                "(baselines.grpo.demo, baselines.grpo.screen) supplies them, from its [demo.sft] pool; "
                "set algo.demo_coef = 0 here"
            )
        self.demonstrations = demonstrations if config.algo.demo_coef > 0 else None  # None: no term
        self.config = config
        self.out_dir = Path(out_dir or config.run.out_dir)
        self.device = device
        self.model = model
        self.tokenizer = tokenizer
        self.processor = processor
        self.autocast_dtype = autocast_dtype(config.model.dtype, device)
        self.rng = np.random.default_rng(np.random.SeedSequence([config.run.seed, 0x6772706F]))
        table = config.curriculum.table()
        self.controller = env_controller(config.env.id, config.env.kwargs) if table is None else build_controller(table)
        algo = config.algo
        total = config.run.max_steps * algo.iterations * algo.minibatches
        self.optimizer, self.scheduler = make_optimizer(model, config.optim, total)
        rollout = config.rollout
        backend_options: dict[str, Any] = {"batch_size": rollout.generation_batch_size}
        if rollout.backend == "hf":
            backend_options.update(autocast_dtype=self.autocast_dtype, processor=processor, decoder=rollout.hf_decoder)
        elif processor is not None:
            raise ValueError("a vision-language model (a processor) needs rollout.backend = 'hf'; vllm takes no images")
        else:
            backend_options.update(
                gpu_memory_utilization=rollout.vllm_gpu_memory_utilization,
                kv_cache_gib=rollout.vllm_kv_cache_gib,
                work_dir=self.out_dir / "vllm-weights",
                max_model_len=rollout.max_context_tokens + rollout.max_new_tokens,
                seed=config.run.seed,
            )
        self.backend = make_backend(rollout.backend, model, tokenizer, **backend_options)
        self.collector = RolloutCollector.from_config(config.env, rollout, tokenizer, self.backend, processor=processor)
        self.exclude = exclude_prompts or set()
        self.reference = None
        if algo.beta > 0:
            self.reference = reference if reference is not None else copy.deepcopy(model)
            self.reference.eval().requires_grad_(False)
        self.counters = TrainerCounters()
        frontier = self.controller.frontier()
        self.counters.level_max = int(frontier) if frontier is not None else 0
        self.pad_id = int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else min(self.backend.stop_ids))
        self._resumed_from: Path | None = None
        self.last_batch: StepBatch | None = None

    # ---- resume -------------------------------------------------------------------------------
    def load_state(self, checkpoint: str | Path) -> None:
        """Restore optimizer, schedule, RNG, curriculum and counters (the model was loaded from the checkpoint)."""
        state = load_training_state(checkpoint)
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        restore_rng(state["rng"], self.rng)
        self.controller = state["controller"]
        names = {f.name for f in dataclasses.fields(TrainerCounters)}
        self.counters = TrainerCounters(**{k: v for k, v in state["trainer"].items() if k in names})
        self.backend.sync_weights(self.model)
        self._resumed_from = Path(checkpoint)

    def save(self) -> Path:
        state = dataclasses.asdict(self.counters)
        step = state.pop("step")
        return save_checkpoint(
            self.out_dir,
            step,
            model=self.model,
            tokenizer=self.processor if self.processor is not None else self.tokenizer,  # a VLM resumes with it
            optimizer=self.optimizer,
            scheduler=self.scheduler,
            controller=self.controller,
            rng=self.rng,
            trainer_state=state,
            keep=self.config.checkpoint.keep,
        )

    # ---- the loop -----------------------------------------------------------------------------
    def train(self) -> list[dict[str, Any]]:
        """Run until ``run.max_steps`` or ``run.time_budget_s``; returns this call's metric records."""
        run = self.config.run
        self.out_dir.mkdir(parents=True, exist_ok=True)
        (self.out_dir / "config.toml").write_text(dump_toml(self.config))
        resume_step = self.counters.step if self._resumed_from is not None else None
        logger = MetricsLogger(self.out_dir, tensorboard=self.config.logging.tensorboard, resume_step=resume_step)
        bar = progress_bar(run.max_steps, self.counters.step, self.config.logging.progress)
        records: list[dict[str, Any]] = []
        every = self.config.checkpoint.every
        try:
            while self.counters.step < run.max_steps and not self._out_of_time():
                record = self.train_step()
                logger.log(record)
                samples = self.config.logging.samples_every
                if samples and self.counters.step % samples == 0:
                    write_samples(self.out_dir / "samples.jsonl", self.counters.step, self.last_batch)
                records.append(record)
                bar.update(1)
                bar.set_postfix(postfix(record))
                log_every = self.config.logging.log_every
                if log_every and self.counters.step % log_every == 0:
                    shown = ", ".join(f"{k} {v}" for k, v in postfix(record).items())
                    bar.write(
                        f"  [grpo] step {self.counters.step}/{run.max_steps}, {shown}, {self.counters.elapsed_s:.0f} s"
                    )
                if every and self.counters.step % every == 0:
                    self.save()
            if not every or self.counters.step % every:
                self.save()
        finally:
            bar.close()
            logger.close()
        return records

    def _out_of_time(self) -> bool:
        budget = self.config.run.time_budget_s
        return bool(budget) and self.counters.elapsed_s >= budget

    def train_step(self) -> dict[str, Any]:
        """One GRPO step (rollouts, update, sync); returns its metrics record."""
        start = time.perf_counter()
        stats_before = copy.copy(self.collector.stats)
        batch = self.sample_batch()
        self.last_batch = batch
        rollout_s = time.perf_counter() - start
        train_start = time.perf_counter()
        train_stats = self.optimise(batch.kept)
        self.backend.sync_weights(self.model)
        train_s = time.perf_counter() - train_start
        self.counters.step += 1
        step_s = time.perf_counter() - start
        self.counters.elapsed_s += step_s
        frontier = self.controller.frontier()
        levels = [g.rollouts[0].level for g in batch.generated]
        top = int(frontier) if frontier is not None else max(levels)
        if frontier is not None and top > self.counters.level_max:  # raises only for controllers with a frontier
            self.counters.level_raises += top - self.counters.level_max
            self.counters.level_max = top
        self.counters.history.append(top)
        stats = self.collector.stats
        generation_s = stats.generation_s - stats_before.generation_s
        generated_tokens = stats.generated_tokens - stats_before.generated_tokens
        record: dict[str, Any] = {
            "step": self.counters.step,
            "wall_time_s": round(self.counters.elapsed_s, 3),
            "time/step_s": round(step_s, 3),
            "time/rollout_s": round(rollout_s, 3),
            "time/generation_s": round(generation_s, 3),
            "time/env_s": round(stats.env_s - stats_before.env_s, 3),
            "time/train_s": round(train_s, 3),
            "tokens/generated": generated_tokens,
            "tokens/generation_per_s": generated_tokens / generation_s if generation_s > 0 else None,
            "tokens/train_per_s": train_stats.pop("train_tokens", 0.0) / train_s if train_s > 0 else None,
            "level/mean": float(np.mean(levels)),
            "level/frontier": top,
            "level/raises": self.counters.level_raises,
            "lr": self.scheduler.get_last_lr()[0],
            "skipped_prompts": self.counters.skipped_prompts,
            **rollout_metrics(batch),
            **train_stats,
        }
        return record

    # ---- rollouts -----------------------------------------------------------------------------
    def draw_group(self) -> GroupRequest:
        """The next task: level (or task id) from the curriculum, a fresh seed, never a held-out prompt."""
        choice = self.controller.choose(self.rng)
        task_id = choice.task_id
        for _ in range(1000):
            request = GroupRequest(seed=draw_seed(self.rng), level=choice.level, task_id=task_id)
            if not self.exclude:
                return request
            obs, _ = self.collector.probe(request)
            if prompt_key(obs) not in self.exclude:
                return request
            self.counters.skipped_prompts += 1
            task_id = None  # a replayed task that is held out: draw a new one at its level
        raise RuntimeError("1000 draws in a row hit the held-out set: it covers (nearly) every task at this level")

    def sample_batch(self) -> StepBatch:
        """Generate groups until ``groups_per_step`` informative ones (dynamic sampling) or one round."""
        rollout = self.config.rollout
        want, size = rollout.groups_per_step, rollout.group_size
        kept: list[Group] = []
        generated: list[Group] = []
        count, rounds, first, replayed = want, 0, 0, 0
        while True:
            rounds += 1
            requests = [self.draw_group() for _ in range(count)]
            replayed += sum(request.task_id is not None for request in requests)
            groups = self.collector.collect(requests, size)
            for group in groups:
                for r in group.rollouts:
                    self.controller.update(r.level, r.reward, r.task_id)
            generated.extend(groups)
            first = first or len(groups)
            if not rollout.dynamic_sampling:
                kept = groups
                break
            informative = [g for g in groups if not _flat(g)]
            kept.extend(informative)
            if len(kept) >= want or rounds >= rollout.max_sampling_rounds:
                break
            rate = max(len(informative) / len(groups), 0.25)  # expected share of informative groups
            count = min(want, math.ceil((want - len(kept)) / rate))
        return StepBatch(kept=kept[:want], generated=generated, rounds=rounds, first_round=first, replayed=replayed)

    # ---- optimisation -------------------------------------------------------------------------
    def optimise(self, groups: list[Group]) -> dict[str, Any]:
        """``iterations`` x ``minibatches`` optimizer steps on the groups' rollouts."""
        if not groups:
            return {"optimizer_steps": 0}
        algo, optim = self.config.algo, self.config.optim
        rewards = torch.tensor([g.rewards for g in groups], dtype=torch.float32)
        advantages = group_advantages(
            rewards, scale_std=algo.scale_std, leave_one_out=algo.leave_one_out, eps=algo.adv_eps
        ).flatten()
        sequences = [r.tokens for g in groups for r in g.rollouts]
        masks = [r.mask for g in groups for r in g.rollouts]
        images = [r.images for g in groups for r in g.rollouts]
        target_tokens = [sum(m[1:]) for m in masks]
        turns = max(1, max(r.turns for g in groups for r in g.rollouts))
        max_tokens = algo.dr_grpo_tokens or self.config.rollout.max_new_tokens * turns
        updates = algo.iterations * algo.minibatches
        old = self._frozen_logprobs(self.model, sequences, masks, images) if updates > 1 else None
        ref = self._frozen_logprobs(self.reference, sequences, masks, images) if self.reference is not None else None
        params = [p for p in self.model.parameters() if p.requires_grad]
        totals: dict[str, float] = defaultdict(float)
        order = list(range(len(sequences)))
        for iteration in range(algo.iterations):
            if algo.minibatches > 1:
                order = [int(i) for i in self.rng.permutation(len(sequences))]
            for minibatch in np.array_split(np.array(order), algo.minibatches):
                members = sorted(int(i) for i in minibatch)
                norm = Normaliser(len(members), sum(target_tokens[i] for i in members), max_tokens)
                self.optimizer.zero_grad(set_to_none=True)
                loss_total = 0.0
                by_length = sorted(members, key=lambda i: len(sequences[i]))
                for micro in chunks(by_length, optim.micro_batch_size):
                    padded = self._pad(micro, sequences, masks, images)
                    logp, entropy = score(
                        self.model,
                        padded,
                        autocast_dtype=self.autocast_dtype,
                        entropy=iteration == 0,
                        temperature=self.config.rollout.temperature,
                    )
                    old_logp = _stack(old, micro, logp) if old is not None else logp.detach()
                    ref_logp = _stack(ref, micro, logp) if ref is not None else None
                    parts = policy_loss(
                        logp,
                        old_logp,
                        advantages[micro].to(self.device),
                        padded.loss_mask,
                        clip_low=algo.clip_low,
                        clip_high=algo.clip_high,
                        beta=algo.beta,
                        ref_logp=ref_logp,
                        aggregation=algo.loss_agg,
                        normaliser=norm,
                    )
                    parts.loss.backward()  # type: ignore[no-untyped-call]
                    loss_total += float(parts.loss.item())
                    totals["tokens"] += parts.tokens
                    totals["clipped_low"] += parts.clipped_low
                    totals["clipped_high"] += parts.clipped_high
                    totals["kl"] += parts.kl_sum
                    totals["ratio"] += parts.ratio_sum
                    totals["train_tokens"] += float(padded.attention_mask.sum().item())
                    if entropy is not None:
                        totals["entropy"] += float((entropy * padded.loss_mask).sum().item())
                        totals["entropy_tokens"] += parts.tokens
                if self.demonstrations is not None:
                    totals["demo_nll"] += self._demonstration_loss(algo.demo_coef, algo.demo_batch)
                grad_norm = torch.nn.utils.clip_grad_norm_(params, optim.max_grad_norm or float("inf"))
                self.optimizer.step()
                self.scheduler.step()
                self.counters.optimizer_steps += 1
                totals["loss"] += loss_total
                totals["grad_norm"] += float(grad_norm)
        tokens = max(totals["tokens"], 1.0)
        return {
            "loss": totals["loss"] / updates,
            "grad_norm": totals["grad_norm"] / updates,
            "kl": totals["kl"] / tokens,
            "entropy": totals["entropy"] / max(totals["entropy_tokens"], 1.0),
            "clip_fraction": (totals["clipped_low"] + totals["clipped_high"]) / tokens,
            "clip_fraction/low": totals["clipped_low"] / tokens,
            "clip_fraction/high": totals["clipped_high"] / tokens,
            "ratio_mean": totals["ratio"] / tokens,
            "optimizer_steps": updates,
            "train_tokens": totals["train_tokens"],
            **({"loss/demonstrations": totals["demo_nll"] / updates} if self.demonstrations is not None else {}),
        }

    def _demonstration_loss(self, coef: float, batch_size: int) -> float:
        """Backpropagate ``coef`` x the mean cross-entropy of ``batch_size`` demonstrations (their
        target tokens); returns that cross-entropy. Keeps what the warm-up taught while GRPO explores."""
        assert self.demonstrations is not None
        examples = [self.demonstrations() for _ in range(batch_size)]
        nll = supervised_nll(self.model, examples, self.pad_id, autocast_dtype=self.autocast_dtype)
        (coef * nll).backward()  # type: ignore[no-untyped-call]
        return float(nll.item())

    def _pad(
        self, micro: list[int], sequences: list[list[int]], masks: list[list[int]], images: list[list[Any]]
    ) -> Padded:
        """The micro-batch ``micro`` padded on the device, with its images' forward inputs when there is a processor."""
        extra = image_inputs(self.processor, [images[i] for i in micro]) if self.processor is not None else {}
        return pad([sequences[i] for i in micro], [masks[i] for i in micro], self.pad_id, extra).to(self.device)

    @torch.no_grad()
    def _frozen_logprobs(
        self, model: Any, sequences: list[list[int]], masks: list[list[int]], images: list[list[Any]]
    ) -> list[torch.Tensor]:
        """Per-sequence ``[len - 1]`` log-probs under ``model`` (no grad), for old-policy ratios or the KL."""
        out: list[torch.Tensor] = [torch.empty(0)] * len(sequences)
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        for micro in chunks(order, self.config.optim.micro_batch_size):
            padded = self._pad(micro, sequences, masks, images)
            logp, _ = score(
                model, padded, autocast_dtype=self.autocast_dtype, temperature=self.config.rollout.temperature
            )
            for row, index in enumerate(micro):
                out[index] = logp[row, : len(sequences[index]) - 1].detach()
        return out

    def close(self) -> None:
        self.collector.close()
        self.backend.close()


def _flat(group: Group) -> bool:
    return bool(zero_variance(torch.tensor([group.rewards]))[0])


def _stack(per_sequence: list[torch.Tensor], members: list[int], like: torch.Tensor) -> torch.Tensor:
    """Right-pad per-sequence tensors to ``like``'s shape (padding positions are masked out anyway)."""
    out = torch.zeros_like(like)
    for row, index in enumerate(members):
        values = per_sequence[index]
        out[row, : values.shape[0]] = values.to(out.device, out.dtype)
    return out


def write_samples(path: Path, step: int, batch: StepBatch | None, per_step: int = 4) -> None:
    """Append the transcripts of the first rollouts of a step (for reading what the policy writes)."""
    if batch is None:
        return
    with path.open("a", encoding="utf-8") as handle:
        for group in batch.generated[:per_step]:
            r = group.rollouts[0]
            sample = {"step": step, "task_id": r.task_id, "level": r.level, "reward": r.reward, "messages": r.messages}
            handle.write(json.dumps(sample) + "\n")


def rollout_metrics(batch: StepBatch) -> dict[str, Any]:
    """Reward, accuracy, verdict components, zero-variance share and lengths over every generated rollout."""
    rollouts = [r for g in batch.generated for r in g.rollouts]
    rewards = [r.reward for r in rollouts]
    judged = [r.correct for r in rollouts if r.correct is not None]
    components: dict[str, list[float]] = defaultdict(list)
    for r in rollouts:
        for key, value in r.components.items():
            components[key].append(value)
    flat = sum(_flat(g) for g in batch.generated)
    first = batch.first_round or len(batch.generated)
    record: dict[str, Any] = {
        "reward/mean": float(np.mean(rewards)),
        "reward/std": float(np.std(rewards)),
        "accuracy": float(np.mean(judged)) if judged else None,
        "zero_variance_share": flat / len(batch.generated),
        "zero_variance_share/first_round": sum(_flat(g) for g in batch.generated[:first]) / first,
        "groups/generated": len(batch.generated),
        "groups/first_round": first,
        "groups/kept": len(batch.kept),
        "groups/replayed": batch.replayed,
        "sampling_rounds": batch.rounds,
        "completion/mean_tokens": float(np.mean([r.generated_tokens for r in rollouts])),
        "turns/mean": float(np.mean([r.turns for r in rollouts])),
        "truncated_share": float(np.mean([r.truncated for r in rollouts])),
    }
    for key, values in sorted(components.items()):
        record[f"reward/{key}"] = float(np.mean(values))
    return record
