"""Supervised fine-tuning on generated worked solutions: the demo's warm-up and its control arm."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import rlvr_envs
from baselines.grpo.batching import pad, score
from baselines.grpo.conversation import ChatFormatter
from baselines.grpo.rollout import draw_seed, prompt_key
from baselines.grpo.worked import worked_solution


def supervised_target(env: Any, task: Any) -> str:
    """What the model should answer: a worked solution when the task supports one, else the env's oracle action."""
    return worked_solution(task) or rlvr_envs.unwrap(env).oracle_action()


class SupervisedStream:
    """An endless stream of (prompt + target) token sequences from ``env_id``'s generated tasks.

    Prompts whose key is in ``exclude`` (a held-out set) are skipped; ``skipped`` counts them.
    """

    def __init__(
        self,
        env_id: str,
        env_kwargs: dict[str, Any],
        tokenizer: Any,
        *,
        levels: list[int],
        rng: np.random.Generator,
        exclude: set[str] | None = None,
    ) -> None:
        self.env = rlvr_envs.make(env_id, **env_kwargs)
        self.formatter = ChatFormatter(tokenizer)
        self.tokenizer = tokenizer
        self.levels = list(levels)
        self.rng = rng
        self.exclude = exclude or set()
        self.skipped = 0
        self.served = 0

    def example(self) -> tuple[list[int], list[int]]:
        while True:
            level = self.levels[int(self.rng.integers(len(self.levels)))]
            obs, info = self.env.reset(seed=draw_seed(self.rng), options={"level": level})
            if prompt_key(str(obs)) in self.exclude:
                self.skipped += 1
                continue
            task = rlvr_envs.unwrap(self.env).task
            prompt = self.formatter.encode(
                self.formatter.render(info["messages"], info.get("tools"), generation_prompt=True)
            )
            target = [*self.formatter.encode(supervised_target(self.env, task)), int(self.tokenizer.eos_token_id)]
            self.served += 1
            return prompt + target, [0] * len(prompt) + [1] * len(target)

    def close(self) -> None:
        self.env.close()


@dataclass
class SFTResult:
    steps: int = 0
    examples: int = 0
    wall_s: float = 0.0
    losses: list[float] = field(default_factory=list)


def make_sft_optimizer(model: Any, lr: float, warmup_steps: int) -> tuple[torch.optim.Optimizer, Any]:
    """AdamW with a linear warm-up to ``lr``, then constant."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _WarmupThenConstant(warmup_steps))
    return optimizer, scheduler


class _WarmupThenConstant:
    def __init__(self, warmup: int) -> None:
        self.warmup = warmup

    def __call__(self, step: int) -> float:
        return min(1.0, (step + 1) / self.warmup) if self.warmup else 1.0


def sft_train(
    model: Any,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    stream: SupervisedStream,
    *,
    batch_size: int,
    max_steps: int,
    time_budget_s: float = 0.0,
    max_grad_norm: float = 1.0,
    autocast_dtype: torch.dtype | None = None,
    on_step: Callable[[int, float, float], None] | None = None,
    stop: Callable[[int, float], bool] | None = None,
) -> SFTResult:
    """Masked cross-entropy on the target tokens until ``max_steps`` or ``time_budget_s`` (whichever first).

    ``stop(steps, elapsed_s)``, checked before each step, ends training early (the control arm's budget).
    """
    device = next(model.parameters()).device
    pad_id = int(stream.tokenizer.pad_token_id)
    result = SFTResult()
    start = time.perf_counter()
    model.train()
    while result.steps < max_steps:
        elapsed = time.perf_counter() - start
        if (time_budget_s and elapsed >= time_budget_s) or (stop is not None and stop(result.steps, elapsed)):
            break
        examples = [stream.example() for _ in range(batch_size)]
        batch = pad([e[0] for e in examples], [e[1] for e in examples], pad_id).to(device)
        logp, _ = score(model, batch, autocast_dtype=autocast_dtype)
        loss = -(logp * batch.loss_mask).sum() / batch.loss_mask.sum().clamp(min=1.0)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        if max_grad_norm:
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        scheduler.step()
        result.steps += 1
        result.examples += batch_size
        value = float(loss.item())
        result.losses.append(value if math.isfinite(value) else float("nan"))
        if on_step is not None:
            on_step(result.steps, value, time.perf_counter() - start)
    result.wall_s = time.perf_counter() - start
    return result
