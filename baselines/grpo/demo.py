"""The CPU demo behind ``make run``: a model built from scratch learns with SFT, then GRPO.

1. build a tiny Llama (random init) and a BPE tokenizer trained on generated env text;
2. fix a held-out set: ``held_out_per_level`` tasks per level, seeds disjoint from training, and
   their prompt texts excluded from every training stream;
3. supervised warm-up on generated worked solutions (`baselines.grpo.worked`); with
   ``demo.sft.early_stop`` it checks the validation split and goes back to its best checkpoint;
4. held-out accuracy of that checkpoint (greedy);
5. GRPO with the curriculum in the loop, from that checkpoint;
6. held-out accuracy after GRPO;
7. control: from the same checkpoint (weights, optimizer, data stream), supervised training for
   the wall time GRPO took (beside GRPO on a spare CPU core, `baselines.grpo.control`); held-out
   accuracy again;
8. ``results.json``, ``learning_curves.png`` and ``report.md`` under ``run.out_dir``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from baselines.grpo.backends.hf import HFBackend
from baselines.grpo.config import TrainConfig, dump_toml
from baselines.grpo.control import BesideControl, BestOnValidation, continue_sft, runs_beside, save_start
from baselines.grpo.evaluate import EvalResult, distinct_held_out, evaluate
from baselines.grpo.metrics import read_metrics
from baselines.grpo.model import (
    autocast_dtype,
    cpu_threads,
    load_pretrained,
    quiet_transformers,
    resolve_device,
    set_threads,
)
from baselines.grpo.plots import plot_run
from baselines.grpo.report import generation_throughput, training_section
from baselines.grpo.rollout import RolloutCollector
from baselines.grpo.screen import pooled_share
from baselines.grpo.sft import (
    SFTResult,
    demo_stream,
    grpo_demonstrations,
    make_sft_optimizer,
    sft_train,
    supervised_target,
)
from baselines.grpo.tiny import build_tiny
from baselines.grpo.trainer import GRPOTrainer


def _say(start: float, message: str) -> None:
    print(f"[{time.perf_counter() - start:6.1f}s] {message}", flush=True)


def run_demo(config: TrainConfig) -> dict[str, Any]:
    """Run the whole demo; returns (and writes to ``results.json``) every figure it reports."""
    demo = config.demo
    if demo is None:
        raise ValueError("run_demo needs a config with a [demo] table")
    start = time.perf_counter()
    out = Path(config.run.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    quiet_transformers()
    set_threads(config.run)
    device = resolve_device(config.run.device)
    amp = autocast_dtype(config.model.dtype, device)
    torch.manual_seed(config.run.seed)
    env_id, env_kwargs = config.env.id, config.env.kwargs

    if config.model.path:
        model, tokenizer = load_pretrained(config.model.path, device)
        _say(start, f"loaded {config.model.path}")
    else:
        model, tokenizer = build_tiny(
            env_id,
            env_kwargs,
            config.model.tiny,
            seed=config.run.seed,
            # the tokenizer learns the demonstrations' own style
            target=functools.partial(supervised_target, style=demo.sft.solution_style),
            save_to=out / "init",
        )
        model = model.to(device)  # type: ignore[arg-type]
        params = sum(p.numel() for p in model.parameters())
        _say(start, f"built a tiny Llama ({params / 1e6:.2f}M parameters, vocabulary {len(tokenizer)}) from scratch")

    rollout = config.rollout
    evaluator = RolloutCollector.from_config(
        config.env,
        rollout,
        tokenizer,
        HFBackend(
            model,
            tokenizer,
            batch_size=rollout.generation_batch_size,
            autocast_dtype=amp,
            decoder=rollout.hf_decoder,
        ),
    )
    requests, exclude = distinct_held_out(evaluator, demo.held_out_levels, demo.held_out_per_level)
    _say(
        start, f"held-out set: {len(requests)} tasks at levels {demo.held_out_levels} ({len(exclude)} distinct prompts)"
    )

    # ---- supervised warm-up --------------------------------------------------------------------
    sft = demo.sft
    stream = demo_stream(
        config, tokenizer, np.random.default_rng(np.random.SeedSequence([config.run.seed, 0x736674])), exclude
    )
    if sft.pool:
        _say(
            start,
            f"demonstrations: a fixed pool of {len(stream.pool)} worked examples at levels {sft.levels} "
            f"(+{len(stream.validation_requests)} validation tasks for the control's early stopping)",
        )
    else:
        _say(start, f"demonstrations: a fresh worked example every time, levels {sft.levels}")
    optimizer, scheduler = make_sft_optimizer(model, sft.lr, sft.warmup_steps)
    selector = None
    if sft.early_stop and stream.validation_requests:
        selector = BestOnValidation(
            config, model, tokenizer, stream, amp, label="sft warm-up", optimizer=optimizer, scheduler=scheduler
        )
    stopping = (
        f", keeping the best of validation checks every {sft.eval_every} steps"
        + (f" (stops after {sft.patience} checks without a new best)" if sft.patience else "")
        if selector
        else ""
    )
    _say(start, f"SFT warm-up: up to {sft.max_steps} steps of {sft.batch_size}{stopping}")
    alone = cpu_threads(sft.threads) if device.type == "cpu" else contextlib.nullcontext()
    with alone:  # the warm-up and its evaluation run alone: every core (GRPO and the control: run.threads)
        try:
            warmup = sft_train(
                model,
                optimizer,
                scheduler,
                stream,
                batch_size=sft.batch_size,
                max_steps=sft.max_steps,
                time_budget_s=sft.time_budget_s,
                max_grad_norm=sft.max_grad_norm,
                autocast_dtype=amp,
                stop=_early_stop(selector, sft.eval_every, sft.patience) if selector else None,
                log_every=sft.log_every,
                label="sft warm-up",
            )
            if selector is not None:
                selector.check(warmup.steps)
                selector.restore_best()
                warmup.validation, warmup.best_step = selector.history, selector.best_step
        finally:
            if selector is not None:
                selector.close()
        kept = f", kept step {warmup.best_step} (validation {selector.best:.3f})" if selector else ""
        _say(
            start,
            f"SFT warm-up: {warmup.steps} steps, {warmup.examples} examples, {warmup.wall_s:.0f} s, "
            f"final loss {np.mean(warmup.losses[-20:]):.3f}{kept}",
        )
        sft_dir = out / "sft"
        save_start(sft_dir, model, tokenizer, optimizer, scheduler, stream)
        stream.close()
        before = evaluate(evaluator, requests, label="SFT start")
    _say(start, f"held-out accuracy after SFT: {_levels(before)}")

    # ---- GRPO ----------------------------------------------------------------------------------
    grpo_config = config.model_copy(
        update={
            "demo": None,
            "model": config.model.model_copy(update={"path": str(sft_dir)}),
            "run": config.run.model_copy(update={"out_dir": str(out / "grpo")}),
        }
    )
    beside = demo.control and runs_beside(config, device)
    arm = BesideControl(config, sft_dir, out / "sft-control", exclude) if beside else None
    _say(start, f"GRPO: {config.run.max_steps} steps" + (" (the SFT control trains beside it)" if arm else ""))
    with grpo_demonstrations(config, tokenizer, exclude) as demonstrations:
        trainer = GRPOTrainer(
            grpo_config, model, tokenizer, device=device, exclude_prompts=exclude, demonstrations=demonstrations
        )
        try:
            trainer.train()
        except BaseException:
            if arm is not None:
                arm.abort()
            raise
        finally:
            trainer.close()
    grpo_wall = trainer.counters.elapsed_s
    records = read_metrics(out / "grpo" / "metrics.jsonl")
    after = evaluate(evaluator, requests, label="after GRPO")
    _say(
        start,
        f"GRPO: {trainer.counters.step} steps in {grpo_wall:.0f} s, curriculum raised the level "
        f"{trainer.counters.level_raises} time(s) (frontier {trainer.counters.level_max})",
    )
    _say(start, f"held-out accuracy after GRPO: {_levels(after)}")

    # ---- control: more SFT for the same wall time, from the same start ------------------------
    control: EvalResult | None = None
    continued: SFTResult | None = None
    if demo.control:
        if arm is not None:
            continued = arm.finish(grpo_wall)
        else:
            _say(start, f"SFT control: {grpo_wall:.0f} s of SFT from the same start")
            continued = continue_sft(config, sft_dir, out / "sft-control", exclude, grpo_wall, device=device)
        model.load_state_dict(load_pretrained(out / "sft-control", device)[0].state_dict())
        control = evaluate(evaluator, requests, label="SFT control")
        where = "beside GRPO on the second core" if arm is not None else "after GRPO"
        _say(
            start,
            f"control (SFT for {continued.wall_s:.0f} s, {continued.steps} steps, {where}): {_levels(control)}",
        )
    evaluator.close()

    total = time.perf_counter() - start
    gained = after.accuracy - before.accuracy
    summary: dict[str, Any] = {
        "completed": True,
        "env": env_id,
        "env_kwargs": env_kwargs,
        "held_out": {"levels": demo.held_out_levels, "per_level": demo.held_out_per_level, "n": before.n},
        "sft_warmup": {
            "steps": warmup.steps,
            "examples": warmup.examples,
            "wall_s": warmup.wall_s,
            "skipped_held_out_prompts": stream.skipped,
            "levels": sft.levels,
            "pool": len(stream.pool),
            "validation": len(stream.validation_requests),
            "validation_checks": [list(p) for p in warmup.validation],
            "best_step": warmup.best_step,
        },
        "before": before.as_dict(),
        "after_grpo": after.as_dict(),
        "control_sft": control.as_dict() if control else None,
        "control_steps": continued.steps if continued else 0,
        "control_wall_s": continued.wall_s if continued else 0.0,
        "control_beside_grpo": arm is not None,
        "control_validation": [list(p) for p in continued.validation] if continued else [],
        "control_best_step": continued.best_step if continued else -1,
        "grpo": {
            "steps": trainer.counters.step,
            "wall_s": grpo_wall,
            "level_raises": trainer.counters.level_raises,
            "frontier": trainer.counters.level_max,
            "curriculum_moves": (trainer.controller.state().model_dump().get("stats") or {}).get("moves", []),
            "skipped_held_out_prompts": trainer.counters.skipped_prompts,
            "zero_variance_share": pooled_share(records, "zero_variance_share", "groups/generated"),
            "zero_variance_share_first_round": pooled_share(
                records, "zero_variance_share/first_round", "groups/first_round"
            ),
            "generation_tokens_per_s": generation_throughput(records),
        },
        "gain_points": 100 * gained,
        "control_gain_points": 100 * (control.accuracy - before.accuracy) if control else None,
        "grpo_minus_control_points": 100 * (after.accuracy - control.accuracy) if control else None,
        "demo_wall_s": total,
    }
    (out / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / "config.toml").write_text(dump_toml(config))
    held = {"SFT start": _plot_levels(before), "after GRPO": _plot_levels(after)}
    if control:
        held["SFT control (same time)"] = _plot_levels(control)
    if config.logging.plot and records:
        families = env_kwargs.get("generators")
        title = f"GRPO demo on {env_id}" + (f" ({', '.join(families)})" if families else "")
        plot_run(records, out / "learning_curves.png", title=title, held_out=held)
    (out / "report.md").write_text(_report(config, summary, records, trainer.counters.level_raises))
    print(_table(summary), flush=True)
    _say(start, f"results, plot and report in {out}/")
    return summary


def _early_stop(selector: BestOnValidation, every: int, patience: int) -> Any:
    """``sft_train``'s ``stop``: validation every ``every`` steps; stop after ``patience`` checks without a new best."""

    def stop(steps: int, elapsed: float) -> bool:
        if steps % every == 0 and steps not in selector.checked:
            selector.check(steps)
        # a model that has not solved one validation task yet is still learning the format: no stopping
        return bool(patience) and selector.best > 0 and selector.checks_since_best() >= patience

    return stop


def _levels(result: EvalResult) -> str:
    parts = ", ".join(f"L{level} {acc:.3f}" for level, acc in result.per_level.items())
    return f"{result.accuracy:.3f} overall ({parts}; n={result.n})"


def _plot_levels(result: EvalResult) -> dict[str, float]:
    return {**{str(k): v for k, v in result.per_level.items()}, "all": result.accuracy}


def _table(summary: dict[str, Any]) -> str:
    before, after, control = summary["before"], summary["after_grpo"], summary["control_sft"]
    levels = list(before["per_level"])
    lines = [
        "",
        f"Held-out accuracy, greedy, {before['n']} tasks (seeds disjoint from training, prompts never trained on)",
        f"{'level':>6} {'n':>5} {'SFT start':>10} {'after GRPO':>18} {'SFT control':>18}",
    ]
    for level in [*levels, "all"]:
        b = before["accuracy"] if level == "all" else before["per_level"][level]
        a = after["accuracy"] if level == "all" else after["per_level"][level]
        n = before["n"] if level == "all" else before["per_level_n"][level]
        row = f"{level:>6} {n:>5} {b:>10.3f} {a:>8.3f} ({100 * (a - b):+5.1f} pt)"
        if control:
            c = control["accuracy"] if level == "all" else control["per_level"][level]
            row += f" {c:>8.3f} ({100 * (c - b):+5.1f} pt)"
        lines.append(row)
    grpo = summary["grpo"]
    moves = "; ".join(
        f"level {m['level']} after {m['rollouts']} rollouts (pass rate {m['pass_rate']:.2f})"
        for m in grpo.get("curriculum_moves", [])
    )
    if moves:
        lines.append(f"Curriculum: the frontier (highest level sampled) moved to {moves}")
    lines.append(
        f"GRPO: {grpo['steps']} steps, {grpo['wall_s']:.0f} s, frontier raised {grpo['level_raises']} time(s) "
        f"(to level {grpo['frontier']}); zero-variance groups "
        f"{100 * grpo.get('zero_variance_share_first_round', 0.0):.0f}% of each step's first round "
        f"({100 * grpo.get('zero_variance_share', 0.0):.0f}% counting dynamic sampling's extra rounds); "
        f"generation {grpo['generation_tokens_per_s']:.0f} tokens/s (tokens sampled / generation time). "
        f"Demo total {summary['demo_wall_s']:.0f} s."
    )
    return "\n".join(lines)


def _report(config: TrainConfig, summary: dict[str, Any], records: list[dict[str, Any]], raises: int) -> str:
    control = summary["control_sft"]
    verdict = "n/a"
    if control:
        delta = summary["after_grpo"]["accuracy"] - control["accuracy"]
        verdict = (
            f"GRPO beats the SFT control by {100 * delta:.1f} points"
            if delta > 0
            else f"the SFT control beats GRPO by {-100 * delta:.1f} points"
            if delta < 0
            else "GRPO and the SFT control tie"
        )
    sft = summary["sft_warmup"]
    return (
        f"# GRPO CPU demo: {summary['env']}\n\n"
        f"Generated by `baselines/grpo/demo.py` (config `config.toml` in this folder); every number below "
        f"is measured in this run.\n\n"
        f"- SFT warm-up: {sft['steps']} steps ({sft['examples']} worked solutions) in {sft['wall_s']:.0f} s\n"
        f"- GRPO: {summary['grpo']['steps']} steps in {summary['grpo']['wall_s']:.0f} s; "
        f"held-out accuracy {summary['before']['accuracy']:.3f} -> {summary['after_grpo']['accuracy']:.3f} "
        f"({summary['gain_points']:+.1f} points)\n"
        f"- control (SFT for the same wall time from the same checkpoint, {summary['control_steps']} steps): "
        f"{control['accuracy'] if control else float('nan'):.3f}; {verdict}\n"
        f"- whole demo: {summary['demo_wall_s']:.0f} s\n\n"
        f"```text{_table(summary)}\n```\n\n"
        f"## GRPO phase\n\n{training_section(config, records, level_raises=raises)}\n"
        f"![learning curves](learning_curves.png)\n"
    )
