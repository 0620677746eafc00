"""``rlvr-envs eval ID ...``: local policies on envs, or (``--base-url``) a model behind an OpenAI-compatible server."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

import rlvr_envs
from rlvr_envs.cli._output import count, non_negative_int, positive_int
from rlvr_envs.core.registry import registered
from rlvr_envs.core.types import EpisodeRecord
from rlvr_envs.errors import RLVRError
from rlvr_envs.policies import load_policy, run_episode

NAME = "eval"


def add_parser(commands: Any) -> None:
    evaluate_parser = commands.add_parser(NAME, help="evaluate policies on envs ('all' = every env)")
    evaluate_parser.add_argument("env_ids", nargs="+", help="env ids (or module:id), or 'all'")
    evaluate_parser.add_argument(
        "--policy",
        action="append",
        default=None,
        help="oracle | random | skill:S | python:module:factory (repeatable; omit: oracle)",
    )
    evaluate_parser.add_argument("--episodes", type=positive_int, default=20, help="episodes per env and policy")
    evaluate_parser.add_argument(
        "--level", type=non_negative_int, default=None, help="fixed level (omit: the env's curriculum)"
    )
    evaluate_parser.add_argument("--seed", type=non_negative_int, default=0, help="seed of the first episode")
    evaluate_parser.add_argument("--out", type=Path, default=None, help="write one JSONL record per episode")
    evaluate_parser.add_argument("--json", action="store_true", help="print the summary as JSON (no table)")
    evaluate_parser.add_argument(
        "--url",
        default=None,
        help="play the episodes on an `rlvr-envs serve` server (ws:// or http://); --policy oracle rebuilds "
        "each task here from its task id (the id must be registered here too)",
    )
    evaluate_parser.add_argument("--token", default=None, help="the server's bearer token (default: $RLVR_SERVE_TOKEN)")
    add_remote_arguments(evaluate_parser)


def add_remote_arguments(evaluate_parser: argparse.ArgumentParser) -> None:
    """The flags of ``eval`` that switch it to an OpenAI-compatible server."""
    group = evaluate_parser.add_argument_group("OpenAI-compatible server (given --base-url)")
    group.add_argument("--base-url", default=None, help="e.g. http://127.0.0.1:8000/v1")
    group.add_argument("--model", default=None, help="model name the server expects")
    group.add_argument("--api-key", default=None, help="default: $OPENAI_API_KEY")
    group.add_argument("--levels", default=None, help="levels A:B (inclusive), cycled over the tasks")
    group.add_argument("--k", type=int, default=1, help="report pass@1 and pass@k")
    group.add_argument("--samples", type=int, default=None, help="episodes per task (default: k)")
    group.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    group.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    group.add_argument("--max-retries", type=int, default=3, help="retries of a failed request")
    group.add_argument("--temperature", type=float, default=1.0, help="sampling temperature")
    group.add_argument("--max-tokens", type=int, default=1024, help="tokens per reply")
    group.add_argument("--native-tools", action="store_true", help="send the env's tools as OpenAI `tools`")
    group.add_argument(
        "--image-format", choices=["png", "jpeg"], default="png", help="how images are encoded (png is lossless)"
    )
    group.add_argument("--jpeg-quality", type=int, default=90, help="1-100, with --image-format jpeg")
    group.add_argument(
        "--image-max-side", type=int, default=None, help="resize images so the longer side is at most N pixels"
    )
    group.add_argument(
        "--image-max-bytes", type=int, default=None, help="refuse (per episode) an encoded image over N bytes"
    )


def summarise(records: list[EpisodeRecord]) -> dict[str, float]:
    rewards = [r.reward for r in records]
    return {
        "episodes": float(len(records)),
        "mean_reward": statistics.fmean(rewards) if rewards else 0.0,
        "success": statistics.fmean(float(r.verdict.correct) if r.verdict else 0.0 for r in records)
        if records
        else 0.0,
        "mean_turns": statistics.fmean(r.turns for r in records) if records else 0.0,
        "episodes_per_s": len(records) / max(1e-9, sum(r.elapsed_s for r in records)),
        "internal_errors": float(sum(internal_error(r) for r in records)),
    }


def internal_error(record: EpisodeRecord) -> bool:
    """The family raised while scoring this episode (the env ended it with a flagged zero verdict)."""
    return record.verdict is not None and "internal_error" in record.verdict.components


def evaluate(
    env_ids: Sequence[str],
    policies: Sequence[str],
    *,
    episodes: int,
    level: int | None,
    seed: int,
    out: Path | None,
    console: Console,
    url: str | None = None,
    token: str | None = None,
) -> dict[tuple[str, str], list[EpisodeRecord]]:
    """Run every policy on every env for ``episodes`` seeded episodes, with a progress bar.

    With ``url`` the envs are sessions on that server (`rlvr_envs.make(..., url=)`).
    """
    results: dict[tuple[str, str], list[EpisodeRecord]] = defaultdict(list)
    options = {"level": level} if level is not None else None
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
    # Build every env and policy before drawing the bar, so a bad id or policy fails with no bar on screen.
    # Each policy gets its own env: an adaptive curriculum must not carry what one policy taught it
    # into the next policy's episodes (the result would depend on the order of --policy).
    remote = {"url": url, "token": token} if url is not None else {}
    envs = {(env_id, name): rlvr_envs.make(env_id, **remote) for env_id in env_ids for name in policies}
    loaded = {key: load_policy(key[1], env, seed=seed) for key, env in envs.items()}
    sink = out.open("w", encoding="utf-8") if out is not None else None
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        ) as progress:
            bar = progress.add_task("evaluating", total=len(env_ids) * len(policies) * episodes)
            for (env_id, policy_name), policy in loaded.items():
                env = envs[(env_id, policy_name)]
                progress.update(bar, description=f"{env_id} · {policy_name}")
                for episode in range(episodes):
                    record = run_episode(env, policy, seed=seed + episode, options=options)
                    results[(env_id, policy_name)].append(record)
                    if sink is not None:
                        line = {"policy": policy_name, **record.model_dump()}
                        sink.write(json.dumps(line, ensure_ascii=False) + "\n")
                    progress.advance(bar)
    finally:
        for env in envs.values():
            env.close()
        for policy in loaded.values():
            if hasattr(policy, "close"):
                policy.close()
        if sink is not None:
            sink.close()
    return results


def results_table(results: dict[tuple[str, str], list[EpisodeRecord]]) -> Table:
    table = Table(title="evaluation")
    for column in ("env", "policy", "episodes", "mean reward", "success", "turns", "errors", "episodes/s"):
        text_column = column in ("env", "policy")
        table.add_column(column, justify="left" if text_column else "right", no_wrap=text_column)
    for (env_id, policy), records in results.items():
        s = summarise(records)
        table.add_row(
            env_id,
            policy,
            f"{s['episodes']:.0f}",
            f"{s['mean_reward']:+.3f}",
            f"{s['success']:.1%}",
            f"{s['mean_turns']:.2f}",
            f"{s['internal_errors']:.0f}",
            f"{s['episodes_per_s']:.1f}",
        )
    return table


def warnings_for(results: dict[tuple[str, str], list[EpisodeRecord]]) -> list[str]:
    """What the table alone hides: family errors, and an oracle below reward 1 (a family bug)."""
    lines = []
    for (env_id, policy), records in results.items():
        errors = sum(internal_error(r) for r in records)
        if errors:
            lines.append(
                f"{env_id} · {policy}: {errors} of {len(records)} episodes ended by an internal error "
                "(the family raised while scoring; the traceback is logged, and `rlvr-envs check` reports it)"
            )
        if policy == "oracle" and records:
            below = [r for r in records if r.reward < 1.0 - 1e-9]
            if below:
                lines.append(
                    f"{env_id} · oracle scored below 1 on {len(below)} of {len(records)} episodes "
                    f"(first: {below[0].task_id}, reward {below[0].reward:+.3f}); the family's oracle_action or "
                    "verify is wrong"
                )
    return lines


def run(args: argparse.Namespace, console: Console) -> int:
    if args.base_url is not None:
        return run_remote(args, console)
    if args.url is not None and args.env_ids == ["all"]:
        raise RLVRError("with --url, name the served ids (GET /envs on the server lists them) instead of 'all'")
    env_ids = rlvr_envs.list_envs() if args.env_ids == ["all"] else args.env_ids
    if args.url is None:
        for env_id in env_ids:
            registered(env_id)
    start = time.perf_counter()
    results = evaluate(
        env_ids,
        args.policy or ["oracle"],
        episodes=args.episodes,
        level=args.level,
        seed=args.seed,
        out=args.out,
        console=Console(stderr=True, quiet=True) if args.json else console,
        url=args.url,
        token=args.token or os.environ.get("RLVR_SERVE_TOKEN"),
    )
    if args.json:
        summary = [{"env": e, "policy": p, **summarise(r)} for (e, p), r in results.items()]
        print(json.dumps({"results": summary, "warnings": warnings_for(results)}, indent=2))
        return 0
    console.print(results_table(results))
    for warning in warnings_for(results):
        console.print(Text(f"warning: {warning}", style="yellow"))
    console.print(
        f"[dim]{count(sum(map(len, results.values())), 'episode')} in {time.perf_counter() - start:.1f}s"
        + (f"; records in {args.out}" if args.out else "")
        + "[/dim]"
    )
    return 0


def remote_summary(report: Any, episodes: Sequence[Any]) -> dict[str, Any]:
    """``eval --base-url --json``: the in-process summary's keys, then pass@k, levels and request counts.

    A row is shaped like one of ``eval --json``'s (``env``, ``policy`` = the model, ``episodes``,
    ``mean_reward``, ``success``, ``mean_turns``, ``episodes_per_s``, ``internal_errors``), so a
    script reads both the same way; ``errors`` counts episodes the server failed (reward 0).
    """

    def row(level_report: Any, chosen: Sequence[Any]) -> dict[str, Any]:
        busy = sum(e.elapsed_s for e in chosen)
        return {
            "episodes": len(chosen),
            "mean_reward": level_report.mean_reward,
            "success": statistics.fmean(float(e.correct) for e in chosen) if chosen else 0.0,
            "mean_turns": statistics.fmean(e.turns for e in chosen) if chosen else 0.0,
            "episodes_per_s": len(chosen) / max(1e-9, busy),
            "internal_errors": sum("internal_error" in e.components for e in chosen),
            "errors": level_report.errors,
            "tasks": level_report.tasks,
            "pass_at": {str(k): v for k, v in level_report.pass_at.items()},
            "pass_all": {str(k): v for k, v in level_report.pass_all.items()},
            "components": level_report.components,
        }

    levels = [{"level": lr.level, **row(lr, [e for e in episodes if e.level == lr.level])} for lr in report.levels]
    return {
        "env": report.env_id,
        "policy": report.model,
        **row(report.overall, list(episodes)),
        "samples_per_task": report.samples,
        "levels": levels,
        "requests": report.requests,
        "retried_requests": report.retries,
        "failed_requests": report.failed_requests,
        "failures": report.failures,
        "images_sent": report.images_sent,
        "elapsed_s": report.elapsed_s,
    }


def run_remote(args: argparse.Namespace, console: Console) -> int:
    """``eval --base-url``: the OpenAI-compatible client (httpx loads only here)."""
    from rlvr_envs.integrations.export import parse_levels
    from rlvr_envs.integrations.images import ImageOptions
    from rlvr_envs.integrations.openai_eval import EvalConfig, failure_lines, report_table
    from rlvr_envs.integrations.openai_eval import evaluate as evaluate_server

    if args.url is not None:
        raise RLVRError("--base-url (a model server) and --url (an env server) cannot be combined")
    if args.model is None:
        raise RLVRError("--base-url needs --model (the name the server serves)")
    if args.policy:
        raise RLVRError("--policy evaluates a local policy; drop it when evaluating a server with --base-url")
    if len(args.env_ids) != 1 or args.env_ids == ["all"]:
        raise RLVRError("evaluate one env id at a time against a server")
    if args.episodes < 1 or args.k < 1 or (args.samples is not None and args.samples < args.k):
        raise RLVRError("--episodes and --k must be >= 1, and --samples >= --k")
    registered(args.env_ids[0])
    if not 1 <= args.jpeg_quality <= 100:
        raise RLVRError(f"--jpeg-quality must be 1-100, got {args.jpeg_quality}")
    if args.image_max_side is not None and args.image_max_side < 8:
        raise RLVRError(f"--image-max-side must be >= 8 pixels, got {args.image_max_side}")
    if args.image_max_bytes is not None and args.image_max_bytes < 1:
        raise RLVRError(f"--image-max-bytes must be >= 1, got {args.image_max_bytes}")
    image = ImageOptions(
        format=args.image_format,
        jpeg_quality=args.jpeg_quality,
        max_side=args.image_max_side,
        max_bytes=args.image_max_bytes,
    )
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
        image=image,
        out=args.out,
    )
    report, episodes = evaluate_server(config)
    if args.json:
        summary = remote_summary(report, episodes)
        print(json.dumps({"results": [summary], "warnings": failure_lines(report, args.base_url)}, indent=2))
        return 1 if report.failures else 0
    console.print(report_table(report))
    images = f", {report.images_sent} images sent ({image.format})" if report.images_sent else ""
    console.print(
        f"[dim]{count(report.overall.episodes, 'episode')} in {report.elapsed_s:.1f}s, "
        f"{count(report.requests, 'request')}, "
        f"{report.retries} retried{images}" + (f"; transcripts in {args.out}" if args.out else "") + "[/dim]"
    )
    for line in failure_lines(report, args.base_url):
        console.print(line, style="bold red", markup=False, highlight=False)
    return 1 if report.failures else 0
