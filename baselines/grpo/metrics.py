"""Metrics: one JSON line per step, an optional TensorBoard mirror, and a tqdm progress bar."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

PROGRESS_KEYS = {"reward": "reward/mean", "acc": "accuracy", "lvl": "level/frontier", "zv": "zero_variance_share"}


class MetricsLogger:
    """Appends records to ``<out_dir>/metrics.jsonl``; mirrors numbers to TensorBoard when asked.

    On resume, pass ``resume_step``: lines after that step (written after the checkpoint by the run
    that stopped) are dropped first, so the file describes one continuous run.
    """

    def __init__(self, out_dir: str | Path, *, tensorboard: bool = False, resume_step: int | None = None) -> None:
        self.path = Path(out_dir) / "metrics.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume_step is None:
            self.path.write_text("")
        else:
            truncate_after(self.path, resume_step)
        self.writer: Any = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError as exc:
                raise RuntimeError(
                    "logging.tensorboard = true needs the tensorboard package: pip install tensorboard"
                ) from exc
            self.writer = SummaryWriter(log_dir=str(Path(out_dir) / "tensorboard"))

    def log(self, record: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(_jsonable(record), sort_keys=True) + "\n")
        if self.writer is not None:
            step = int(record.get("step", 0))
            for key, value in record.items():
                if isinstance(value, int | float) and not isinstance(value, bool) and key != "step":
                    self.writer.add_scalar(key, value, step)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def truncate_after(path: Path, step: int) -> None:
    """Keep only records with ``step <= step``."""
    kept = [r for r in read_metrics(path) if int(r.get("step", 0)) <= step]
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in kept), encoding="utf-8")


def progress_bar(total: int, initial: int, enabled: bool, desc: str = "grpo", stream: Any = None) -> tqdm[Any]:
    """A tqdm bar on a terminal only: piped to a file its redraws would interleave with the plain progress lines
    (``logging.log_every``), which are what a log file gets."""
    stream = sys.stderr if stream is None else stream
    interactive = bool(getattr(stream, "isatty", lambda: False)())
    return tqdm(
        total=total,
        initial=initial,
        disable=not (enabled and interactive),
        desc=desc,
        dynamic_ncols=True,
        leave=True,
        mininterval=2.0,
        file=stream,
    )


def postfix(record: dict[str, Any]) -> dict[str, str]:
    """The few numbers shown on the progress bar."""
    shown = {}
    for label, key in PROGRESS_KEYS.items():
        value = record.get(key)
        if isinstance(value, int | float):
            shown[label] = f"{value:.3g}"
    return shown


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
