"""What a doc example says it prints is what it prints.

In the docs' ```python blocks, a comment on a ``print(...)`` line states that call's output:
``print(obs)  # Correct.``. ``...`` in the comment stands for any text (``# That answer is not
correct. Try again ...``). A comment that explains rather than quotes goes on the line above the
``print``. This test runs every block holding such a line (these are our own reviewed docs, hence
plain ``exec``, as in ``tests/unit/test_docs.py``) with ``print`` recording what each line printed,
and fails on any comment that does not match.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from scripts.refresh_docs import DOCS, ROOT

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
FILENAME = "<docs example>"


def print_claims(code: str) -> dict[tuple[int, int], str]:
    """``(first line, last line)`` of each ``print(...)`` statement with a trailing comment -> the comment.

    A block that is not Python (a signature such as ``f(id, *, x=...)``) states nothing.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    comments = {
        token.start[0]: token.string.removeprefix("#").strip()
        for token in tokenize.generate_tokens(io.StringIO(code).readline)
        if token.type == tokenize.COMMENT and token.line.strip().split("#")[0].strip()
    }
    claims = {}
    for node in ast.walk(tree):
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print":
            end = node.end_lineno or node.lineno
            if end in comments:
                claims[(node.lineno, end)] = comments[end]
    return claims


def claimed_blocks() -> list[Any]:
    found = []
    for path in DOCS:
        for index, code in enumerate(_FENCE.findall(path.read_text(encoding="utf-8"))):
            if print_claims(code):
                found.append(pytest.param(code, id=f"{path.relative_to(ROOT)}#{index + 1}"))
    return found


def matches(claim: str, printed: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in claim.split("..."))
    return re.fullmatch(pattern, printed.strip(), re.DOTALL) is not None


def test_the_docs_state_printed_outputs() -> None:
    assert len(claimed_blocks()) >= 10


def test_a_claim_is_checked() -> None:
    assert matches("Correct (on attempt 3). 0.25", "Correct (on attempt 3). 0.25\n")
    assert matches("That answer is not correct. Try again ...", "That answer is not correct. Try again (2 left).")
    assert not matches("1.0 True", "0.0 False")
    assert print_claims("x = 1  # not a print\nprint(\n  x,\n)  # 1\n") == {(2, 4): "1"}


@pytest.mark.parametrize("code", claimed_blocks())
def test_printed_output_matches_the_comment(code: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # files an example writes (data/train.jsonl) land here
    claims = print_claims(code)
    printed: defaultdict[tuple[int, int], list[str]] = defaultdict(list)

    def recorder(*values: object, sep: str | None = " ", end: str | None = "\n", **_: object) -> None:
        import sys

        line = sys._getframe(1).f_lineno
        for first, last in claims:
            if first <= line <= last:
                printed[(first, last)].append((sep if sep is not None else " ").join(map(str, values)))

    exec(compile(code, FILENAME, "exec"), {"__name__": "__main__", "print": recorder})
    wrong = [
        f"line {first}: says {claim!r}, printed {chr(10).join(printed[(first, last)])!r}"
        for (first, last), claim in claims.items()
        if not matches(claim, "\n".join(printed[(first, last)]))
    ]
    assert not wrong, wrong
