"""The Python blocks of docs/server.md run (the remote training loop end to end).

Kept apart from `tests/unit/test_docs.py` (whose fence parser it shares) because these blocks start
a server and need the ``serve`` extra, and take longer than that test's per-block limit. Like those
blocks they are this repository's own reviewed docs, not model output, so plain ``exec`` is fine.
"""

from __future__ import annotations

import pytest

from tests.unit.test_docs import python_blocks

BLOCKS = python_blocks("docs/server.md")


def test_server_doc_has_examples() -> None:
    assert BLOCKS, "docs/server.md has no ```python blocks (did the fence syntax change?)"


@pytest.mark.parametrize("code", BLOCKS, ids=[f"server.md#{i + 1}" for i in range(len(BLOCKS))])
def test_server_doc_example_runs(code: str) -> None:
    exec(compile(code, "<docs/server.md>", "exec"), {"__name__": "__main__"})
