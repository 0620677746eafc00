"""Export generated tasks as a dataset (JSONL or Parquet) that TRL and verl read as they are.

Each row carries the prompt (chat messages: system + first user message), the serialised `Task`
(everything the verifier needs to score offline), once, and the column layouts both trainers expect:

- TRL: ``prompt`` (conversational), plus extra columns that TRL hands to reward functions as
  keyword arguments: ``env_id``, ``task_id``, ``level``, ``tools``, ``reward_model``.
- verl: ``data_source`` (the env id, what `compute_score` dispatches on), ``prompt``, ``ability``
  (the family), ``reward_model = {"style": "rule", "ground_truth": <Task JSON>}`` (the one copy of
  the Task) and ``extra_info = {"index", "split", "env_id", "task_id", "level", "seed", "tools_kwargs"}``.

Multimodal envs (``info["images"]``) add an ``images`` column: one ``{"bytes": <PNG>, "path": None}``
per image part (a ``data:image/png;base64,...`` URL in JSONL). ``layout="trl"`` writes every message
content as a list of parts with ``{"type": "image"}`` placeholders; ``layout="verl"`` writes every
content as a string with an ``<image>`` marker per image (what verl's ``RLHFDataset`` splits on).
Either way one column never mixes strings and lists, so Parquet can hold it.

Row ``i`` is the env's task for ``reset(seed=row_seed(seed, i), options={"level": level_i})``, so the
same (env id, seed, levels) regenerate exactly the same rows. Task payloads are heterogeneous
nested dicts, so they travel as JSON strings (a Parquet schema that fits every family).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

import rlvr_envs
from rlvr_envs.errors import InvalidOptionError

Format = Literal["jsonl", "parquet"]
Layout = Literal["trl", "verl"]
IMAGE_MARKER = "<image>"


class ExportConfig(BaseModel):
    """What to export: ``n`` tasks of ``env_id`` at ``levels`` (cycled), from ``seed``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env_id: str
    n: int = Field(ge=1)
    levels: tuple[int, ...] = Field(min_length=1)
    seed: int = 0
    split: str = "train"
    layout: Layout = Field(default="trl", description="message layout of multimodal rows")

    @model_validator(mode="after")
    def _levels_non_negative(self) -> ExportConfig:
        if any(level < 0 for level in self.levels):
            raise ValueError(f"levels must be >= 0, got {list(self.levels)}")
        return self


def parse_levels(level: int | None, levels: str | None) -> tuple[int, ...]:
    """``--level L`` or ``--levels A:B`` (inclusive) as a tuple; level 0 when neither is given."""
    if level is not None and levels is not None:
        raise InvalidOptionError("give either --level or --levels, not both")
    if levels is None:
        return (level if level is not None else 0,)
    low, sep, high = levels.partition(":")
    try:
        lo, hi = int(low), int(high if sep else low)
    except ValueError as exc:
        raise InvalidOptionError(f"--levels must look like A:B (e.g. 0:5), got {levels!r}") from exc
    if lo < 0 or hi < lo:
        raise InvalidOptionError(f"--levels A:B needs 0 <= A <= B, got {levels!r}")
    return tuple(range(lo, hi + 1))


def row_seed(seed: int, index: int) -> int:
    """The reset seed of row ``index``: a hash of both parts (never ``seed + index``)."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint64)[0] >> 1)


def iter_rows(config: ExportConfig) -> Iterator[dict[str, Any]]:
    """One dataset row per task, in order (see the module docstring for the columns)."""
    env = rlvr_envs.make(config.env_id)
    inner = rlvr_envs.unwrap(env)
    try:
        for index in range(config.n):
            level = config.levels[index % len(config.levels)]
            seed = row_seed(config.seed, index)
            _obs, info = env.reset(seed=seed, options={"level": level})
            task = inner.task
            if task is None:  # pragma: no cover - reset always sets a task
                raise RuntimeError("reset() did not produce a task")
            yield make_row(
                config.env_id,
                task.model_dump_json(),
                info,
                index=index,
                seed=seed,
                split=config.split,
                layout=config.layout,
            )
    finally:
        env.close()


def prompt_messages(messages: Sequence[dict[str, Any]], layout: Layout, multimodal: bool) -> list[dict[str, Any]]:
    """Role/content messages with one content type per dataset: strings for text envs; for multimodal
    envs a list of parts everywhere (``trl``) or strings with ``<image>`` markers (``verl``)."""
    out = []
    for message in messages:
        content = message["content"]
        parts = (
            [{"type": "text", "text": content}]
            if isinstance(content, str)
            else [p for p in content if isinstance(p, dict)]
        )
        if not multimodal:
            content = content if isinstance(content, str) else "".join(str(p.get("text", "")) for p in parts)
        elif layout == "trl":
            content = [
                {"type": "image"} if p.get("type") == "image" else {"type": "text", "text": p["text"]} for p in parts
            ]
        else:
            content = "".join(IMAGE_MARKER if p.get("type") == "image" else str(p.get("text", "")) for p in parts)
        out.append({"role": message["role"], "content": content})
    return out


def make_row(
    env_id: str,
    task_json: str,
    info: dict[str, Any],
    *,
    index: int,
    seed: int,
    split: str,
    layout: Layout = "trl",
) -> dict[str, Any]:
    """The row for one reset (``info`` from `reset`); also used by tests."""
    from rlvr_envs.integrations.images import encode

    task = json.loads(task_json)
    images = info.get("images")
    multimodal = images is not None
    tools = json.dumps(info["tools"], ensure_ascii=False)
    row: dict[str, Any] = {
        # TRL: the prompt plus columns forwarded to reward functions as keyword arguments
        "prompt": prompt_messages(info["messages"], layout, multimodal),
        "env_id": env_id,
        "task_id": task["task_id"],
        "level": int(task["level"]),
        "tools": tools,
        # verl
        "data_source": env_id,
        "ability": task["family"],
        "reward_model": {"style": "rule", "ground_truth": task_json},  # the one copy of the Task
        "extra_info": {
            "index": index,
            "split": split,
            "env_id": env_id,
            "task_id": task["task_id"],
            "level": int(task["level"]),
            "seed": seed,
            # verl's agent loop passes this to tool/interaction setup; ours rebuilds the env from it
            # and the row's reward_model.ground_truth
            "tools_kwargs": {"env_id": env_id},
        },
    }
    if multimodal:
        row["images"] = [{"bytes": encode(image), "path": None} for image in images or []]
    return row


def row_task(row: dict[str, Any]) -> str:
    """The Task JSON of an exported row (``reward_model.ground_truth``)."""
    return str(row["reward_model"]["ground_truth"])


def export(config: ExportConfig, path: str | Path, fmt: Format | None = None) -> Path:
    """Write the rows of ``config`` to ``path`` (format from ``fmt`` or the file suffix)."""
    target = Path(path)
    fmt = fmt or ("parquet" if target.suffix == ".parquet" else "jsonl")
    rows = list(iter_rows(config))
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        with target.open("w", encoding="utf-8") as sink:
            for row in rows:
                sink.write(json.dumps(_jsonable(row), ensure_ascii=False) + "\n")
    elif fmt == "parquet":
        write_parquet(rows, target)
    else:
        raise InvalidOptionError(f"format must be 'jsonl' or 'parquet', got {fmt!r}")
    return target


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """JSONL holds images as ``data:image/png;base64,...`` URLs (JSON has no bytes)."""
    if "images" not in row:
        return row
    urls = [f"data:image/png;base64,{base64.b64encode(image['bytes']).decode('ascii')}" for image in row["images"]]
    return {**row, "images": urls}


def write_parquet(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """Rows to Parquet with pyarrow (the ``verl``/``trl`` extras install it)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise InvalidOptionError("Parquet export needs pyarrow: pip install 'rlvr-envs[verl]'") from exc
    pq.write_table(pa.Table.from_pylist(list(rows)), path)


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """Read an exported JSONL or Parquet file back as a list of rows."""
    source = Path(path)
    if source.suffix == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_table(source).to_pylist())
    with source.open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]
