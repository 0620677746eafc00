"""``report.md``: what a run did, in numbers (config, curriculum, rollout and policy statistics)."""

from __future__ import annotations

from typing import Any

import numpy as np

from baselines.grpo.config import TrainConfig


def _mean(records: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in records if isinstance(r.get(key), int | float) and not isinstance(r.get(key), bool)]
    return float(np.mean(values)) if values else None


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def generation_throughput(records: list[dict[str, Any]]) -> float:
    """The run's one throughput figure: every token GRPO sampled, over the seconds spent generating them."""
    seconds = sum(r.get("time/generation_s") or 0.0 for r in records)
    return sum(r.get("tokens/generated") or 0.0 for r in records) / seconds if seconds else 0.0


def training_section(config: TrainConfig, records: list[dict[str, Any]], *, level_raises: int) -> str:
    """Markdown for the GRPO phase: first vs last tenth of the run, curriculum, throughput."""
    if not records:
        return "No GRPO steps were run.\n"
    tenth = max(1, len(records) // 10)
    first, last = records[:tenth], records[-tenth:]
    rows = [
        ("reward (rollouts)", "reward/mean"),
        ("accuracy (rollouts)", "accuracy"),
        ("mean level sampled", "level/mean"),
        ("zero-variance share, first round", "zero_variance_share/first_round"),
        ("zero-variance share, all rounds", "zero_variance_share"),
        ("entropy (nats/token)", "entropy"),
        ("KL to reference", "kl"),
        ("clip fraction", "clip_fraction"),
        ("generated tokens per episode", "completion/mean_tokens"),
    ]
    lines = [
        f"- env `{config.env.id}` {config.env.kwargs or ''}, backend `{config.rollout.backend}`, "
        f"{config.rollout.groups_per_step} groups x {config.rollout.group_size} rollouts per step, "
        f"loss `{config.algo.loss_agg}`, clip {config.algo.clip_low}/{config.algo.clip_high}, beta {config.algo.beta}, "
        f"lr {config.optim.lr}",
        f"- {len(records)} steps in {records[-1]['wall_time_s']:.0f} s "
        f"(generation {sum(r.get('time/generation_s', 0) for r in records):.0f} s, "
        f"training {sum(r.get('time/train_s', 0) for r in records):.0f} s); "
        f"generation throughput {generation_throughput(records):.0f} tokens/s (tokens sampled / generation time)",
        f"- curriculum: frontier {records[0]['level/frontier']} -> {records[-1]['level/frontier']}, "
        f"raised {level_raises} time(s)",
        "",
        f"| metric | first {tenth} step(s) | last {tenth} step(s) |",
        "|---|---:|---:|",
    ]
    lines += [f"| {label} | {_fmt(_mean(first, key))} | {_fmt(_mean(last, key))} |" for label, key in rows]
    return "\n".join(lines) + "\n"
