"""rlvr_envs.verifiers.text: normalisation, EM/F1, number and date readers (total, linear)."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_envs.verifiers.text import (
    best_f1,
    exact_match,
    normalize_text,
    parse_dates,
    parse_numbers,
    single_date,
    single_number,
    token_f1,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Keltavo Institute.", "keltavo institute"),
        ("  an   Orchard of\tVémra!! ", "orchard of vémra"),
        ("O'Neil's", "oneils"),
        ("ＫＥＬＴＡＶＯ", "keltavo"),  # NFKC folds full-width letters
        ("A. B_C", "b c"),
        ("", ""),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_exact_match_and_f1() -> None:
    assert exact_match("the keltavo institute", ["Keltavo Institute"])
    assert not exact_match("", [""])  # an empty answer never matches
    assert not exact_match("Keltavo", ["Keltavo Institute"])
    assert token_f1("Keltavo", "Keltavo Institute") == pytest.approx(2 / 3)
    assert token_f1("Institute Keltavo", "Keltavo Institute") == 1.0  # F1 ignores order
    assert token_f1("", "x") == 0.0 and token_f1("x", "") == 0.0
    assert best_f1("V Keltin", ["Varo Keltin", "V. Keltin"]) == 1.0
    assert best_f1("anything", []) == 0.0


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("12,400", ["12400"]),
        ("12 400 and 12\u202f400", ["12400", "12400"]),
        ("1,2,3", ["1", "2", "3"]),
        ("three, twenty-one and seventeen", ["3", "21", "17"]),
        ("-4 and \u22127 and 3.5", ["-4", "-7", "3.5"]),
        ("D12 v2 x5", []),  # digits glued to letters are not numbers
        ("one two", ["1", "2"]),
    ],
)
def test_parse_numbers(text: str, numbers: list[str]) -> None:
    assert parse_numbers(text) == [Decimal(n) for n in numbers]


def test_single_number() -> None:
    assert single_number("There are 4 of them") == Decimal(4)
    assert single_number("4, I mean four") == Decimal(4)  # one distinct value
    assert single_number("3 or 4") is None
    assert single_number("none") is None


@pytest.mark.parametrize(
    "text",
    [
        "1987-03-14",
        "14 March 1987",
        "14th of March, 1987",
        "March 14, 1987",
        "Mar. 14th 1987",
        "on 14.03.1987",
        "born on 14 march 1987.",
    ],
)
def test_date_formats(text: str) -> None:
    assert parse_dates(text) == [dt.date(1987, 3, 14)]


def test_dates_edge_cases() -> None:
    assert parse_dates("31 February 2000 and 2000-13-01") == []  # impossible dates are skipped
    assert single_date("1987-03-14 (14 March 1987)") == dt.date(1987, 3, 14)
    assert single_date("1987-03-14 or 1987-03-15") is None
    assert parse_dates("14/03/1987") == []  # ambiguous slash dates are not guessed


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_total_on_any_text(text: str) -> None:
    normalize_text(text)
    parse_numbers(text)
    parse_dates(text)
    single_number(text)
    single_date(text)
    assert 0.0 <= token_f1(text, "Keltavo Institute") <= 1.0


@pytest.mark.parametrize(
    "hostile",
    ["1," * 200_000, "9" * 300_000, "14 March " * 50_000, "the " * 200_000, "a" * 1_000_000],
)
def test_linear_time_on_hostile_input(hostile: str) -> None:
    start = time.perf_counter()
    normalize_text(hostile)
    parse_numbers(hostile)
    parse_dates(hostile)
    assert time.perf_counter() - start < 5.0
