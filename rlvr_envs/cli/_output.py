"""Helpers shared by the CLI commands: message text, labelled lines, error lines, table boxes, argument types."""

from __future__ import annotations

import argparse
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.text import Text

ROLE_STYLE = {"system": "dim", "user": "bold cyan", "assistant": "bold green", "tool": "yellow"}


def content_text(content: Any) -> str:
    """Message content as text: multimodal parts become their text, an image part ``[image]``."""
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if isinstance(part, dict):
            parts.append(str(part.get("text", "")) if part.get("type") == "text" else f"[{part.get('type', '?')}]")
    return " ".join(parts)


def observation_text(observation: Any) -> str:
    """The text of an observation: the string itself, or a ``Dict`` observation's ``text`` entry."""
    return observation if isinstance(observation, str) else str(observation.get("text", ""))


def labelled(console: Console, label: str, body: str, style: str = "bold") -> None:
    """Print ``label: body`` with the label styled and the body verbatim (no markup parsing)."""
    console.print(Text.assemble((f"{label}: ", style), body))


def print_error(console: Console, message: str) -> None:
    """One ``error: ...`` line; the message is printed verbatim (user text may hold square brackets)."""
    console.print(f"[red]error:[/red] {escape(message)}", markup=True)


def table_box(console: Console) -> box.Box:
    """Box-drawing lines on a terminal; plain ASCII when piped or redirected (logs, ``| grep``)."""
    return box.HEAVY_HEAD if console.is_terminal else box.ASCII


def non_negative_int(text: str) -> int:
    """argparse ``type=`` for levels, seeds and counts: argparse names the flag in its error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse ``type=`` for counts that must be at least 1 (episodes, tasks)."""
    value = non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return value
