"""Held-out evaluation: greedy episodes on tasks whose seeds never occur in training.

Training draws env seeds below ``2**31`` (`rollout.draw_seed`); held-out tasks use seeds from
``2**31`` up, one disjoint range per level. Generated problem spaces can be small at low levels,
so a training task can still *look* like a held-out one; the trainer and the supervised stream
therefore also skip any task whose prompt text is in the held-out set (`prompt_keys`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from baselines.grpo.rollout import HELD_OUT_SEED_BASE, GroupRequest, RolloutCollector, prompt_key

LEVEL_STRIDE = 1_000_003


def held_out_requests(levels: list[int], per_level: int) -> list[GroupRequest]:
    """``per_level`` tasks at each level, seeded from a range no training seed reaches."""
    return [
        GroupRequest(seed=HELD_OUT_SEED_BASE + level * LEVEL_STRIDE + i, level=level)
        for level in levels
        for i in range(per_level)
    ]


def distinct_held_out(
    collector: RolloutCollector, levels: list[int], per_level: int, *, max_draws: int = 50
) -> tuple[list[GroupRequest], set[str]]:
    """``per_level`` tasks with pairwise different prompts at each level, and their prompt keys.

    Low levels of a generator can have small problem spaces, so seeds are tried in order until
    enough distinct problems are found (at most ``max_draws`` seeds per wanted task).
    """
    requests: list[GroupRequest] = []
    keys: set[str] = set()
    for level in levels:
        found = 0
        for i in range(per_level * max_draws):
            request = GroupRequest(seed=HELD_OUT_SEED_BASE + level * LEVEL_STRIDE + i, level=level)
            key = prompt_key(collector.probe(request)[0])
            if key not in keys:
                keys.add(key)
                requests.append(request)
                found += 1
                if found == per_level:
                    break
        else:
            raise RuntimeError(f"level {level}: fewer than {per_level} distinct problems in {i + 1} seeds")
    return requests, keys


def prompt_keys(collector: RolloutCollector, requests: list[GroupRequest]) -> set[str]:
    """The prompt keys of ``requests`` (what training must avoid)."""
    return {prompt_key(collector.probe(r)[0]) for r in requests}


@dataclass
class EvalResult:
    """Accuracy (share of correct verdicts) and mean reward, overall and per level."""

    accuracy: float
    reward: float
    n: int
    per_level: dict[int, float] = field(default_factory=dict)
    per_level_n: dict[int, int] = field(default_factory=dict)
    wall_s: float = 0.0
    generated_tokens: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "reward": self.reward,
            "n": self.n,
            "per_level": {str(k): v for k, v in self.per_level.items()},
            "per_level_n": {str(k): v for k, v in self.per_level_n.items()},
            "wall_s": self.wall_s,
            "generated_tokens": self.generated_tokens,
        }


def evaluate(
    collector: RolloutCollector, requests: list[GroupRequest], *, chunk: int = 256, label: str = ""
) -> EvalResult:
    """One greedy episode per request; a rollout without a verdict counts as wrong.

    With a ``label``, a plain progress line after every chunk (readable when piped).
    """
    start = time.perf_counter()
    correct: dict[int, list[float]] = defaultdict(list)
    rewards: list[float] = []
    tokens = 0
    for first in range(0, len(requests), chunk):
        for group in collector.collect(requests[first : first + chunk], 1, greedy=True):
            rollout = group.rollouts[0]
            correct[rollout.level].append(1.0 if rollout.correct else 0.0)
            rewards.append(rollout.reward)
            tokens += rollout.generated_tokens
        if label:
            done = min(first + chunk, len(requests))
            print(f"  [eval {label}] {done}/{len(requests)} tasks, {time.perf_counter() - start:.0f} s", flush=True)
    every = [v for values in correct.values() for v in values]
    return EvalResult(
        accuracy=sum(every) / max(len(every), 1),
        reward=sum(rewards) / max(len(rewards), 1),
        n=len(every),
        per_level={level: sum(v) / len(v) for level, v in sorted(correct.items())},
        per_level_n={level: len(v) for level, v in sorted(correct.items())},
        wall_s=time.perf_counter() - start,
        generated_tokens=tokens,
    )
