"""Token counting for length control: a fast approximation, or your tokenizer.

The approximation is OpenAI's rule of thumb, **one token per 4 characters** of English text
(``ceil(len(text) / chars_per_token)``, ``chars_per_token = 4.0`` by default). It is O(1) and
additive, so assembling a 128k-token context costs nothing to measure. The made-up names in these
documents split into more sub-word pieces than everyday English does, so a real tokenizer usually
counts more tokens than the approximation: calibrate ``chars_per_token`` for your model or pass
``tokenizer=`` for exact counts.

A tokenizer is any callable ``text -> int`` (a count) or ``text -> sequence`` (token ids, e.g.
``tokenizer.encode``), or the import path ``"package.module:function"`` of one (picklable, so it
works in vector envs and TOML specs).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sized
from typing import Any

from rlvr_envs.errors import SpecError

Tokenizer = Callable[[str], Any]


def load_tokenizer(spec: str | Tokenizer | None) -> Tokenizer | None:
    """Resolve ``"package.module:function"`` (or return a callable unchanged)."""
    if spec is None or callable(spec):
        return spec
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise SpecError(f"tokenizer must be a callable or 'package.module:function', got {spec!r}")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise SpecError(f"tokenizer {spec!r} cannot be imported ({exc})") from exc
    if not callable(obj):
        raise SpecError(f"tokenizer {spec!r} is not callable")
    return obj  # type: ignore[no-any-return]


class TokenCounter:
    """Counts tokens exactly with ``tokenizer``, or approximately as ``ceil(chars / chars_per_token)``."""

    def __init__(self, tokenizer: Tokenizer | None = None, chars_per_token: float = 4.0) -> None:
        if chars_per_token <= 0:
            raise SpecError(f"chars_per_token must be > 0, got {chars_per_token}")
        self.tokenizer = tokenizer
        self.chars_per_token = chars_per_token

    @property
    def exact(self) -> bool:
        return self.tokenizer is not None

    def count(self, text: str) -> int:
        if self.tokenizer is None:
            return math.ceil(len(text) / self.chars_per_token)
        result = self.tokenizer(text)
        if isinstance(result, int):
            return result
        if isinstance(result, Sized):
            return len(result)
        raise SpecError(f"the tokenizer returned {type(result).__name__}; return an int or a sequence of token ids")

    def chars_for(self, tokens: int) -> int:
        """About how many characters hold ``tokens`` tokens under the approximation."""
        return max(0, int(tokens * self.chars_per_token))
