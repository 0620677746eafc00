"""`rlvr-envs play rlvr/EcomDialogue-v0`: the tool list, a labelled transcript, and the Markdown file."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

import rlvr_envs
from rlvr_envs import cli
from rlvr_envs.policies import oracle, run_episode


def test_play_prints_tools_and_a_readable_transcript(tmp_path: Path) -> None:
    env = rlvr_envs.make("rlvr/EcomDialogue-v0")
    record = run_episode(env, oracle(env), seed=4, options={"level": 1})
    actions = [m["content"] for m in record.messages if m["role"] == "assistant"]
    console = Console(file=io.StringIO(), width=200)
    out = tmp_path / "transcript.md"
    args = cli.build_parser().parse_args(
        ["play", "rlvr/EcomDialogue-v0", "--seed", "4", "--level", "1", "--transcript", str(out)]
    )
    code = cli.play.run(args, console, stream=io.StringIO("".join(f"{a}\n.\n" for a in actions)))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert code == 0 and "reward +1.000" in text
    assert "search_products" in text and "request_return" in text  # the tool table
    assert "user: " in text and ("tool: " in text or "env: " in text)
    written = out.read_text(encoding="utf-8")
    assert "**assistant**" in written and "verdict:" in written
