"""Checkpoints that resume exactly: model, optimizer, LR schedule, every RNG, curriculum, counters.

Layout of ``<out_dir>/checkpoints/step-000042/``::

    model/            save_pretrained (safetensors) + tokenizer (a vision-language model's processor)
    optimizer.pt      optimizer.state_dict()
    scheduler.pt      scheduler.state_dict()
    rng.pt            python, numpy (the trainer's Generator), torch CPU and CUDA generator states
    curriculum.json   rlvr_envs.curriculum.save_controller
    trainer.json      step counters, elapsed time, metrics position

A checkpoint is written to ``step-000042.partial`` and renamed when complete, so a crash never
leaves a half-written checkpoint that ``--resume`` would pick up.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rlvr_envs.curriculum import Controller, load_controller, save_controller

PREFIX = "step-"


def checkpoint_dir(out_dir: str | Path) -> Path:
    return Path(out_dir) / "checkpoints"


def capture_rng(rng: np.random.Generator) -> dict[str, Any]:
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": rng.bit_generator.state,
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any], rng: np.random.Generator) -> None:
    random.setstate(state["python"])
    rng.bit_generator.state = state["numpy"]
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(
    out_dir: str | Path,
    step: int,
    *,
    model: Any,
    tokenizer: Any,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    controller: Controller,
    rng: np.random.Generator,
    trainer_state: dict[str, Any],
    keep: int = 2,
) -> Path:
    """Write a complete checkpoint for ``step`` and delete all but the newest ``keep``."""
    root = checkpoint_dir(out_dir)
    final = root / f"{PREFIX}{step:06d}"
    partial = root / f"{PREFIX}{step:06d}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    model.save_pretrained(partial / "model")
    tokenizer.save_pretrained(partial / "model")
    torch.save(optimizer.state_dict(), partial / "optimizer.pt")
    torch.save(scheduler.state_dict(), partial / "scheduler.pt")
    torch.save(capture_rng(rng), partial / "rng.pt")
    save_controller(controller, partial / "curriculum.json")
    (partial / "trainer.json").write_text(json.dumps({"step": step, **trainer_state}, indent=2) + "\n")
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    for old in list_checkpoints(out_dir)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def list_checkpoints(out_dir: str | Path) -> list[Path]:
    """Complete checkpoints, oldest first."""
    root = checkpoint_dir(out_dir)
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and p.name.startswith(PREFIX) and p.name[len(PREFIX) :].isdigit()]
    return sorted(found, key=lambda p: int(p.name[len(PREFIX) :]))


def latest_checkpoint(out_dir: str | Path) -> Path | None:
    found = list_checkpoints(out_dir)
    return found[-1] if found else None


def resolve_resume(out_dir: str | Path, resume: str | bool | None) -> Path | None:
    """``True``/``"latest"``: the newest checkpoint in ``out_dir`` (error if none); a path: that checkpoint."""
    if not resume:
        return None
    if resume is True or resume == "latest":
        path = latest_checkpoint(out_dir)
        if path is None:
            raise FileNotFoundError(f"--resume: no checkpoint under {checkpoint_dir(out_dir)}")
        return path
    path = Path(str(resume))
    if not (path / "trainer.json").is_file():
        raise FileNotFoundError(f"--resume: {path} is not a checkpoint (no trainer.json)")
    return path


def load_training_state(path: str | Path) -> dict[str, Any]:
    """Everything but the model: optimizer/scheduler state dicts, RNG, controller, trainer counters."""
    path = Path(path)
    return {
        "optimizer": torch.load(path / "optimizer.pt", weights_only=False),
        "scheduler": torch.load(path / "scheduler.pt", weights_only=False),
        "rng": torch.load(path / "rng.pt", weights_only=False),
        "controller": load_controller(path / "curriculum.json"),
        "trainer": json.loads((path / "trainer.json").read_text()),
    }
