"""Readers of programming benchmarks for `rlvr/Code-v0` (``source=...``), one module per format.

`load_code_jsonl` reads ``.jsonl`` or ``.jsonl.gz``; ``format="auto"`` detects the format from
the first row's fields (a file mixing formats is refused, ``"mixed"`` allows it). See
docs/datasets.md for the fields of each format and a command per format.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any, Literal

from rlvr_envs.core.datasets import load_rows
from rlvr_envs.tasks.code.datasets import apps, codecontests, functions, humaneval, livecodebench, mbpp
from rlvr_envs.tasks.code.datasets.rows import CodeRow

SourceFormat = Literal["auto", "mixed", "humaneval", "mbpp", "apps", "codecontests", "livecodebench", "functions"]

# Order matters: the first detector that accepts a row names its format.
_FORMATS = {
    "humaneval": humaneval,
    "mbpp": mbpp,
    "apps": apps,
    "codecontests": codecontests,
    "livecodebench": livecodebench,
    "functions": functions,
}
FORMATS = tuple(_FORMATS)


def detect_format(record: dict[str, Any]) -> str:
    """Which supported format a row has (``ValueError`` naming the formats if none)."""
    for name, module in _FORMATS.items():
        if module.detect(record):
            return name
    raise ValueError(f"unrecognised row: expected the fields of one of {', '.join(FORMATS)}; got {sorted(record)}")


@lru_cache(maxsize=16)
def load_code_jsonl(path: str, source_format: str = "auto", public_count: int = 1) -> tuple[CodeRow, ...]:
    """Read and validate a file of programming problems once per process (`TaskSourceError` on bad rows)."""
    readers: dict[str, Callable[[dict[str, Any], int], CodeRow]] = {
        name: partial(module.read, public_count=public_count) for name, module in _FORMATS.items()
    }
    detectors = {name: module.detect for name, module in _FORMATS.items()}
    return tuple(load_rows(path, "code source", detectors=detectors, readers=readers, source_format=source_format))


__all__ = ["FORMATS", "CodeRow", "SourceFormat", "detect_format", "load_code_jsonl"]
