"""``rlvr-envs play ID``: play the agent yourself in the terminal (a line with only '.' sends a turn)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

import rlvr_envs
from rlvr_envs.cli._output import ROLE_STYLE, content_text, non_negative_int, observation_text

NAME = "play"


def add_parser(commands: Any) -> None:
    play = commands.add_parser(NAME, help="play the agent yourself in the terminal")
    play.add_argument("env_id", help="an env id (`rlvr-envs list`), or module:id for an env a module registers")
    play.add_argument(
        "--level", type=non_negative_int, default=None, help="fixed difficulty (omit: the curriculum picks)"
    )
    play.add_argument("--seed", type=non_negative_int, default=None, help="reset seed (default: a random task)")
    play.add_argument("--transcript", type=Path, default=None, help="also write the transcript here (Markdown)")
    play.add_argument(
        "--images", type=Path, default=None, help="folder to save the images a multimodal env shows (PNG)"
    )


def save_images(info: dict[str, Any], folder: Path | None, saved: int, console: Console) -> int:
    """Note each image not yet shown (``info["images"]``), saved to ``folder`` as PNG when given.

    Returns how many images have been noted. Without ``--images`` a terminal cannot show the picture,
    so the note says how to get it.
    """
    images = info.get("images") or []
    if len(images) <= saved:
        return saved
    if folder is not None:
        from PIL import Image  # lazy: only multimodal play sessions need Pillow

        folder.mkdir(parents=True, exist_ok=True)
    for index in range(saved, len(images)):
        height, width = images[index].shape[:2]
        if folder is None:
            console.print(Text(f"[image: {width}x{height}; pass --images DIR to save it as PNG]", style="dim"))
            continue
        path = folder / f"image_{index}.png"
        Image.fromarray(images[index]).save(path)
        console.print(Text(f"[image: {width}x{height}, saved to {path}]", style="dim"))
    return len(images)


def read_action(stream: TextIO, console: Console) -> str | None:
    """Read lines until a line with a single '.'; ``None`` at end of input (Ctrl-D), even after
    some text: an unfinished turn is abandoned, never sent half-written."""
    console.print("[dim]your turn (end with a line containing only '.'; Ctrl-D abandons the episode)[/dim]")
    lines: list[str] = []
    for line in stream:
        if line.rstrip("\n") == ".":
            return "\n".join(lines)
        lines.append(line.rstrip("\n"))
    return None


def say(console: Console, role: str, text: str, style: str | None = None) -> None:
    """``role: text`` as one `Text`, so rich wraps it at word boundaries with the prefix counted."""
    console.print(Text.assemble((f"{role}: ", style or ROLE_STYLE.get(role, "bold")), text))


def tools_table(tools: list[dict[str, object]]) -> Table:
    """The env's tools (OpenAI function specs) as name, arguments and description."""
    table = Table(title='tools (call with <tool_call>{"name": ..., "arguments": {...}}</tool_call>)')
    for column in ("tool", "arguments", "description"):
        table.add_column(column)
    for tool in tools:
        function = tool.get("function", tool)
        if not isinstance(function, dict):
            continue
        parameters = function.get("parameters") or {}
        properties = parameters.get("properties", {}) if isinstance(parameters, dict) else {}
        required = set(parameters.get("required", [])) if isinstance(parameters, dict) else set()
        arguments = ", ".join(f"{name}{'' if name in required else '?'}" for name in properties)
        table.add_row(str(function.get("name", "")), arguments, str(function.get("description", "")))
    return table


def run(args: argparse.Namespace, console: Console, stream: TextIO | None = None) -> int:
    stream = sys.stdin if stream is None else stream
    env = rlvr_envs.make(args.env_id)
    options = {"level": args.level} if args.level is not None else None
    observation, info = env.reset(seed=args.seed, options=options)
    if info.get("tools"):
        console.print(tools_table(info["tools"]))
    for message in info["messages"]:
        if message["role"] == "system":
            say(console, "system", content_text(message["content"]), style="dim")
    say(console, "user", observation_text(observation))
    saved = save_images(info, args.images, 0, console)
    total = 0.0
    while True:
        action = read_action(stream, console)
        if action is None:
            console.print("[yellow]input closed; episode abandoned (the unfinished turn was not sent)[/yellow]")
            return 1
        observation, reward, terminated, truncated, info = env.step(action)
        total += float(reward)
        role = info["messages"][-1]["role"] if not (terminated or truncated) else "env"
        say(console, role, observation_text(observation))
        saved = save_images(info, args.images, saved, console)
        if terminated or truncated:
            verdict = info.get("verdict", {})
            console.print(f"[bold]episode over[/bold]: reward {total:+.3f}  components {verdict.get('components')}")
            if args.transcript is not None:
                write_transcript(args.transcript, info["messages"], observation_text(observation), verdict)
                console.print(f"transcript written to {args.transcript}")
            return 0


def write_transcript(path: Path, messages: list[dict[str, object]], last: str, verdict: dict[str, object]) -> None:
    """A readable Markdown transcript: one block per message (image parts as ``[image]``), then the verdict."""
    lines = []
    for message in messages:
        content = content_text(message.get("content", ""))
        lines += [f"**{message.get('role')}**", "", "```text", content, "```", ""]
    lines += ["**env**", "", "```text", last, "```", "", f"verdict: `{json.dumps(verdict.get('components'))}`"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
