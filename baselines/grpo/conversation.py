"""One episode as one token stream: the chat template renders ``info["messages"]``, the model's own
tokens carry the loss, everything the env (or the template) added carries none.

The stream is exactly what the model saw: the first prompt is the template applied to the
opening messages (with the generation prompt); each assistant turn appends the sampled token ids
as they were sampled (never re-tokenised); after a non-final turn we render the conversation
again and append only the text the template adds after the assistant's content (end-of-turn
marker, the env's feedback or tool output, the next generation prompt). That needs a template
that renders earlier turns the same way every time (prefix-consistent); one that rewrites history
(for instance dropping earlier reasoning) is reported with `TemplateError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class TemplateError(ValueError):
    """The tokenizer's chat template cannot be used for multi-turn token streams."""


class ChatTokenizer(Protocol):
    """What we use of a transformers tokenizer."""

    eos_token_id: int | None
    eos_token: str | None

    def apply_chat_template(self, conversation: Any, **kwargs: Any) -> Any: ...

    def encode(self, text: str, add_special_tokens: bool = ...) -> list[int]: ...


class ChatFormatter:
    """Renders role/content messages with the tokenizer's chat template."""

    def __init__(self, tokenizer: ChatTokenizer) -> None:
        if not getattr(tokenizer, "chat_template", None):
            raise TemplateError("the tokenizer has no chat_template; set one (tokenizer.chat_template = ...)")
        self.tokenizer = tokenizer

    def render(self, messages: list[dict[str, Any]], tools: list[Any] | None, *, generation_prompt: bool) -> str:
        text = self.tokenizer.apply_chat_template(
            messages, tools=tools or None, add_generation_prompt=generation_prompt, tokenize=False
        )
        if not isinstance(text, str):
            raise TemplateError(f"apply_chat_template(tokenize=False) returned {type(text).__name__}, not str")
        return text

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False))


@dataclass
class TokenStream:
    """Token ids of one episode, with ``mask[i] = 1`` where the model generated ``tokens[i]``."""

    formatter: ChatFormatter
    tokens: list[int] = field(default_factory=list)
    mask: list[int] = field(default_factory=list)
    prompt_len: int = 0
    _prompt_text: str = ""
    _messages_seen: int = 0

    @classmethod
    def start(cls, formatter: ChatFormatter, messages: list[dict[str, Any]], tools: list[Any] | None) -> TokenStream:
        """The stream for the opening prompt (template + generation prompt), all masked out."""
        text = formatter.render(messages, tools, generation_prompt=True)
        ids = formatter.encode(text)
        return cls(formatter, list(ids), [0] * len(ids), len(ids), text, len(messages))

    def copy(self) -> TokenStream:
        """An independent stream with the same content (one per rollout of a group)."""
        return TokenStream(
            self.formatter, list(self.tokens), list(self.mask), self.prompt_len, self._prompt_text, self._messages_seen
        )

    def add_generated(self, ids: list[int]) -> None:
        """Append the model's sampled tokens (loss-bearing)."""
        self.tokens.extend(ids)
        self.mask.extend([1] * len(ids))

    def truncate(self, length: int) -> None:
        """Drop everything after the first ``length`` tokens."""
        del self.tokens[length:], self.mask[length:]

    def add_env_turn(self, messages: list[dict[str, Any]], tools: list[Any] | None, stop_text: str = "") -> int:
        """Append what the template adds between the last assistant message and the next generation prompt.

        ``messages`` is the env's whole conversation after the step (ending with its new user/tool
        messages); its last assistant message is the action just taken. ``stop_text`` is the text
        of the stop token the model ended its turn with ("" when the token budget cut it): when the
        template's end-of-turn marker starts with it, it is not added twice. Returns the number of
        tokens appended (all masked out).
        """
        last_assistant = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
        if last_assistant < self._messages_seen:
            raise TemplateError("the env's messages do not contain the assistant turn just taken")
        through = self.formatter.render(messages[: last_assistant + 1], tools, generation_prompt=False)
        following = self.formatter.render(messages, tools, generation_prompt=True)
        if not following.startswith(through) or not through.startswith(self._prompt_text):
            raise TemplateError(
                "the chat template renders earlier turns differently once the conversation grows "
                "(not prefix-consistent), so one token stream per episode is impossible; use a template "
                "that keeps history verbatim for multi-turn training"
            )
        content = str(messages[last_assistant].get("content") or "")
        turn_text = through[len(self._prompt_text) :]
        end_marker = _after_content(turn_text, content)
        if stop_text and end_marker.startswith(stop_text):
            end_marker = end_marker[len(stop_text) :]  # the model already emitted the end-of-turn token
        ids = self.formatter.encode(end_marker + following[len(through) :])
        self.tokens.extend(ids)
        self.mask.extend([0] * len(ids))
        self._prompt_text = following
        self._messages_seen = len(messages)
        return len(ids)


def _after_content(turn_text: str, content: str) -> str:
    """The template's text after the assistant content in one rendered assistant turn."""
    if not content.strip():
        return turn_text[len(content) :] if turn_text.startswith(content) else turn_text
    for candidate in (content, content.strip()):
        index = turn_text.rfind(candidate)
        if index >= 0:
            return turn_text[index + len(candidate) :]
    raise TemplateError("the chat template changed the assistant's text when rendering it; cannot find it again")
