"""``rlvr-envs curriculum ID``: run an env's curriculum with a policy; print levels played and the frontier."""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import track

import rlvr_envs
from rlvr_envs.cli._output import non_negative_int, positive_int
from rlvr_envs.core.registry import registered
from rlvr_envs.curriculum import build_controller, load_controller, save_controller
from rlvr_envs.curriculum.report import curriculum_panel
from rlvr_envs.errors import RLVRError
from rlvr_envs.policies import load_policy, run_episode

NAME = "curriculum"


def add_parser(commands: Any) -> None:
    curriculum = commands.add_parser(
        NAME, help="run an env's curriculum with a policy and print the level distribution and frontier"
    )
    curriculum.add_argument("env_id", nargs="?", help="env id or module:id (omit with --show)")
    curriculum.add_argument("--episodes", type=positive_int, default=200, help="episodes to play")
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
    curriculum.add_argument("--seed", type=non_negative_int, default=0, help="seed of the first episode")


def run(args: argparse.Namespace, console: Console) -> int:
    if args.show is not None:
        console.print(curriculum_panel(load_controller(args.show)))
        return 0
    if args.env_id is None:
        raise RLVRError("give an env id (or --show STATE.json)")
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
