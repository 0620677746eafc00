"""The Python blocks of docs/server.md run (the remote training loop end to end)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "server.md"
BLOCKS = re.findall(r"^```python[ \t]*\n(.*?)^```[ \t]*$", DOC.read_text(encoding="utf-8"), re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"server.md#{i + 1}" for i in range(len(BLOCKS))])
def test_server_doc_example_runs(code: str) -> None:
    assert BLOCKS
    exec(compile(code, "<docs/server.md>", "exec"), {"__name__": "__main__"})  # our own reviewed docs, not input
