"""Helpers shared by the CLI commands: message text, labelled lines, error lines, table boxes, argument types."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TextIO

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


class AsciiStream:
    """A text stream rich treats as ASCII-only: tables and bars get ``+--+`` lines instead of box drawing.

    Used for piped output (``| grep``, CI logs), where box-drawing characters are noise; the text
    itself still goes through unchanged (the underlying stream's own encoding applies).
    """

    encoding = "ascii"

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return False


def count(n: int, noun: str) -> str:
    """``1 episode``, ``2 episodes``: summary lines read as sentences."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type=`` accepting integers >= ``minimum``; argparse names the flag in its error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {text!r}")
        return value

    return parse


#: Levels, seeds: integers >= 0.
non_negative_int = int_at_least(0)
#: Counts that must be at least 1 (episodes, tasks).
positive_int = int_at_least(1)
