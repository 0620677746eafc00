"""Random-input helpers shared by the templates (all draw from the generator they are given)."""

from __future__ import annotations

import string

import numpy as np

LOWER = string.ascii_lowercase


def size(rng: np.random.Generator, high: int, low: int = 1) -> int:
    """A length in ``[low, max(low, high)]``."""
    return int(rng.integers(low, max(low, high) + 1))


def int_list(rng: np.random.Generator, n: int, low: int, high: int) -> list[int]:
    return [int(x) for x in rng.integers(low, high + 1, size=n)]


def edge_int_list(rng: np.random.Generator, n_max: int, low: int, high: int, min_len: int = 1) -> list[int]:
    """A degenerate array: shortest, constant, sorted, reversed, extreme or longest."""
    pattern = int(rng.integers(0, 6))
    if pattern == 0:
        return int_list(rng, min_len, low, high)
    n = size(rng, n_max, min_len)
    if pattern == 1:
        return [int(rng.integers(low, high + 1))] * n
    if pattern == 2:
        return sorted(int_list(rng, n, low, high))
    if pattern == 3:
        return sorted(int_list(rng, n, low, high), reverse=True)
    if pattern == 4:
        return [int(x) for x in rng.choice([low, high], size=n)]
    return int_list(rng, max(min_len, n_max), low, high)


def word(rng: np.random.Generator, n: int, alphabet: str = LOWER) -> str:
    return "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), size=n))


def alphabet_for(rng: np.random.Generator, level: int) -> str:
    """A small alphabet at low levels (more repeats), up to all 26 letters."""
    return LOWER[: min(26, 2 + int(rng.integers(1, 4 + 3 * level)))]
