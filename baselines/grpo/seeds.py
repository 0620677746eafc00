"""``make demo-seeds``: the CPU demo on several seeds, then a table and a figure of mean and spread.

``python -m baselines.grpo.seeds --config baselines/grpo/configs/math_demo.toml --seeds 0 1 2``
runs the demo once per seed (one after another, each in ``OUT/seed-N``) and writes
``OUT/seeds.json``, ``OUT/seeds.md`` and ``OUT/seeds.png``. ``--collect`` only summarises the
``seed-N/results.json`` files already there (seeds run elsewhere or in parallel).
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baselines.grpo.config import load_config

COLUMNS = ("sft_start", "grpo", "control", "grpo_gain", "control_gain", "grpo_minus_control")


def seed_row(seed: int, results: dict[str, Any]) -> dict[str, Any]:
    """One seed's figures, in points (accuracy x 100) except the shares and counts."""
    before = results["before"]["accuracy"]
    after = results["after_grpo"]["accuracy"]
    control = (results.get("control_sft") or {}).get("accuracy", float("nan"))
    grpo = results["grpo"]
    return {
        "seed": seed,
        "sft_start": 100 * before,
        "grpo": 100 * after,
        "control": 100 * control,
        "grpo_gain": 100 * (after - before),
        "control_gain": 100 * (control - before),
        "grpo_minus_control": 100 * (after - control),
        "zero_variance_share": grpo.get("zero_variance_share", float("nan")),
        "zero_variance_first_round": grpo.get("zero_variance_share_first_round", float("nan")),
        "sft_warmup_steps": results.get("sft_warmup", {}).get("steps", 0),
        "sft_warmup_best_step": results.get("sft_warmup", {}).get("best_step", -1),
        "level_raises": grpo["level_raises"],
        "frontier": grpo["frontier"],
        "grpo_steps": grpo["steps"],
        "control_steps": results.get("control_steps", 0),
        "control_best_step": results.get("control_best_step", -1),
        "demo_wall_s": results["demo_wall_s"],
        "per_level": {
            "sft_start": results["before"]["per_level"],
            "grpo": results["after_grpo"]["per_level"],
            "control": (results.get("control_sft") or {}).get("per_level", {}),
        },
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean, sample standard deviation, min and max of every column over the seeds."""
    summary: dict[str, Any] = {}
    for column in (*COLUMNS, "zero_variance_share", "zero_variance_first_round", "level_raises", "demo_wall_s"):
        values = [float(r[column]) for r in rows if r[column] == r[column]]  # NaN: not recorded by that run
        if not values:
            summary[column] = {"mean": float("nan"), "sd": float("nan"), "min": float("nan"), "max": float("nan")}
            continue
        summary[column] = {
            "mean": statistics.fmean(values),
            "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
            "min": min(values),
            "max": max(values),
        }
    return summary


def table(rows: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """A markdown table: one line per seed, then mean ± sd."""
    head = (
        "| seed | SFT start | after GRPO | GRPO gain | SFT control | control gain | GRPO - control "
        "| zero-variance groups (first round / all rounds) | frontier raises | demo wall time |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = [
        f"| {r['seed']} | {r['sft_start']:.1f} | {r['grpo']:.1f} | {r['grpo_gain']:+.1f} | {r['control']:.1f} "
        f"| {r['control_gain']:+.1f} | {r['grpo_minus_control']:+.1f} "
        f"| {_pct(r['zero_variance_first_round'])} / {_pct(r['zero_variance_share'])} "
        f"| {r['level_raises']} | {r['demo_wall_s']:.0f} s |"
        for r in rows
    ]
    m = {k: v["mean"] for k, v in summary.items()}
    sd = {k: v["sd"] for k, v in summary.items()}
    lines.append(
        f"| mean ± sd | {m['sft_start']:.1f} ± {sd['sft_start']:.1f} | {m['grpo']:.1f} ± {sd['grpo']:.1f} "
        f"| {m['grpo_gain']:+.1f} ± {sd['grpo_gain']:.1f} | {m['control']:.1f} ± {sd['control']:.1f} "
        f"| {m['control_gain']:+.1f} ± {sd['control_gain']:.1f} "
        f"| {m['grpo_minus_control']:+.1f} ± {sd['grpo_minus_control']:.1f} "
        f"| {_pct(m['zero_variance_first_round'])} / {_pct(m['zero_variance_share'])} "
        f"| {m['level_raises']:.1f} | {m['demo_wall_s']:.0f} s |"
    )
    return head + "\n".join(lines) + "\n"


def _pct(share: float) -> str:
    return "n/a" if share != share else f"{100 * share:.0f}%"  # NaN: a result from before the share was kept


def plot(rows: list[dict[str, Any]], path: Path) -> Path:
    """Held-out accuracy per seed (SFT start, after GRPO, SFT control) with the mean and its spread."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    arms = [
        ("sft_start", "SFT start", "tab:gray"),
        ("grpo", "after GRPO", "tab:blue"),
        ("control", "SFT control", "tab:orange"),
    ]
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(rows) + 1)
    width = 0.26
    for i, (key, label, color) in enumerate(arms):
        values = [r[key] for r in rows]
        mean, sd = float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
        bars = ax.bar(
            x + (i - 1) * width,
            [*values, mean],
            width,
            label=label,
            color=color,
            yerr=[*([0.0] * len(values)), sd],
            capsize=3,
        )
        ax.bar_label(bars, fmt="%.1f", fontsize=7)
    ax.set_xticks(x, [f"seed {r['seed']}" for r in rows] + ["mean ± sd"])
    ax.set_ylabel("held-out accuracy, greedy (%)")
    ax.set_ylim(0, 100)
    ax.set_title("GRPO demo on rlvr/MathArith-v0: three seeds")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def collect(out: Path, seeds: Sequence[int]) -> dict[str, Any]:
    """Read ``out/seed-N/results.json`` for every seed; write seeds.json, seeds.md and seeds.png."""
    rows = []
    for seed in seeds:
        path = out / f"seed-{seed}" / "results.json"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no results for seed {seed} (run it first, or drop it from --seeds)")
        rows.append(seed_row(seed, json.loads(path.read_text())))
    summary = summarise(rows)
    report = {"seeds": rows, "summary": summary}
    (out / "seeds.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "seeds.md").write_text(table(rows, summary))
    plot(rows, out / "seeds.png")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m baselines.grpo.seeds", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("baselines/grpo/configs/math_demo.toml"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=Path("runs/demo-seeds"))
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config override")
    parser.add_argument("--collect", action="store_true", help="only summarise results already in --out")
    args = parser.parse_args(argv)
    if not args.collect:
        from baselines.grpo.demo import run_demo

        for seed in args.seeds:
            print(f"==== seed {seed} ({args.seeds.index(seed) + 1}/{len(args.seeds)}) ====", flush=True)
            overrides = [*args.set, f"run.seed={seed}", f"run.out_dir={str(args.out / f'seed-{seed}')!r}"]
            run_demo(load_config(args.config, overrides))
    report = collect(args.out, args.seeds)
    print(table(report["seeds"], report["summary"]), flush=True)
    print(f"seeds.json, seeds.md and seeds.png in {args.out}/", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
