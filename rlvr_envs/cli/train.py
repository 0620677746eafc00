"""``rlvr-envs train ...``: ``python -m baselines.grpo.train`` under another name.

Everything after ``train`` belongs to the trainer's own parser (``--help`` included); torch and the
baseline load only here.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

import rlvr_envs
from rlvr_envs.errors import RLVRError

NAME = "train"


def add_parser(commands: Any) -> None:
    train = commands.add_parser(
        NAME,
        add_help=False,
        help="train a policy with the reference GRPO agent (needs the train extra; `rlvr-envs train --help`)",
    )
    train.add_argument("train_args", nargs=argparse.REMAINDER)


def run(args: argparse.Namespace, console: Console) -> int:
    return run_trainer(list(args.train_args))


def run_trainer(train_args: list[str]) -> int:
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
