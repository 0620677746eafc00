"""Supervised fine-tuning on generated worked solutions: the demo's warm-up and its control arm."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import rlvr_envs
from baselines.grpo.batching import supervised_nll
from baselines.grpo.conversation import ChatFormatter
from baselines.grpo.rollout import GroupRequest, draw_seed, prompt_key
from baselines.grpo.worked import SolutionStyle, worked_solution


def supervised_target(env: Any, task: Any, style: SolutionStyle = "steps") -> str:
    """What the model should answer: a worked solution in ``style`` when the task has one, else the oracle action."""
    return worked_solution(task, style) or rlvr_envs.unwrap(env).oracle_action()


class SupervisedStream:
    """An endless stream of (prompt + target) token sequences from ``env_id``'s generated tasks.

    Prompts whose key is in ``exclude`` (a held-out set) are skipped; ``skipped`` counts them.
    With ``pool > 0`` the stream is a fixed set of ``pool`` worked examples (scarce demonstrations),
    drawn once from ``pool_seed`` and then sampled with replacement with ``rng``; ``validation``
    more tasks are drawn beside it (``validation_requests``) and never served.
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
        pool: int = 0,
        validation: int = 0,
        pool_seed: int = 0,
        solution_style: SolutionStyle = "steps",
    ) -> None:
        self.env = rlvr_envs.make(env_id, **env_kwargs)
        self.formatter = ChatFormatter(tokenizer)
        self.tokenizer = tokenizer
        self.solution_style: SolutionStyle = solution_style
        self.levels = list(levels)
        self.rng = rng
        self.exclude = set(exclude or ())
        self.skipped = 0
        self.served = 0
        self.pool: list[tuple[list[int], list[int]]] = []
        self.validation_requests: list[GroupRequest] = []
        if pool or validation:
            self._draw_pool(pool, validation, np.random.default_rng(np.random.SeedSequence([pool_seed, 0x706F6F6C])))

    def _draw_pool(self, pool: int, validation: int, rng: np.random.Generator) -> None:
        """Draw ``validation`` tasks, then ``pool`` worked examples with other prompts (all distinct)."""
        seen: set[str] = set()
        while len(self.validation_requests) < validation:
            request, key, _ = self._draw(rng, seen)
            seen.add(key)
            self.validation_requests.append(request)
        while len(self.pool) < pool:
            _, key, example = self._draw(rng, seen)
            seen.add(key)
            self.pool.append(example)

    def _draw(self, rng: np.random.Generator, seen: set[str]) -> tuple[GroupRequest, str, tuple[list[int], list[int]]]:
        for _ in range(10_000):
            level = self.levels[int(rng.integers(len(self.levels)))]
            seed = draw_seed(rng)
            obs, info = self.env.reset(seed=seed, options={"level": level})
            key = prompt_key(str(obs))
            if key in self.exclude or key in seen:
                self.skipped += 1
                continue
            task = rlvr_envs.unwrap(self.env).task
            prompt = self.formatter.encode(
                self.formatter.render(info["messages"], info.get("tools"), generation_prompt=True)
            )
            target = [
                *self.formatter.encode(supervised_target(self.env, task, self.solution_style)),
                int(self.tokenizer.eos_token_id),
            ]
            return GroupRequest(seed=seed, level=level), key, (prompt + target, [0] * len(prompt) + [1] * len(target))
        raise RuntimeError(f"levels {self.levels}: no new training problem in 10,000 draws (problem space exhausted)")

    def example(self) -> tuple[list[int], list[int]]:
        self.served += 1
        if self.pool:
            return self.pool[int(self.rng.integers(len(self.pool)))]
        return self._draw(self.rng, set())[2]

    def close(self) -> None:
        self.env.close()


def demo_stream(config: Any, tokenizer: Any, rng: np.random.Generator, exclude: set[str]) -> SupervisedStream:
    """The demo's demonstrations (``[demo.sft]``): the same pool and validation split in the warm-up and the control."""
    sft = config.demo.sft
    return SupervisedStream(
        config.env.id,
        config.env.kwargs,
        tokenizer,
        levels=sft.levels,
        rng=rng,
        exclude=exclude,
        pool=sft.pool,
        validation=sft.validation,
        pool_seed=config.run.seed,
        solution_style=sft.solution_style,
    )


@contextlib.contextmanager
def grpo_demonstrations(
    config: Any, tokenizer: Any, exclude: set[str]
) -> Iterator[Callable[[], tuple[list[int], list[int]]] | None]:
    """With ``algo.demo_coef > 0``: a draw from the demo's own pool (the control's demonstrations, no
    more), sampled with GRPO's own generator for its cross-entropy term; else ``None``."""
    if config.algo.demo_coef <= 0:
        yield None
        return
    stream = demo_stream(
        config, tokenizer, np.random.default_rng(np.random.SeedSequence([config.run.seed, 0x70747800])), exclude
    )
    try:
        yield stream.example
    finally:
        stream.close()


@dataclass
class SFTResult:
    steps: int = 0
    examples: int = 0
    wall_s: float = 0.0
    losses: list[float] = field(default_factory=list)
    #: with a validation split (the control; the warm-up with early_stop): (step, validation accuracy) at
    #: every check, and the step whose weights were kept
    validation: list[tuple[int, float]] = field(default_factory=list)
    best_step: int = -1


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
    log_every: int = 0,
    label: str = "sft",
) -> SFTResult:
    """Masked cross-entropy on the target tokens until ``max_steps`` or ``time_budget_s`` (whichever first).

    ``stop(steps, elapsed_s)``, checked before each step, ends training early (the control arm's budget).
    ``log_every`` prints a plain progress line every that many steps (readable when piped to a file).
    """
    pad_id = int(stream.tokenizer.pad_token_id)
    result = SFTResult()
    start = time.perf_counter()
    model.train()
    while result.steps < max_steps:
        elapsed = time.perf_counter() - start
        if (time_budget_s and elapsed >= time_budget_s) or (stop is not None and stop(result.steps, elapsed)):
            break
        loss = supervised_nll(
            model, [stream.example() for _ in range(batch_size)], pad_id, autocast_dtype=autocast_dtype
        )
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
        if log_every and result.steps % log_every == 0:
            recent = [v for v in result.losses[-log_every:] if math.isfinite(v)]
            of = f"/{max_steps}" if max_steps < 10**8 else ""
            print(
                f"  [{label}] step {result.steps}{of}, loss {np.mean(recent) if recent else float('nan'):.3f}, "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
        if on_step is not None:
            on_step(result.steps, value, time.perf_counter() - start)
    result.wall_s = time.perf_counter() - start
    return result
