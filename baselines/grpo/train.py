"""Command line: ``python -m baselines.grpo.train --config FILE [--set key=value ...] [--resume]``.

A config with a ``[demo]`` table runs the CPU demo pipeline (`baselines.grpo.demo`); any other
config runs GRPO on its env with its model (``model.path``, or the tiny model built from scratch).
``rlvr-envs train ...`` is the same command.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baselines.grpo.config import ConfigError, TrainConfig, load_config


def build_parser(prog: str = "python -m baselines.grpo.train") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Train a policy with GRPO on an rlvr-envs env.")
    parser.add_argument("--config", type=Path, default=None, help="TOML config (see baselines/grpo/configs/)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value with a dotted key and a TOML value, e.g. --set optim.lr=1e-4 (repeatable)",
    )
    parser.add_argument(
        "--resume",
        nargs="?",
        const="latest",
        default=None,
        metavar="CHECKPOINT",
        help="continue from the newest checkpoint in run.out_dir (or from CHECKPOINT)",
    )
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], help="shortcut for --set run.device=...")
    parser.add_argument("--backend", choices=["hf", "vllm"], help="shortcut for --set rollout.backend=...")
    parser.add_argument("--out-dir", help="shortcut for --set run.out_dir=...")
    parser.add_argument("--max-steps", type=int, help="shortcut for --set run.max_steps=...")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    overrides = list(args.overrides)
    if args.device:
        overrides.append(f"run.device={args.device!r}")
    if args.backend:
        overrides.append(f"rollout.backend={args.backend!r}")
    if args.out_dir:
        overrides.append(f"run.out_dir={str(args.out_dir)!r}")
    if args.max_steps is not None:
        overrides.append(f"run.max_steps={args.max_steps}")
    if args.quiet:
        overrides.append("logging.progress=false")
    return load_config(args.config, overrides)


def run_training(config: TrainConfig, *, resume: str | bool | None = None) -> dict[str, Any]:
    """GRPO on ``config.env.id``; writes metrics, checkpoints, ``learning_curves.png`` and ``report.md``."""
    import torch

    from baselines.grpo.checkpoint import resolve_resume
    from baselines.grpo.metrics import read_metrics
    from baselines.grpo.model import load_model_dir, load_policy, quiet_transformers, resolve_device, set_threads
    from baselines.grpo.plots import plot_run
    from baselines.grpo.report import training_section
    from baselines.grpo.sft import supervised_target
    from baselines.grpo.tiny import build_tiny
    from baselines.grpo.trainer import GRPOTrainer

    quiet_transformers()
    set_threads(config.run)
    device = resolve_device(config.run.device)
    out_dir = Path(config.run.out_dir)
    init_dir = out_dir / "init"
    checkpoint = resolve_resume(out_dir, resume)
    torch.manual_seed(config.run.seed)
    if checkpoint is not None:
        policy = load_model_dir(checkpoint / "model", device)
    else:
        policy = load_policy(
            config.model,
            device,
            build_tiny=lambda: build_tiny(
                config.env.id,
                config.env.kwargs,
                config.model.tiny,
                seed=config.run.seed,
                target=supervised_target,
                save_to=init_dir,
            ),
            seed=config.run.seed,
        )
        if config.model.tiny_vlm is not None and not config.model.path:
            policy.model.save_pretrained(init_dir)  # the KL reference of a resumed run starts from here
            policy.processor.save_pretrained(init_dir)
    model, tokenizer = policy.model, policy.tokenizer
    reference = None
    if config.algo.beta > 0 and checkpoint is not None:
        reference = load_model_dir(config.model.path or init_dir, device).model
    trainer = GRPOTrainer(config, model, tokenizer, device=device, reference=reference, processor=policy.processor)
    try:
        if checkpoint is not None:
            trainer.load_state(checkpoint)
        trainer.train()
    finally:
        trainer.close()
    records = read_metrics(out_dir / "metrics.jsonl")
    if config.logging.plot and records:
        plot_run(records, out_dir / "learning_curves.png", title=f"GRPO on {config.env.id}")
    report = f"# GRPO run: {config.env.id}\n\n" + training_section(
        config, records, level_raises=trainer.counters.level_raises
    )
    if config.logging.plot and records:
        report += "\n![learning curves](learning_curves.png)\n"
    (out_dir / "report.md").write_text(report, encoding="utf-8")
    return {"steps": trainer.counters.step, "records": records, "out_dir": str(out_dir)}


def main(argv: Sequence[str] | None = None, prog: str = "python -m baselines.grpo.train") -> int:
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        config = config_from_args(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if config.demo is not None:
        if args.resume:
            print("error: --resume continues a plain GRPO run, not the demo pipeline", file=sys.stderr)
            return 2
        from baselines.grpo.demo import run_demo

        summary = run_demo(config)
        return 0 if summary.get("completed") else 1
    result = run_training(config, resume=args.resume)
    print(f"{result['steps']} steps; metrics, checkpoints and report.md in {result['out_dir']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
