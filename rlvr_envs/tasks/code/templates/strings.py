"""String problems."""

from __future__ import annotations

from typing import Any

import numpy as np

from rlvr_envs.tasks.code.io_formats import Param
from rlvr_envs.tasks.code.templates._gen import LOWER, alphabet_for, size, word
from rlvr_envs.tasks.code.templates.base import Scale, Template, register


def solve_reverse_words(s: str) -> str:
    return " ".join(reversed(s.split(" ")))


def _gen_reverse_words(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    count = 1 if edge else size(rng, max(1, scale.text // 4))
    return (" ".join(word(rng, size(rng, 6), alphabet_for(rng, scale.level)) for _ in range(count)),)


register(
    Template(
        name="reverse_words",
        category="strings",
        title="Reverse the words",
        statement="`s` is a sentence: lowercase words separated by single spaces. Return the words of `s` in "
        "reverse order, separated by single spaces.",
        params=(Param("s", "line"),),
        returns="line",
        solve=solve_reverse_words,
        generate=_gen_reverse_words,
        constraints="`s` has between 1 and {text} words of 1 to 6 letters",
    )
)


def solve_is_palindrome(s: str) -> bool:
    return s == s[::-1]


def _gen_is_palindrome(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    letters = alphabet_for(rng, scale.level)
    if edge:
        return (word(rng, size(rng, 2), letters),)
    half = word(rng, size(rng, max(1, scale.text // 2)), letters)
    text = half + (word(rng, 1, letters) if rng.random() < 0.5 else "") + half[::-1]
    if rng.random() < 0.5:  # break it in one place (sometimes harmlessly)
        index = int(rng.integers(0, len(text)))
        text = text[:index] + word(rng, 1, letters) + text[index + 1 :]
    return (text,)


register(
    Template(
        name="is_palindrome",
        category="strings",
        title="Palindrome check",
        statement="Return whether the string `s` reads the same forwards and backwards.",
        params=(Param("s", "word"),),
        returns="bool",
        solve=solve_is_palindrome,
        generate=_gen_is_palindrome,
        constraints="1 ≤ len(s) ≤ {text}; `s` has lowercase letters only",
    )
)


def solve_longest_distinct_run(s: str) -> int:
    last: dict[str, int] = {}
    best = start = 0
    for index, char in enumerate(s):
        if last.get(char, -1) >= start:
            start = last[char] + 1
        last[char] = index
        best = max(best, index - start + 1)
    return best


def _gen_letters(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        n = size(rng, 3)
        return ((word(rng, 1) * n) if rng.random() < 0.5 else word(rng, n),)
    return (word(rng, size(rng, scale.text), alphabet_for(rng, scale.level)),)


register(
    Template(
        name="longest_distinct_substring",
        category="strings",
        title="Longest substring without repeats",
        statement="Return the length of the longest contiguous substring of `s` in which no character repeats.",
        params=(Param("s", "word"),),
        returns="int",
        solve=solve_longest_distinct_run,
        generate=_gen_letters,
        constraints="1 ≤ len(s) ≤ {text}; lowercase letters",
    )
)


def solve_run_length(s: str) -> str:
    out = []
    index = 0
    while index < len(s):
        end = index
        while end < len(s) and s[end] == s[index]:
            end += 1
        out.append(f"{s[index]}{end - index}")
        index = end
    return "".join(out)


def _gen_runs(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (word(rng, 1) * size(rng, 12),)
    letters = alphabet_for(rng, scale.level)
    parts: list[str] = []
    total = size(rng, scale.text)
    while sum(map(len, parts)) < total:
        parts.append(word(rng, 1, letters) * size(rng, 1 + scale.level * 2))
    return ("".join(parts)[:total],)


register(
    Template(
        name="run_length_encoding",
        category="strings",
        title="Run-length encoding",
        statement="Encode `s` by replacing every maximal block of equal consecutive characters with the "
        "character followed by the block's length in decimal: `aaabcc` becomes `a3b1c2`. Return the encoding.",
        params=(Param("s", "word"),),
        returns="word",
        solve=solve_run_length,
        generate=_gen_runs,
        constraints="1 ≤ len(s) ≤ {text}; lowercase letters",
    )
)


def solve_most_frequent_char(s: str) -> str:
    counts: dict[str, int] = {}
    for char in s:
        counts[char] = counts.get(char, 0) + 1
    return min(counts, key=lambda char: (-counts[char], char))


register(
    Template(
        name="most_frequent_char",
        category="strings",
        title="Most frequent letter",
        statement="Return the character that occurs most often in `s`; if several tie, the alphabetically "
        "smallest of them.",
        params=(Param("s", "word"),),
        returns="word",
        solve=solve_most_frequent_char,
        generate=_gen_letters,
        constraints="1 ≤ len(s) ≤ {text}; lowercase letters",
    )
)


def solve_anagram_groups(words: list[str]) -> int:
    return len({"".join(sorted(w)) for w in words})


def _gen_anagram_groups(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        base = word(rng, size(rng, 4), "ab")
        return ([base] * size(rng, 3),)
    letters = alphabet_for(rng, scale.level)
    roots = [word(rng, size(rng, 5), letters) for _ in range(size(rng, max(1, scale.n // 3)))]
    out = []
    for _ in range(size(rng, scale.n)):
        root = list(roots[int(rng.integers(0, len(roots)))])
        rng.shuffle(root)
        out.append("".join(root))
    return (out,)


register(
    Template(
        name="anagram_groups",
        category="strings",
        title="Anagram classes",
        statement="Two words are in the same class when one is a rearrangement of the other's letters. Return "
        "the number of different classes among the strings of `words`.",
        params=(Param("words", "words"),),
        returns="int",
        solve=solve_anagram_groups,
        generate=_gen_anagram_groups,
        constraints="1 ≤ len(words) ≤ {n}; each word has 1 to 5 lowercase letters",
    )
)


def solve_caesar(k: int, s: str) -> str:
    return "".join(chr((ord(c) - 97 + k) % 26 + 97) for c in s)


def _gen_caesar(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (int(rng.choice([0, 26, -26, 25, -1, 26 * 1000 + 1])), word(rng, size(rng, 3), "azyb"))
    bound = 26 * max(1, scale.value)
    return (int(rng.integers(-bound, bound + 1)), word(rng, size(rng, scale.text), LOWER))


register(
    Template(
        name="caesar_shift",
        category="strings",
        title="Caesar shift",
        statement="Shift every letter of the lowercase string `s` forward by `k` places in the alphabet, "
        "wrapping around from `z` to `a` (`k` may be negative or larger than 26). Return the result.",
        params=(Param("k", "int"), Param("s", "word")),
        returns="word",
        solve=solve_caesar,
        generate=_gen_caesar,
        constraints="|k| ≤ 26·{value}; 1 ≤ len(s) ≤ {text}",
    )
)
