"""Observation/action spaces for text: any unicode string, vector-env friendly.

gymnasium's ``Text`` only accepts its charset (alphanumerics by default), so a prompt with a
space fails ``check_env``. ``UnicodeText`` accepts any ``str`` up to ``max_length`` and teaches
gymnasium's vector utilities to move it through shared memory as code points, so
``AsyncVectorEnv`` works with its default ``shared_memory=True``.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Sequence
from types import ModuleType
from typing import Any, overload

import numpy as np
from gymnasium import spaces
from gymnasium.vector.utils import shared_memory as _shm

#: Characters sampled by ``UnicodeText.sample``: printable ASCII plus a few multi-byte code points,
#: so random actions exercise unicode handling.
SAMPLE_CHARSET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?()[]{}<>/\\+-*=^_'\"\néßπ∑√∞中文😀"
)
_PAD = -1  # code point array padding in shared memory (0 is a valid character)


class UnicodeText(spaces.Text):
    """A text space whose ``contains`` accepts any ``str`` of length ``min_length..max_length``."""

    def __init__(self, max_length: int = 1 << 20, *, min_length: int = 0, seed: Any = None) -> None:
        super().__init__(max_length=max_length, min_length=min_length, charset=SAMPLE_CHARSET, seed=seed)

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, UnicodeText)
            and self.min_length == other.min_length
            and self.max_length == other.max_length
        )

    def __hash__(self) -> int:
        return hash(("UnicodeText", self.min_length, self.max_length))

    def __repr__(self) -> str:
        return f"UnicodeText(min_length={self.min_length}, max_length={self.max_length})"


@_shm.create_shared_memory.register(UnicodeText)
def _create(space: UnicodeText, n: int = 1, ctx: ModuleType = mp) -> Any:
    return ctx.Array(np.dtype(np.int32).char, n * space.max_length)


class SharedTextBatch(Sequence[str]):
    """A live view of ``n`` strings stored as code points in shared memory.

    gymnasium's ``AsyncVectorEnv`` reads its shared buffer once, at construction, and expects a
    view that reflects later writes; a tuple of ``str`` would be a stale snapshot. This view
    decodes on access, and ``deepcopy`` (what ``copy=True`` does each step) yields a plain tuple.
    """

    def __init__(self, codes: np.ndarray[Any, np.dtype[np.int32]]) -> None:
        self._codes = codes

    def __len__(self) -> int:
        return int(self._codes.shape[0])

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        row = self._codes[index]
        end = np.flatnonzero(row == _PAD)
        length = int(end[0]) if end.size else row.size
        text: str = row[:length].astype("<u4").tobytes().decode("utf-32-le")
        return text

    def __deepcopy__(self, memo: dict[int, Any]) -> tuple[str, ...]:
        return tuple(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SharedTextBatch({tuple(self)!r})"


@_shm.read_from_shared_memory.register(UnicodeText)
def _read(space: UnicodeText, shared_memory: Any, n: int = 1) -> SharedTextBatch:
    data = np.frombuffer(shared_memory.get_obj(), dtype=np.int32).reshape((n, space.max_length))
    return SharedTextBatch(data)


@_shm.write_to_shared_memory.register(UnicodeText)
def _write(space: UnicodeText, index: int, values: str, shared_memory: Any) -> None:
    size = space.max_length
    destination = np.frombuffer(shared_memory.get_obj(), dtype=np.int32)
    codes = np.frombuffer(values.encode("utf-32-le"), dtype=np.int32)[:size]
    destination[index * size : index * size + codes.size] = codes
    if codes.size < size:
        destination[index * size + codes.size] = _PAD
