"""Every command output in the docs is a generated block that matches a fresh run.

A block is a ``<!-- generated: COMMAND -->`` marker and the fenced output under it (see
``scripts/refresh_docs.py``). When behaviour changes, this fails and names the block; refresh
them all with ``python -m scripts.refresh_docs`` (``--check`` only reports). Timings are masked.
Task ids shown outside generated blocks must be ones a generated block shows, so they stay real.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import refresh_docs
from scripts.refresh_docs import ROOT, all_blocks, masked

BLOCKS = [
    pytest.param(block, id=f"{block.path.name}:{block.command[:60]}", marks=[pytest.mark.slow] if block.slow else [])
    for block in all_blocks()
]
TASK_ID = re.compile(r"\b[a-z][a-z_]*:\d+:[0-9a-f]{16}\b")


def test_the_cli_page_has_generated_blocks() -> None:
    assert sum(block.path.name == "cli.md" for block in all_blocks()) >= 8


def fresh_outputs(*, slow: bool) -> dict[str, str]:
    """Every block's fresh output, rendered in one new process (this one's registry holds test envs)."""
    command = [sys.executable, "-m", "scripts.refresh_docs", "--print-json", *([] if slow else ["--skip-slow"])]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900, check=True)
    return {item["key"]: item["fresh"] for item in json.loads(done.stdout)}


@pytest.fixture(scope="module")
def fresh_fast() -> dict[str, str]:
    return fresh_outputs(slow=False)


@pytest.mark.parametrize("block", BLOCKS)
def test_generated_block_matches_a_fresh_run(block: refresh_docs.Block, fresh_fast: dict[str, str]) -> None:
    key = refresh_docs.block_key(block)
    fresh = fresh_outputs(slow=True)[key] if block.slow else fresh_fast[key]
    assert masked(fresh) == masked(block.body), (
        f"{block.path.name}: the output of `{block.command}` changed; run `python -m scripts.refresh_docs`"
    )


def test_task_ids_outside_blocks_come_from_a_generated_block() -> None:
    generated = {task_id for block in all_blocks() for task_id in TASK_ID.findall(block.body)}
    stray = []
    for path in refresh_docs.DOCS:
        text = refresh_docs.MARKER.sub("", path.read_text(encoding="utf-8"))
        stray += [f"{path.name}: {task_id}" for task_id in TASK_ID.findall(text) if task_id not in generated]
    assert not stray, f"task ids no generated block shows (they may regenerate another task): {stray}"


def test_a_stale_block_is_reported_and_refreshed(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- generated: rlvr-envs show rlvr/Mth-v0 -->\n```text\n$ old output\n```\n", encoding="utf-8")
    assert refresh_docs.refresh([page], check=True, include_slow=True) == [f"{page}: rlvr-envs show rlvr/Mth-v0"]
    refresh_docs.refresh([page], check=False, include_slow=True)
    assert "Did you mean 'rlvr/Math-v0'" in page.read_text(encoding="utf-8")
    assert refresh_docs.refresh([page], check=True, include_slow=True) == []


def test_masking_hides_timings_only() -> None:
    assert masked("6 episodes in 0.5s") == masked("6 episodes in 12.25s")
    assert masked("| +1.000 | 243.0 |") == masked("| +1.000 | 1768.5 |")
    assert masked("| +1.000 | 243.0 |") != masked("| +0.500 | 243.0 |")
    assert masked("--base-url http://127.0.0.1:41697/v1") == masked("--base-url http://127.0.0.1:5/v1")
    assert masked('"elapsed_s": 0.57,\n"mean_reward": 0.5') == masked('"elapsed_s": 3e-05,\n"mean_reward": 0.5')
    assert masked('"mean_reward": 0.5') != masked('"mean_reward": 0.25')


def test_a_standin_block_runs_against_a_server_it_starts_and_stops(tmp_path: Path) -> None:
    """``| standin``: the command reaches a live stand-in, whose rule (wrong, then the oracle) shows."""
    import httpx

    page = tmp_path / "page.md"
    command = "rlvr-envs eval rlvr/MathRetry-v0 --base-url STANDIN --model stand-in --episodes 2 --level 0"
    page.write_text(f"<!-- generated: {command} | standin: fail_first=1 -->\n```text\n```\n", encoding="utf-8")
    (block,) = refresh_docs.blocks(page)
    assert block.standin == {"fail_first": 1}
    fresh = refresh_docs.run_block(block)
    assert "+0.500 |" in fresh and "4 requests, 1 retried" in fresh
    url = re.search(r"http://127\.0\.0\.1:\d+/v1", fresh)
    assert url is not None
    with pytest.raises(httpx.ConnectError):  # stopped once the command returned
        httpx.get(f"{url[0]}/models", timeout=2)


def test_python_above_blocks_show_what_the_block_prints(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    marker = f"<!-- generated: {refresh_docs.PYTHON_ABOVE} -->"
    page.write_text(
        f"```python\nprint('one')\n```\n\n{marker}\n```text\nstale\n```\n\n"
        f"```python\nimport rlvr_envs\nprint(rlvr_envs.list_envs()[0])\n```\n{marker}\n```text\n```\n",
        encoding="utf-8",
    )
    first, second = refresh_docs.blocks(page)
    assert refresh_docs.block_key(first) != refresh_docs.block_key(second)
    assert len(refresh_docs.refresh([page], check=True, include_slow=True)) == 2
    refresh_docs.refresh([page], check=False, include_slow=True)
    text = page.read_text(encoding="utf-8")
    assert "```text\none\n```" in text and "```text\nrlvr/Code-v0\n```" in text
    assert refresh_docs.refresh([page], check=True, include_slow=True) == []


CURRICULUM_CELL = re.compile(
    r"^\| `(?P<id>[\w/.-]+-v\d+)` \|.*\| `(?P<label>(?:fixed|uniform|thompson|frontier)[^`]*)` \|$"
)


def test_curricula_named_in_doc_tables_match_the_specs() -> None:
    """A table row ``| `rlvr/X-v0` | ... | `thompson 0..20` |`` states what `rlvr-envs list` shows."""
    import rlvr_envs
    from rlvr_envs.cli.listing import curriculum_label

    specs = {spec.id: spec for spec in rlvr_envs.list_specs()}
    checked, wrong = 0, []
    for path in refresh_docs.DOCS:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = CURRICULUM_CELL.match(line.strip())
            if match and match["id"] in specs:
                checked += 1
                if curriculum_label(specs[match["id"]]) != match["label"]:
                    wrong.append(f"{path.name}: {match['id']} says {match['label']!r}")
    assert checked >= 2 and not wrong, wrong


FENCE = re.compile(r"^```text\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def test_every_shown_command_output_is_generated() -> None:
    """A fenced ``$ command`` with its output must be a generated block (or listed above, with why)."""
    loose = []
    for path in refresh_docs.DOCS:
        text = refresh_docs.MARKER.sub("", path.read_text(encoding="utf-8"))
        for body in FENCE.findall(text):
            first = body.splitlines()[0] if body else ""
            if first.startswith("$ "):
                loose.append(f"{path.name}: {first}")
    assert not loose, f"command outputs not generated (add a `<!-- generated: ... -->` marker): {loose}"


ANY_FENCE = re.compile(
    r"^(?P<fence>`{3,})(?P<lang>\w*)[ \t]*\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.DOTALL | re.MULTILINE
)


def pasted_outputs(text: str) -> list[int]:
    """Lines of text blocks that sit right under a python block (its printed output) without a marker."""
    text = refresh_docs.MARKER.sub("<generated>", text)
    fences = list(ANY_FENCE.finditer(text))
    return [
        text[: b.start()].count("\n") + 1
        for a, b in itertools.pairwise(fences)
        if a["lang"] == "python" and b["lang"] in ("text", "") and not text[a.end() : b.start()].strip()
    ]


def test_no_python_output_is_pasted() -> None:
    """A python block's output shown under it must be ``<!-- generated: output of the python block above -->``."""
    assert pasted_outputs("```python\nprint(1)\n```\n\n```text\n1\n```\n") == [5]
    assert (
        pasted_outputs(
            f"```python\nprint(1)\n```\n\n<!-- generated: {refresh_docs.PYTHON_ABOVE} -->\n```text\n1\n```\n"
        )
        == []
    )
    loose = [f"{path.name}:{line}" for path in refresh_docs.DOCS for line in pasted_outputs(path.read_text("utf-8"))]
    assert not loose, f"pasted python output (make it a generated block): {loose}"
