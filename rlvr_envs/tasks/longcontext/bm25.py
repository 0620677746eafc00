"""A small Okapi BM25 index (numpy), for the search tool of LongContextSearch-v0.

Terms are lower-cased runs of letters and digits (Unicode-aware), minus a few English stop words;
a document's title counts twice. Postings are stored as one array per term of (document, term
frequency); a query scores only the documents that contain its terms:

    score(d, q) = sum_t idf(t) * tf(t, d) * (k1 + 1) / (tf(t, d) + k1 * (1 - b + b * |d| / avgdl))
    idf(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

Ties are broken by document order, so results are deterministic.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

_TERM = re.compile(r"[^\W_]+")
_STOP_WORDS = (
    "a an and are as at be by for from has have in is it its of on or that the this to was were which who with"
)
STOP_WORDS = frozenset(f"{_STOP_WORDS} what how many".split())
MAX_QUERY_TERMS = 64


def terms(text: str) -> list[str]:
    """The index terms of ``text`` (lower-cased words without stop words)."""
    return [t for t in _TERM.findall(text.lower()) if t not in STOP_WORDS]


class BM25Index:
    """BM25 over ``documents`` (pairs of title and text)."""

    def __init__(self, documents: Sequence[tuple[str, str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.size = len(documents)
        lengths = np.zeros(self.size, dtype=np.float64)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for index, (title, text) in enumerate(documents):
            words = terms(title) * 2 + terms(text)
            lengths[index] = len(words)
            for term, frequency in Counter(words).items():
                docs, freqs = postings.setdefault(term, ([], []))
                docs.append(index)
                freqs.append(frequency)
        self._lengths = lengths
        average = float(lengths.mean()) if self.size else 0.0
        self._norm = k1 * (1.0 - b + b * lengths / average) if average > 0 else np.full(self.size, k1)
        self._postings = {
            term: (np.asarray(docs, dtype=np.int64), np.asarray(freqs, dtype=np.float64))
            for term, (docs, freqs) in postings.items()
        }

    def idf(self, term: str) -> float:
        posting = self._postings.get(term)
        df = 0 if posting is None else posting[0].size
        return math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every document for ``query`` (zeros when no term matches)."""
        total = np.zeros(self.size, dtype=np.float64)
        for term in list(dict.fromkeys(terms(query)))[:MAX_QUERY_TERMS]:
            posting = self._postings.get(term)
            if posting is None:
                continue
            docs, freqs = posting
            total[docs] += self.idf(term) * freqs * (self.k1 + 1.0) / (freqs + self._norm[docs])
        return total

    def search(self, query: str, k: int = 5) -> list[tuple[int, float]]:
        """The ``k`` best (document index, score) pairs with a positive score, best first."""
        scores = self.scores(query)
        hits = np.flatnonzero(scores > 0)
        if hits.size == 0:
            return []
        order = hits[np.lexsort((hits, -scores[hits]))][: max(0, k)]
        return [(int(i), float(scores[i])) for i in order]
