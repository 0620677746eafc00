"""Learning-curve PNGs from metric records (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def smooth(values: list[float], window: int) -> np.ndarray:
    """Trailing moving average (the first points average what exists so far)."""
    array = np.asarray(values, dtype=float)
    if window <= 1 or array.size == 0:
        return array
    cumsum = np.cumsum(np.insert(array, 0, 0.0))
    out = np.empty_like(array)
    for i in range(array.size):
        lo = max(0, i + 1 - window)
        out[i] = (cumsum[i + 1] - cumsum[lo]) / (i + 1 - lo)
    return out


def _series(records: list[dict[str, Any]], key: str) -> tuple[list[int], list[float]]:
    steps, values = [], []
    for record in records:
        value = record.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            steps.append(int(record["step"]))
            values.append(float(value))
    return steps, values


def plot_run(
    records: list[dict[str, Any]],
    path: str | Path,
    *,
    title: str,
    held_out: dict[str, dict[str, float]] | None = None,
) -> Path:
    """Six panels: reward/accuracy, curriculum level, zero-variance share, entropy/KL, throughput,
    and held-out accuracy per level (``{"label": {"level": acc}}``) or completion length."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    window = max(1, len(records) // 20)
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5))
    fig.suptitle(title)

    def curve(ax: Any, key: str, label: str, color: str, raw: bool = True) -> None:
        steps, values = _series(records, key)
        if not steps:
            return
        if raw:
            ax.plot(steps, values, color=color, alpha=0.25, linewidth=0.8)
        ax.plot(steps, smooth(values, window), color=color, label=label)

    ax = axes[0, 0]
    if _series(records, "reward/mean")[1] == _series(records, "accuracy")[1]:  # 0/1 rewards: one line, not two
        curve(ax, "accuracy", "reward = accuracy (rollouts)", "tab:green")
    else:
        curve(ax, "reward/mean", "reward (rollouts)", "tab:blue")
        curve(ax, "accuracy", "accuracy (rollouts)", "tab:green")
    ax.set_title(f"training rollouts (moving average over {window} steps)")
    ax.set_xlabel("step")
    _legend(ax)

    ax = axes[0, 1]
    curve(ax, "level/mean", "mean level sampled", "tab:orange")
    steps, frontier = _series(records, "level/frontier")
    if steps:
        ax.step(steps, frontier, where="post", color="tab:red", label="curriculum frontier")
    ax.set_title("curriculum")
    ax.set_xlabel("step")
    _legend(ax)

    ax = axes[0, 2]
    curve(ax, "zero_variance_share/first_round", "first round (before dynamic sampling)", "tab:purple")
    curve(ax, "zero_variance_share", "all rounds", "tab:pink")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("share of groups with all-equal rewards")
    ax.set_xlabel("step")
    _legend(ax)

    ax = axes[1, 0]
    curve(ax, "entropy", "entropy (nats/token)", "tab:brown")
    curve(
        ax, "kl", "KL to reference" + (" (0: no reference, beta = 0)" if _flat_zero(records, "kl") else ""), "tab:gray"
    )
    clip_note = " (0: one update per batch, ratio 1)" if _flat_zero(records, "clip_fraction") else ""
    curve(ax, "clip_fraction", "clip fraction" + clip_note, "tab:olive")
    ax.set_title("policy")
    ax.set_xlabel("step")
    _legend(ax)

    ax = axes[1, 1]
    curve(ax, "tokens/generation_per_s", "generated tokens/s", "tab:cyan", raw=False)
    curve(ax, "tokens/train_per_s", "trained tokens/s", "tab:pink", raw=False)
    ax.set_title("throughput")
    ax.set_xlabel("step")
    _legend(ax)

    ax = axes[1, 2]
    if held_out:
        labels = list(held_out)
        levels = sorted({level for accs in held_out.values() for level in accs}, key=_level_order)
        width = 0.8 / max(len(labels), 1)
        x = np.arange(len(levels))
        for i, label in enumerate(labels):
            values = [held_out[label].get(level, np.nan) for level in levels]
            bars = ax.bar(x + i * width - 0.4 + width / 2, values, width, label=label)
            ax.bar_label(bars, fmt="%.2f", fontsize=7)
        ax.set_xticks(x, [f"level {lv}" if lv != "all" else "all" for lv in levels])
        ax.set_ylim(0, 1.05)
        ax.set_title("held-out accuracy (greedy)")
        _legend(ax, fontsize=8)
    else:
        curve(ax, "completion/mean_tokens", "generated tokens per episode", "tab:blue")
        ax.set_title("episode length")
        ax.set_xlabel("step")
        _legend(ax)

    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _flat_zero(records: list[dict[str, Any]], key: str) -> bool:
    values = _series(records, key)[1]
    return bool(values) and not any(values)


def _legend(ax: Any, **kwargs: Any) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kwargs)


def _level_order(level: str) -> tuple[int, int]:
    return (1, 0) if level == "all" else (0, int(level))
