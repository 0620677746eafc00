"""Load programming problems from your own files (kept for imports; the readers live in `datasets`).

Formats: HumanEval / HumanEval+, MBPP / MBPP+, APPS, CodeContests, LiveCodeBench and our
function-call JSONL; see `rlvr_envs.tasks.code.datasets` and docs/datasets.md.
"""

from __future__ import annotations

from pathlib import Path

from rlvr_envs.tasks.code.datasets import FORMATS, CodeRow, SourceFormat, detect_format, load_code_jsonl


def sample_path() -> str:
    """The small sample dataset shipped with the package: APPS, CodeContests, LiveCodeBench and
    function-call rows in one file, with solutions (read it with ``format="mixed"``)."""
    return str(Path(__file__).with_name("data") / "sample.jsonl")


__all__ = ["FORMATS", "CodeRow", "SourceFormat", "detect_format", "load_code_jsonl", "sample_path"]
