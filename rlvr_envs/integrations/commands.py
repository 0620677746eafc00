"""The CLI's integration commands: ``export`` and ``eval --base-url`` (kept out of ``cli.py``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from rich.console import Console

from rlvr_envs.core.registry import registered
from rlvr_envs.errors import RLVRError


def add_export_parser(commands: Any) -> None:
    """``rlvr-envs export ID --n N --level L|--levels A:B --seed S --format jsonl|parquet --out PATH``."""
    export = commands.add_parser("export", help="write tasks as a TRL/verl dataset (JSONL or Parquet)")
    export.add_argument("env_id")
    export.add_argument("--n", type=int, required=True, help="number of tasks")
    export.add_argument("--level", type=int, default=None, help="one level (default 0)")
    export.add_argument("--levels", default=None, help="levels A:B (inclusive), cycled over the rows")
    export.add_argument("--seed", type=int, default=0)
    export.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
    export.add_argument("--split", default="train", help="written to extra_info.split (verl)")
    export.add_argument("--out", type=Path, default=None, help="output file (default: ENV-SEED.FORMAT)")


def add_remote_eval_arguments(evaluate: argparse.ArgumentParser) -> None:
    """The flags of ``eval`` that switch it to an OpenAI-compatible server."""
    group = evaluate.add_argument_group("OpenAI-compatible server (given --base-url)")
    group.add_argument("--base-url", default=None, help="e.g. http://127.0.0.1:8000/v1")
    group.add_argument("--model", default=None, help="model name the server expects")
    group.add_argument("--api-key", default=None, help="default: $OPENAI_API_KEY")
    group.add_argument("--levels", default=None, help="levels A:B (inclusive), cycled over the tasks")
    group.add_argument("--k", type=int, default=1, help="report pass@1 and pass@k")
    group.add_argument("--samples", type=int, default=None, help="episodes per task (default: k)")
    group.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    group.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    group.add_argument("--max-retries", type=int, default=3)
    group.add_argument("--temperature", type=float, default=1.0)
    group.add_argument("--max-tokens", type=int, default=1024)
    group.add_argument("--native-tools", action="store_true", help="send the env's tools as OpenAI `tools`")


def cmd_export(args: argparse.Namespace, console: Console) -> int:
    from rlvr_envs.integrations.export import ExportConfig, export, parse_levels

    registered(args.env_id)
    if args.n < 1:
        raise RLVRError("--n must be >= 1")
    config = ExportConfig(
        env_id=args.env_id, n=args.n, levels=parse_levels(args.level, args.levels), seed=args.seed, split=args.split
    )
    out = args.out or Path(f"{args.env_id.replace('/', '_')}-{args.seed}.{args.format}")
    path = export(config, out, args.format)
    console.print(f"wrote {args.n} tasks of {args.env_id} (levels {list(config.levels)}) to {path}")
    return 0


def cmd_remote_eval(args: argparse.Namespace, console: Console) -> int:
    from rlvr_envs.integrations.export import parse_levels
    from rlvr_envs.integrations.openai_eval import EvalConfig, evaluate, report_table

    if args.model is None:
        raise RLVRError("--base-url needs --model (the name the server serves)")
    if args.policy:
        raise RLVRError("--policy evaluates a local policy; drop it when evaluating a server with --base-url")
    if len(args.env_ids) != 1 or args.env_ids == ["all"]:
        raise RLVRError("evaluate one env id at a time against a server")
    if args.episodes < 1 or args.k < 1 or (args.samples is not None and args.samples < args.k):
        raise RLVRError("--episodes and --k must be >= 1, and --samples >= --k")
    registered(args.env_ids[0])
    config = EvalConfig(
        env_id=args.env_ids[0],
        base_url=args.base_url,
        model=args.model,
        api_key=args.api_key or os.environ.get("OPENAI_API_KEY"),
        episodes=args.episodes,
        levels=parse_levels(args.level, args.levels),
        seed=args.seed,
        k=args.k,
        samples=args.samples,
        concurrency=args.concurrency,
        timeout_s=args.timeout,
        max_retries=args.max_retries,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        native_tools=args.native_tools,
        out=args.out,
    )
    report, _episodes = evaluate(config)
    console.print(report_table(report))
    console.print(
        f"[dim]{report.overall.episodes} episodes in {report.elapsed_s:.1f}s, {report.retries} retried requests"
        + (f"; transcripts in {args.out}" if args.out else "")
        + "[/dim]"
    )
    return 0 if report.overall.errors < report.overall.episodes else 1
