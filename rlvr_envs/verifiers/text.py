"""Text answer metrics: normalised exact match, token F1, ROUGE-L, BLEU, and number/date readers.

The normalisation is SQuAD/HotpotQA's (lower case, punctuation and the articles a/an/the removed,
whitespace collapsed) plus Unicode NFKC folding, so "The Keltavo Institute." equals
"keltavo institute". Numbers and dates are compared as values, not strings: "12,400", "12400" and
"12 400" are one number; "1987-03-14", "14 March 1987" and "March 14th, 1987" are one date.

Every function accepts any string and never raises on it; all run in time linear in the input
(no backtracking regexes). Nothing here knows about tasks: families build their scoring on top.

>>> exact_match("The Keltavo Institute.", ["Keltavo Institute"])
True
>>> round(token_f1("Varo Keltin of Ostmere", "Varo Keltin"), 3)
0.667
>>> parse_numbers("about 12,400 people and three dogs")
[Decimal('12400'), Decimal('3')]
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_TENS = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
# A number: digits with optional thousands groups (comma, thin/no-break space, apostrophe, space,
# underscore) of exactly three digits, then an optional decimal part; or a number word.
_NUMBER = re.compile(
    r"(?<![\w.])[-+\u2212]?\d{1,3}(?:[,\u00a0\u202f' _]\d{3})+(?:\.\d+)?(?![\w])"
    r"|(?<![\w.])[-+\u2212]?\d+(?:\.\d+)?(?![\w])"
    r"|\b(?:(?:" + "|".join(sorted(_TENS)) + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine)\b)?"
    r"|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)

_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<{0}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{0}>\d{{1,2}})(?:st|nd|rd|th)?"
_DATE = re.compile(
    r"\b(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})\b"  # 1987-03-14
    r"|\b" + _DAY.format("dd") + r"(?:\s+of)?\s+" + _MONTH.format("dm") + r",?\s+(?P<dy>\d{4})\b"  # 14 March 1987
    r"|\b" + _MONTH.format("mm") + r"\s+" + _DAY.format("md") + r",?\s+(?P<my>\d{4})\b"  # March 14, 1987
    r"|\b(?P<ed>\d{1,2})\.(?P<em>\d{1,2})\.(?P<ey>\d{4})\b",  # 14.03.1987
    re.IGNORECASE,
)


def normalize_text(text: str) -> str:
    """Lower-case, NFKC-fold, drop punctuation and the articles a/an/the, collapse whitespace.

    >>> normalize_text("  The  Glass-Orchard of Vémra! ")
    'glass orchard of vémra'
    """
    if not isinstance(text, str):
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _APOSTROPHES.sub("", folded)
    folded = _PUNCTUATION.sub(" ", folded)
    folded = _ARTICLES.sub(" ", folded)
    return " ".join(folded.split())


def exact_match(prediction: str, golds: Iterable[str]) -> bool:
    """Whether the normalised ``prediction`` equals any normalised gold string (aliases)."""
    predicted = normalize_text(prediction)
    return bool(predicted) and any(predicted == normalize_text(gold) for gold in golds)


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 between the normalised strings (0.0 when either side is empty)."""
    predicted = normalize_text(prediction).split()
    expected = normalize_text(gold).split()
    if not predicted or not expected:
        return 0.0
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision = common / len(predicted)
    recall = common / len(expected)
    return 2 * precision * recall / (precision + recall)


def best_f1(prediction: str, golds: Iterable[str]) -> float:
    """The best `token_f1` of ``prediction`` against any of ``golds`` (0.0 for no golds)."""
    return max((token_f1(prediction, gold) for gold in golds), default=0.0)


def _word_number(token: str) -> int | None:
    parts = re.split(r"[- ]", token.lower())
    if len(parts) == 1:
        return _NUMBER_WORDS.get(parts[0])
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _NUMBER_WORDS and _NUMBER_WORDS[parts[1]] < 10:
        return _NUMBER_WORDS[parts[0]] + _NUMBER_WORDS[parts[1]]
    return None


def parse_numbers(text: str) -> list[Decimal]:
    """Every number in ``text``, in order: digits (with thousands separators) and number words 0-99.

    Digits inside dates are numbers too; callers that expect a count should use `single_number`.
    """
    if not isinstance(text, str):
        return []
    values: list[Decimal] = []
    for match in _NUMBER.finditer(text):
        token = match.group(0)
        if token[0].isalpha():
            word = _word_number(token)
            if word is not None:
                values.append(Decimal(word))
            continue
        cleaned = re.sub(r"[,\u00a0\u202f' _]", "", token).replace("\u2212", "-")
        try:
            values.append(Decimal(cleaned))
        except InvalidOperation:
            continue
    return values


def single_number(text: str) -> Decimal | None:
    """The number ``text`` states, if it states exactly one distinct number value; else ``None``.

    >>> single_number("There are 4 of them.")
    Decimal('4')
    >>> single_number("3 or 4") is None
    True
    """
    distinct = {value.normalize() for value in parse_numbers(text)}
    return distinct.pop() if len(distinct) == 1 else None


def parse_dates(text: str) -> list[_dt.date]:
    """Every valid calendar date in ``text``: ISO ``1987-03-14``, ``14 March 1987``, ``March 14, 1987``
    (ordinals and abbreviated months allowed) and ``14.03.1987`` (day first). Impossible dates are skipped.
    """
    if not isinstance(text, str):
        return []
    found: list[_dt.date] = []
    for match in _DATE.finditer(text):
        groups = match.groupdict()
        if groups["iy"]:
            year, month, day = groups["iy"], groups["im"], groups["id"]
        elif groups["dy"]:
            year, month, day = groups["dy"], str(_MONTHS[groups["dm"].lower()]), groups["dd"]
        elif groups["my"]:
            year, month, day = groups["my"], str(_MONTHS[groups["mm"].lower()]), groups["md"]
        else:
            year, month, day = groups["ey"], groups["em"], groups["ed"]
        try:
            found.append(_dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return found


def single_date(text: str) -> _dt.date | None:
    """The date ``text`` states, if it states exactly one distinct date; else ``None``."""
    distinct = set(parse_dates(text))
    return distinct.pop() if len(distinct) == 1 else None


def _lcs_length(first: list[str], second: list[str]) -> int:
    """Length of the longest common subsequence (two-row dynamic programme, O(len*len))."""
    if len(first) < len(second):
        first, second = second, first
    previous = [0] * (len(second) + 1)
    for token in first:
        current = [0]
        for j, other in enumerate(second, start=1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, gold: str) -> float:
    """ROUGE-L F1 over normalised tokens (longest common subsequence); 0.0 when either side is empty.

    >>> round(rouge_l("the large red circle", "a large red striped circle"), 3)
    0.857
    """
    predicted = normalize_text(prediction).split()
    expected = normalize_text(gold).split()
    if not predicted or not expected:
        return 0.0
    common = _lcs_length(predicted, expected)
    if common == 0:
        return 0.0
    precision = common / len(predicted)
    recall = common / len(expected)
    return 2 * precision * recall / (precision + recall)


def bleu(prediction: str, gold: str, max_n: int = 4) -> float:
    """Sentence BLEU (geometric mean of clipped 1..``max_n``-gram precisions, add-one smoothing
    for n > 1, brevity penalty) over normalised tokens; 1.0 for identical texts, 0.0 for no overlap.
    """
    predicted = normalize_text(prediction).split()
    expected = normalize_text(gold).split()
    if not predicted or not expected:
        return 0.0
    log_sum = 0.0
    orders = min(max_n, len(predicted), len(expected))
    for n in range(1, orders + 1):
        grams = Counter(tuple(predicted[i : i + n]) for i in range(len(predicted) - n + 1))
        refs = Counter(tuple(expected[i : i + n]) for i in range(len(expected) - n + 1))
        clipped = sum((grams & refs).values())
        total = sum(grams.values())
        if n == 1:
            if clipped == 0:
                return 0.0
            log_sum += math.log(clipped / total)
        else:
            log_sum += math.log((clipped + 1) / (total + 1))
    brevity = 1.0 if len(predicted) >= len(expected) else math.exp(1 - len(expected) / len(predicted))
    return brevity * math.exp(log_sum / orders)
