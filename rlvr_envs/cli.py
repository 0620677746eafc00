"""`rlvr-envs` command line: list envs, show a task, play one yourself, evaluate a policy or a server,
watch a curriculum, export a dataset, train with GRPO."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn, track
from rich.table import Table
from rich.text import Text

import rlvr_envs
from rlvr_envs.core.registry import list_specs, registered
from rlvr_envs.core.types import EpisodeRecord
from rlvr_envs.curriculum import build_controller, load_controller, save_controller
from rlvr_envs.curriculum_report import curriculum_panel
from rlvr_envs.errors import RLVRError
from rlvr_envs.integrations.commands import add_export_parser, add_remote_eval_arguments, cmd_export, cmd_remote_eval
from rlvr_envs.policies import load_policy, run_episode


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rlvr-envs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("list", help="table of registered env ids")

    show = commands.add_parser("show", help="print one task with its gold answer")
    show.add_argument("env_id")
    show.add_argument("--level", type=int, default=None)
    show.add_argument("--seed", type=int, default=0)
    show.add_argument("--json", action="store_true", help="print the Task as JSON")

    play = commands.add_parser("play", help="play the agent yourself in the terminal")
    play.add_argument("env_id")
    play.add_argument("--level", type=int, default=None)
    play.add_argument("--seed", type=int, default=None)
    play.add_argument("--transcript", type=Path, default=None, help="also write the transcript here (Markdown)")
    play.add_argument(
        "--images", type=Path, default=None, help="folder to save the images a multimodal env shows (PNG)"
    )

    evaluate = commands.add_parser("eval", help="evaluate policies on envs ('all' = every env)")
    evaluate.add_argument("env_ids", nargs="+", help="env ids, or 'all'")
    evaluate.add_argument(
        "--policy", action="append", default=None, help="oracle | random | python:module:factory (repeatable)"
    )
    evaluate.add_argument("--episodes", type=int, default=20)
    evaluate.add_argument("--level", type=int, default=None, help="fixed level (default: the env's curriculum)")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--out", type=Path, default=None, help="write one JSONL record per episode")
    add_remote_eval_arguments(evaluate)
    add_export_parser(commands)

    curriculum = commands.add_parser(
        "curriculum", help="run an env's curriculum with a policy and print the level distribution and frontier"
    )
    curriculum.add_argument("env_id", nargs="?", help="env id (omit with --show)")
    curriculum.add_argument("--episodes", type=int, default=200)
    curriculum.add_argument(
        "--policy",
        default="skill:3",
        help="oracle | random | skill:S (right w.p. sigmoid(1.5 (S - level))) | python:m:f",
    )
    curriculum.add_argument(
        "--controller", default=None, help='a curriculum table as JSON, e.g. \'{"kind": "frontier"}\''
    )
    curriculum.add_argument("--resume", type=Path, default=None, help="start from a saved state (JSON)")
    curriculum.add_argument("--save", type=Path, default=None, help="write the final state (JSON)")
    curriculum.add_argument("--show", type=Path, default=None, help="only print a saved state")
    curriculum.add_argument("--seed", type=int, default=0)

    train = commands.add_parser(
        "train",
        add_help=False,
        help="train a policy with the reference GRPO agent (needs the train extra; `rlvr-envs train --help`)",
    )
    train.add_argument("train_args", nargs=argparse.REMAINDER)
    return parser


def cmd_train(train_args: list[str]) -> int:
    """``python -m baselines.grpo.train`` under another name; torch and the baseline load only here."""
    import importlib
    import importlib.util

    missing = [name for name in ("torch", "transformers") if importlib.util.find_spec(name) is None]
    if missing:
        raise RLVRError(
            f"`rlvr-envs train` needs {' and '.join(missing)}: install the train extra with "
            "`pip install -e '.[train]'` (or `make install-train`)"
        )
    try:
        trainer = importlib.import_module("baselines.grpo.train")
    except ModuleNotFoundError as exc:
        if exc.name not in ("baselines", "baselines.grpo", "baselines.grpo.train"):
            raise
        root = Path(rlvr_envs.__file__).resolve().parents[1]
        if not (root / "baselines" / "grpo" / "train.py").is_file():
            raise RLVRError(
                "`rlvr-envs train` runs the GRPO baseline in the repository's baselines/ folder, which is not "
                "installed with the package: run it from a checkout (pip install -e .)"
            ) from exc
        sys.path.insert(0, str(root))
        trainer = importlib.import_module("baselines.grpo.train")
    return int(trainer.main(train_args, prog="rlvr-envs train"))


def cmd_curriculum(args: argparse.Namespace, console: Console) -> int:
    if args.show is not None:
        console.print(curriculum_panel(load_controller(args.show)))
        return 0
    if args.env_id is None:
        raise RLVRError("give an env id (or --show STATE.json)")
    if args.episodes < 1:
        raise RLVRError("--episodes must be >= 1")
    registered(args.env_id)
    if args.resume is not None:
        controller = load_controller(args.resume)
    elif args.controller is not None:
        try:
            table = json.loads(args.controller)
        except json.JSONDecodeError as exc:
            raise RLVRError(f"--controller must be a JSON object: {exc}") from exc
        controller = build_controller(table)
    else:
        spec = registered(args.env_id).spec
        controller = build_controller(spec.curriculum, default_level=spec.default_level)
    env = rlvr_envs.make(args.env_id, curriculum=controller)
    policy = load_policy(args.policy, env, seed=args.seed)
    played: Counter[int] = Counter()
    passed: defaultdict[int, float] = defaultdict(float)
    for episode in track(range(args.episodes), description=f"{args.env_id} · {args.policy}", console=console):
        record = run_episode(env, policy, seed=args.seed + episode)
        played[record.level] += 1
        passed[record.level] += float(record.verdict.correct) if record.verdict else 0.0
    env.close()
    console.print(curriculum_panel(controller, played, passed))
    if args.save is not None:
        console.print(f"[dim]state saved to {save_controller(controller, args.save)}[/dim]")
    return 0


def cmd_list(console: Console) -> int:
    table = Table(title="rlvr-envs environments")
    for column in ("id", "family", "turns", "curriculum", "description"):
        table.add_column(column)
    for spec in list_specs():
        curriculum = spec.curriculum.get("kind", "fixed") if spec.curriculum else f"fixed({spec.default_level})"
        table.add_row(spec.id, spec.family, str(spec.max_turns), str(curriculum), spec.description)
    console.print(table)
    return 0


def cmd_show(args: argparse.Namespace, console: Console) -> int:
    env = rlvr_envs.make(args.env_id)
    options = {"level": args.level} if args.level is not None else None
    _observation, info = env.reset(seed=args.seed, options=options)
    task = rlvr_envs.unwrap(env).task
    if task is None:  # pragma: no cover - reset always sets a task
        return 1
    if args.json:
        console.print_json(task.model_dump_json())
        return 0
    console.rule(f"{args.env_id}  task {task.task_id}  level {task.level}")
    for message in info["messages"]:
        _labelled(console, message["role"], _content_text(message["content"]))
    if info["tools"]:
        _labelled(console, "tools", ", ".join(t.get("function", t).get("name", "?") for t in info["tools"]))
    _labelled(console, "gold", json.dumps(task.data, ensure_ascii=False)[:2000], style="bold green")
    if task.metadata:
        _labelled(console, "metadata", json.dumps(task.metadata, ensure_ascii=False)[:2000])
    env.close()
    return 0


def _content_text(content: Any) -> str:
    """Message content as text: multimodal parts become their text, an image part ``[image]``."""
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if isinstance(part, dict):
            parts.append(str(part.get("text", "")) if part.get("type") == "text" else f"[{part.get('type', '?')}]")
    return " ".join(parts)


def _save_images(info: dict[str, Any], folder: Path | None, saved: int, console: Console) -> int:
    """Write images not yet saved (``info["images"]``) to ``folder`` as PNG; returns how many exist now."""
    images = info.get("images") or []
    if folder is None or len(images) <= saved:
        return saved
    from PIL import Image  # lazy: only multimodal play sessions need Pillow

    folder.mkdir(parents=True, exist_ok=True)
    for index in range(saved, len(images)):
        path = folder / f"image_{index}.png"
        Image.fromarray(images[index]).save(path)
        console.print(f"[dim]image saved to {path}[/dim]")
    return len(images)


def _labelled(console: Console, label: str, body: str, style: str = "bold") -> None:
    """Print ``label: body`` with the label styled and the body verbatim (no markup parsing)."""
    console.print(Text.assemble((f"{label}: ", style), body))


def _read_action(stream: TextIO, console: Console) -> str | None:
    """Read lines until a line with a single '.' (or EOF); ``None`` when input is exhausted."""
    console.print("[dim]your turn (end with a line containing only '.'; Ctrl-D quits)[/dim]")
    lines: list[str] = []
    for line in stream:
        if line.rstrip("\n") == ".":
            return "\n".join(lines)
        lines.append(line.rstrip("\n"))
    return "\n".join(lines) if lines else None


_ROLE_STYLE = {"system": "dim", "user": "bold cyan", "assistant": "bold green", "tool": "yellow"}


def _tools_table(tools: list[dict[str, object]]) -> Table:
    """The env's tools (OpenAI function specs) as name, arguments and description."""
    table = Table(title='tools (call with <tool_call>{"name": ..., "arguments": {...}}</tool_call>)')
    for column in ("tool", "arguments", "description"):
        table.add_column(column)
    for tool in tools:
        function = tool.get("function", tool)
        if not isinstance(function, dict):
            continue
        parameters = function.get("parameters") or {}
        properties = parameters.get("properties", {}) if isinstance(parameters, dict) else {}
        required = set(parameters.get("required", [])) if isinstance(parameters, dict) else set()
        arguments = ", ".join(f"{name}{'' if name in required else '?'}" for name in properties)
        table.add_row(str(function.get("name", "")), arguments, str(function.get("description", "")))
    return table


def cmd_play(args: argparse.Namespace, console: Console, stream: TextIO = sys.stdin) -> int:
    env = rlvr_envs.make(args.env_id)
    options = {"level": args.level} if args.level is not None else None
    observation, info = env.reset(seed=args.seed, options=options)
    if info.get("tools"):
        console.print(_tools_table(info["tools"]))
    for message in info["messages"]:
        if message["role"] == "system":
            console.print(Text(f"system: {message['content']}", style="dim"))
    console.print(Text("user: ", style=_ROLE_STYLE["user"]), end="")
    console.print(_observation_text(observation), markup=False)
    saved = _save_images(info, args.images, 0, console)
    total = 0.0
    while True:
        action = _read_action(stream, console)
        if action is None:
            console.print("[yellow]input closed; episode abandoned[/yellow]")
            return 1
        observation, reward, terminated, truncated, info = env.step(action)
        total += float(reward)
        role = info["messages"][-1]["role"] if not (terminated or truncated) else "env"
        console.print(Text(f"{role}: ", style=_ROLE_STYLE.get(role, "bold")), end="")
        console.print(_observation_text(observation), markup=False)
        saved = _save_images(info, args.images, saved, console)
        if terminated or truncated:
            verdict = info.get("verdict", {})
            console.print(f"[bold]episode over[/bold]: reward {total:+.3f}  components {verdict.get('components')}")
            if args.transcript is not None:
                _write_transcript(args.transcript, info["messages"], _observation_text(observation), verdict)
                console.print(f"transcript written to {args.transcript}")
            return 0


def _observation_text(observation: Any) -> str:
    """The text of an observation: the string itself, or a ``Dict`` observation's ``text`` entry."""
    return observation if isinstance(observation, str) else str(observation.get("text", ""))


def _write_transcript(path: Path, messages: list[dict[str, object]], last: str, verdict: dict[str, object]) -> None:
    """A readable Markdown transcript: one block per message (image parts as ``[image]``), then the verdict."""
    lines = []
    for message in messages:
        content = _content_text(message.get("content", ""))
        lines += [f"**{message.get('role')}**", "", "```text", content, "```", ""]
    lines += ["**env**", "", "```text", last, "```", "", f"verdict: `{json.dumps(verdict.get('components'))}`"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _summarise(records: list[EpisodeRecord]) -> dict[str, float]:
    rewards = [r.reward for r in records]
    return {
        "episodes": float(len(records)),
        "mean_reward": statistics.fmean(rewards) if rewards else 0.0,
        "success": statistics.fmean(float(r.verdict.correct) if r.verdict else 0.0 for r in records)
        if records
        else 0.0,
        "mean_turns": statistics.fmean(r.turns for r in records) if records else 0.0,
        "episodes_per_s": len(records) / max(1e-9, sum(r.elapsed_s for r in records)),
    }


def evaluate(
    env_ids: Sequence[str],
    policies: Sequence[str],
    *,
    episodes: int,
    level: int | None,
    seed: int,
    out: Path | None,
    console: Console,
) -> dict[tuple[str, str], list[EpisodeRecord]]:
    """Run every policy on every env for ``episodes`` seeded episodes, with a progress bar."""
    results: dict[tuple[str, str], list[EpisodeRecord]] = defaultdict(list)
    options = {"level": level} if level is not None else None
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
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
            for env_id in env_ids:
                env = rlvr_envs.make(env_id)
                for policy_name in policies:
                    policy = load_policy(policy_name, env, seed=seed)
                    progress.update(bar, description=f"{env_id} · {policy_name}")
                    for episode in range(episodes):
                        record = run_episode(env, policy, seed=seed + episode, options=options)
                        results[(env_id, policy_name)].append(record)
                        if sink is not None:
                            line = {"policy": policy_name, **record.model_dump()}
                            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
                        progress.advance(bar)
                env.close()
    finally:
        if sink is not None:
            sink.close()
    return results


def results_table(results: dict[tuple[str, str], list[EpisodeRecord]]) -> Table:
    table = Table(title="evaluation")
    for column in ("env", "policy", "episodes", "mean reward", "success", "turns", "episodes/s"):
        text_column = column in ("env", "policy")
        table.add_column(column, justify="left" if text_column else "right", no_wrap=text_column)
    for (env_id, policy), records in results.items():
        s = _summarise(records)
        table.add_row(
            env_id,
            policy,
            f"{s['episodes']:.0f}",
            f"{s['mean_reward']:+.3f}",
            f"{s['success']:.1%}",
            f"{s['mean_turns']:.2f}",
            f"{s['episodes_per_s']:.1f}",
        )
    return table


def cmd_eval(args: argparse.Namespace, console: Console) -> int:
    if args.base_url is not None:
        return cmd_remote_eval(args, console)
    env_ids = rlvr_envs.list_envs() if args.env_ids == ["all"] else args.env_ids
    for env_id in env_ids:
        registered(env_id)
    if args.episodes < 1:
        raise RLVRError("--episodes must be >= 1")
    start = time.perf_counter()
    results = evaluate(
        env_ids,
        args.policy or ["oracle"],
        episodes=args.episodes,
        level=args.level,
        seed=args.seed,
        out=args.out,
        console=console,
    )
    console.print(results_table(results))
    console.print(
        f"[dim]{sum(map(len, results.values()))} episodes in {time.perf_counter() - start:.1f}s"
        + (f"; records in {args.out}" if args.out else "")
        + "[/dim]"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Piped output (CI logs, `| tee`) would otherwise be squeezed to 80 columns, which hides the
    # numbers of a results table behind long policy names; COLUMNS still wins when set.
    console = Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160)
    if argv[:1] == ["train"]:  # everything after `train` belongs to the trainer's own parser (--help included)
        try:
            return cmd_train(argv[1:])
        except RLVRError as exc:
            console.print(f"[red]error:[/red] {escape(str(exc))}", markup=True)
            return 2
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            return cmd_list(console)
        if args.command == "show":
            return cmd_show(args, console)
        if args.command == "play":
            return cmd_play(args, console)
        if args.command == "eval":
            return cmd_eval(args, console)
        if args.command == "curriculum":
            return cmd_curriculum(args, console)
        if args.command == "export":
            return cmd_export(args, console)
    except RLVRError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", markup=True)
        return 2
    return 1  # pragma: no cover - argparse requires a command


if __name__ == "__main__":
    raise SystemExit(main())
