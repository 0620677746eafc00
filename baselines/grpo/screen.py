"""GRPO alone from a saved demo warm-up: held-out accuracy before and after (for screening settings).

``python -m baselines.grpo.screen runs/demo/sft --out runs/screen --set rollout.temperature=1.5``
loads the SFT checkpoint a demo run saved (``OUT/sft``), rebuilds the demo's held-out set from the
config, runs GRPO with the overrides and prints one ``RESULT`` line. It has no control arm: compare
it with the control of the demo run that wrote the checkpoint (same start, same held-out set).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from baselines.grpo.backends.hf import HFBackend
from baselines.grpo.config import load_config
from baselines.grpo.evaluate import distinct_held_out, evaluate
from baselines.grpo.metrics import read_metrics
from baselines.grpo.model import load_pretrained, quiet_transformers, set_threads
from baselines.grpo.rollout import RolloutCollector
from baselines.grpo.sft import grpo_demonstrations
from baselines.grpo.trainer import GRPOTrainer


def pooled_share(records: list[dict[str, Any]], share: str, count: str) -> float:
    """A per-step share pooled over the run: its groups over all steps' groups (not a mean of step shares)."""
    pairs = [(float(r[share]), float(r[count])) for r in records if isinstance(r.get(share), float) and r.get(count)]
    total = sum(n for _, n in pairs)
    return sum(s * n for s, n in pairs) / total if total else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m baselines.grpo.screen", description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path, help="a demo run's sft/ folder")
    parser.add_argument("--config", type=Path, default=Path("baselines/grpo/configs/math_demo.toml"))
    parser.add_argument("--out", type=Path, default=Path("runs/screen"))
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config override")
    args = parser.parse_args(argv)
    overrides = [*args.set, f"run.out_dir={str(args.out)!r}", f"model.path={str(args.checkpoint)!r}"]
    config = load_config(args.config, overrides)
    demo = config.demo
    if demo is None:
        parser.error(f"{args.config} has no [demo] table: the held-out set comes from it")
    config = config.model_copy(update={"demo": None})
    quiet_transformers()
    set_threads(config.run)
    device = torch.device("cpu")
    model, tokenizer = load_pretrained(args.checkpoint, device)
    evaluator = RolloutCollector.from_config(
        config.env,
        config.rollout,
        tokenizer,
        HFBackend(model, tokenizer, batch_size=256, decoder=config.rollout.hf_decoder),
    )
    requests, exclude = distinct_held_out(evaluator, demo.held_out_levels, demo.held_out_per_level)
    before = evaluate(evaluator, requests, label="before")
    with grpo_demonstrations(config.model_copy(update={"demo": demo}), tokenizer, exclude) as demonstrations:
        trainer = GRPOTrainer(
            config, model, tokenizer, device=device, exclude_prompts=exclude, demonstrations=demonstrations
        )
        try:
            trainer.train()
        finally:
            trainer.close()
    after = evaluate(evaluator, requests, label="after")
    evaluator.close()
    records = read_metrics(args.out / "metrics.jsonl")
    result: dict[str, Any] = {
        "before": before.as_dict(),
        "after": after.as_dict(),
        "gain_points": 100 * (after.accuracy - before.accuracy),
        "level_raises": trainer.counters.level_raises,
        "zero_variance_share_first_round": pooled_share(
            records, "zero_variance_share/first_round", "groups/first_round"
        ),
        "zero_variance_share": pooled_share(records, "zero_variance_share", "groups/generated"),
        "replayed_share": sum(int(r.get("groups/replayed", 0)) for r in records)
        / max(1, sum(int(r["groups/generated"]) for r in records)),
        "wall_s": trainer.counters.elapsed_s,
    }
    (args.out / "screen.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"RESULT {args.out}: held-out {before.accuracy:.3f} -> {after.accuracy:.3f} ({result['gain_points']:+.1f} pt), "
        f"frontier raised {result['level_raises']} time(s), zero-variance groups (first round) "
        f"{100 * result['zero_variance_share_first_round']:.0f}% ({100 * result['zero_variance_share']:.0f}% over all "
        f"rounds), replayed groups {100 * result['replayed_share']:.0f}%, GRPO {result['wall_s']:.0f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
