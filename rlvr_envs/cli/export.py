"""``rlvr-envs export ID``: tasks as a TRL/verl dataset (JSONL or Parquet)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from rlvr_envs.cli._output import count, non_negative_int, positive_int
from rlvr_envs.core.registry import registered
from rlvr_envs.errors import RLVRError

NAME = "export"


def add_parser(commands: Any) -> None:
    """``rlvr-envs export ID --n N --level L|--levels A:B --seed S --format jsonl|parquet --out PATH``."""
    export = commands.add_parser(NAME, help="write tasks as a TRL/verl dataset (JSONL or Parquet)")
    export.add_argument("env_id", help="env id or module:id")
    export.add_argument("--n", type=positive_int, required=True, help="number of tasks")
    export.add_argument("--level", type=non_negative_int, default=None, help="one level (omit: 0)")
    export.add_argument("--levels", default=None, help="levels A:B (inclusive), cycled over the rows")
    export.add_argument("--seed", type=non_negative_int, default=0, help="seed of the first task")
    export.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl", help="file format")
    export.add_argument("--split", default="train", help="written to extra_info.split (verl)")
    export.add_argument(
        "--layout",
        choices=["trl", "verl"],
        default="trl",
        help="multimodal envs: parts lists with image placeholders (trl) or <image> markers in strings (verl)",
    )
    export.add_argument("--out", type=Path, default=None, help="output file (default: ENV-SEED.FORMAT)")


def run(args: argparse.Namespace, console: Console) -> int:
    from rlvr_envs.integrations.export import ExportConfig, export, parse_levels

    registered(args.env_id)
    if args.n < 1:
        raise RLVRError("--n must be >= 1")
    config = ExportConfig(
        env_id=args.env_id,
        n=args.n,
        levels=parse_levels(args.level, args.levels),
        seed=args.seed,
        split=args.split,
        layout=args.layout,
    )
    out = args.out or Path(f"{args.env_id.replace('/', '_')}-{args.seed}.{args.format}")
    path = export(config, out, args.format)
    console.print(f"wrote {count(args.n, 'task')} of {args.env_id} (levels {list(config.levels)}) to {path}")
    return 0
