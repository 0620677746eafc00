"""The documentation's examples run, and the mkdocs nav points at pages that exist.

The Python blocks executed here come from this repository's own docs (`EXECUTED_DOCS`), written
and reviewed by us: they are trusted code, not model output, which is why plain ``exec`` is
acceptable. Running them keeps the examples from rotting as the API changes.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXECUTED_DOCS = [
    "README.md",
    "docs/quickstart.md",
    "docs/curriculum.md",
    "docs/longcontext.md",
    "docs/integrations.md",
    "docs/ecommerce.md",
    "docs/vqa.md",
]
MAX_BLOCK_SECONDS = 5.0  # the examples are meant to take well under 2 s; this only catches hangs

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(relative: str) -> list[str]:
    """Every ```python fenced block in one Markdown file, in order."""
    return _FENCE.findall((ROOT / relative).read_text(encoding="utf-8"))


BLOCKS = [
    pytest.param(code, id=f"{doc}#{index + 1}")
    for doc in EXECUTED_DOCS
    for index, code in enumerate(python_blocks(doc))
]


def test_every_executed_doc_has_examples() -> None:
    for doc in EXECUTED_DOCS:
        assert python_blocks(doc), f"{doc} has no ```python blocks (did the fence syntax change?)"


@pytest.mark.parametrize("code", BLOCKS)
def test_python_example_runs(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = {"__name__": "__main__"}  # a fresh namespace per block; runs `if __name__ == "__main__":`
    start = time.perf_counter()
    exec(compile(code, "<docs example>", "exec"), namespace)
    elapsed = time.perf_counter() - start
    assert elapsed < MAX_BLOCK_SECONDS, f"example took {elapsed:.1f}s; keep doc examples fast"


def nav_pages() -> list[str]:
    """The .md paths listed under ``nav:`` in mkdocs.yml (read as text: no YAML dependency)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    match = re.search(r"^nav:[ \t]*\n(.*?)(?=^\S|\Z)", text, re.DOTALL | re.MULTILINE)
    assert match, "mkdocs.yml has no top-level nav"
    return re.findall(r"[\w./-]+\.md\b", match.group(1))


def docs_dir() -> Path:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    match = re.search(r"^docs_dir:[ \t]*['\"]?([^'\"\s#]+)", text, re.MULTILINE)
    return ROOT / (match.group(1) if match else "docs")


def test_mkdocs_nav_pages_exist() -> None:
    pages = nav_pages()
    assert pages, "mkdocs.yml has an empty nav"
    missing = [page for page in pages if not (docs_dir() / page).is_file()]
    assert not missing, f"pages in mkdocs.yml nav but not in {docs_dir()}: {missing}"


def test_custom_env_page_embeds_the_example_verbatim() -> None:
    example = (ROOT / "examples" / "custom_env.py").read_text(encoding="utf-8")
    page = (ROOT / "docs" / "custom-envs.md").read_text(encoding="utf-8")
    assert example.strip() in page, "docs/custom-envs.md no longer matches examples/custom_env.py"
