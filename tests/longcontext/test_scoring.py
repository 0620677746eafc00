"""The long-context verifier: aliases, numbers, dates, lists, partial citations, rubric, hostile input."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import rlvr_envs
from rlvr_envs.tasks.longcontext.scoring import LongContextReward, parse_citations, score

WEIGHTS = LongContextReward()


def entity_task(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "answer": "Varo Keltin",
        "aliases": ["Varo Keltin", "Keltin, Varo", "V. Keltin"],
        "answer_kind": "entity",
        "supporting": ["D3", "D17"],
        "rubric": [{"name": "Keltavo Institute", "aliases": ["Keltavo Institute", "Keltavo"]}],
    }
    data.update(extra)
    return data


def run(data: dict[str, Any], response: str, reasoning: str | None = None) -> dict[str, float]:
    verdict = score(data, response, response if reasoning is None else reasoning, WEIGHTS)
    return {"reward": verdict.reward, "correct": float(verdict.correct), **verdict.components}


GOOD_CITES = "<cite>D3, D17</cite>"


@pytest.mark.parametrize("alias", ["Varo Keltin", "the varo keltin.", "Keltin, Varo", "V. Keltin", "VARO  KELTIN"])
def test_aliases_are_exact_matches(alias: str) -> None:
    result = run(entity_task(), f"Via Keltavo Institute. <answer>{alias}</answer> {GOOD_CITES}")
    assert result["em"] == 1.0 and result["reward"] == pytest.approx(1.0)


def test_partial_answer_gets_f1_only() -> None:
    result = run(entity_task(), f"<answer>Keltin</answer> {GOOD_CITES}")
    assert result["em"] == 0.0 and result["f1"] == pytest.approx(2 / 3)
    assert result["rubric"] == 0.0  # the rubric is paid only for a correct answer
    assert result["reward"] == pytest.approx(0.1 * 2 / 3)  # citations are paid only beside an exact answer
    assert not result["correct"]


@pytest.mark.parametrize(
    ("given", "ok"),
    [("12400", True), ("12,400", True), ("about 12 400 people", True), ("12400.0", True), ("12401", False),
     ("12,400 or 13,000", False), ("twelve thousand", False)],
)  # fmt: skip
def test_numbers_compare_as_values(given: str, ok: bool) -> None:
    data = entity_task(answer="12400", aliases=["12400", "12,400"], answer_kind="number")
    result = run(data, f"<answer>{given}</answer> {GOOD_CITES}")
    assert result["em"] == float(ok) and result["f1"] == float(ok)


def test_counts_accept_words() -> None:
    data = entity_task(answer="3", aliases=["3", "three"], answer_kind="number", rubric=[])
    assert run(data, f"<answer>three</answer> {GOOD_CITES}")["reward"] == pytest.approx(1.0)
    assert run(data, f"<answer>3 people</answer> {GOOD_CITES}")["em"] == 1.0


@pytest.mark.parametrize(
    ("given", "ok"),
    [("1987-03-14", True), ("14 March 1987", True), ("March 14th, 1987", True), ("14.03.1987", True),
     ("1987", False), ("15 March 1987", False), ("1987-03-14 or 1987-03-15", False)],
)  # fmt: skip
def test_dates_compare_as_dates(given: str, ok: bool) -> None:
    data = entity_task(answer="14 March 1987", aliases=["14 March 1987"], answer_kind="date")
    assert run(data, f"<answer>{given}</answer>")["em"] == float(ok)


@pytest.mark.parametrize(("given", "ok"), [("1873", True), ("in 1873", True), ("1873-05-02", True), ("1874", False)])
def test_years(given: str, ok: bool) -> None:
    data = entity_task(answer="1873", aliases=["1873"], answer_kind="year")
    assert run(data, f"<answer>{given}</answer>")["em"] == float(ok)


def test_lists_must_be_in_order() -> None:
    items = [["Alpha Fair", "Fair of Alpha"], ["Beta Summit"], ["Gamma Accord"]]
    data = entity_task(answer="Alpha Fair; Beta Summit; Gamma Accord", answer_kind="list", items=items, rubric=[])
    assert run(data, "<answer>alpha fair; Beta Summit; the Gamma Accord</answer>")["em"] == 1.0
    assert run(data, "<answer>Fair of Alpha, Beta Summit, Gamma Accord</answer>")["em"] == 1.0
    assert run(data, "<answer>Beta Summit; Alpha Fair; Gamma Accord</answer>")["f1"] == 0.0  # no partial credit
    assert run(data, "<answer>Alpha Fair; Beta Summit</answer>")["em"] == 0.0


def test_partial_citations() -> None:
    data = entity_task(supporting=["D3", "D17", "D40", "D41"])
    result = run(data, "<answer>Varo Keltin</answer> <cite>D3, D17, D99</cite>")
    assert result["citation_precision"] == pytest.approx(2 / 3)
    assert result["citation_recall"] == pytest.approx(2 / 4)
    assert result["citation_f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    cites_all = run(data, "<answer>Varo Keltin</answer> <cite>" + ", ".join(f"D{i}" for i in range(1, 200)) + "</cite>")
    assert cites_all["citation_recall"] == 1.0 and cites_all["citation_f1"] < 0.05  # citing everything does not pay


def test_citation_parsing() -> None:
    assert parse_citations("<cite>[D3], d17; D017 D3</cite>") == ["D3", "D17"]
    assert parse_citations("no tag D3") == []
    assert parse_citations("<cite>D1</cite> then <cite>D2</cite>") == ["D2"]  # the last block counts


def test_citations_need_an_overlapping_answer() -> None:
    result = run(entity_task(), f"<answer>Someone Else</answer> {GOOD_CITES}")
    assert result["citation_f1"] == 1.0 and result["reward"] == 0.0
    lenient = score(
        entity_task(), f"<answer>Someone Else</answer> {GOOD_CITES}", "", LongContextReward(citations_need_answer=False)
    )
    assert lenient.reward == pytest.approx(0.25)


def test_rubric_reads_the_reasoning() -> None:
    answer = f"<answer>Varo Keltin</answer> {GOOD_CITES}"
    assert run(entity_task(), answer)["rubric"] == 0.0
    assert run(entity_task(), answer, reasoning="The employer is Keltavo.")["rubric"] == 1.0
    assert run(entity_task(), answer, reasoning="The employer is Keltavos.")["rubric"] == 0.0  # whole words only
    assert run(entity_task(rubric=[]), answer)["rubric"] == 1.0  # nothing to name: full marks


def test_no_answer_and_thinking() -> None:
    result = run(entity_task(), "I think it is Varo Keltin. <cite>D3</cite>")
    assert result["format"] == 0.0 and result["reward"] == 0.0
    hidden = run(entity_task(), "<think><answer>Varo Keltin</answer></think> no idea")
    assert hidden["format"] == 0.0  # an answer inside <think> does not count
    assert run(entity_task(), "<answer>  </answer>")["format"] == 0.0
    assert run(entity_task(), "\\boxed{Varo Keltin}")["em"] == 1.0
    assert run(entity_task(), "Final answer: Varo Keltin")["em"] == 1.0
    penalised = score(entity_task(), "nothing", "", LongContextReward(no_answer=-0.5))
    assert penalised.reward == -0.5


def test_nested_and_broken_tags() -> None:
    assert run(entity_task(), "<answer><answer>Varo Keltin</answer></answer>")["em"] == 1.0
    assert run(entity_task(), "<answer>Varo <b>Keltin</b></answer>")["em"] == 1.0
    assert run(entity_task(), "<answer>Varo Keltin")["format"] == 0.0
    assert run(entity_task(), "</answer>Varo Keltin<answer>")["format"] == 0.0


@pytest.mark.parametrize(
    "hostile",
    [
        "<answer>" + "x " * 2_000_000 + "</answer>",  # longer than MAX_SCORED_CHARS: cut, so no answer
        "<answer>" + "Varo x " * 120_000 + "</answer>",  # a huge answer that is scored
        "<answer>" * 50_000 + "Varo Keltin" + "</answer>" * 50_000,
        "<cite>" + "D1, " * 500_000 + "</cite><answer>Varo Keltin</answer>",
        "<answer>" * 200_000 + "Varo Keltin" + "</answer>" * 200_000,
        "<think>" * 100_000 + "<answer>Varo Keltin</answer>",
        "<answer>😀" * 100_000 + "</answer>",
        "\x00" * 1_000_000,
    ],
)
def test_hostile_inputs_are_fast_and_safe(hostile: str) -> None:
    start = time.perf_counter()
    verdict = score(entity_task(), hostile, hostile, WEIGHTS)
    assert time.perf_counter() - start < 5.0
    assert -1.0 <= verdict.reward <= 1.0


def test_weights_are_validated() -> None:
    with pytest.raises(ValidationError, match=r"must be in \(0, 1\]"):
        LongContextReward(em=0.9, f1=0.5)
    with pytest.raises(ValidationError):
        LongContextReward(em=0, f1=0, citations=0, rubric=0)
    with pytest.raises(rlvr_envs.errors.SpecError, match="em \\+ f1"):
        rlvr_envs.make("rlvr/LongContextQA-v0", reward={"em": 1.0})


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    answer=st.text(max_size=80),
    cites=st.text(alphabet="D0123456789, []", max_size=40),
    kind=st.sampled_from(["entity", "number", "date", "year", "list"]),
)
def test_fuzzed_responses_stay_in_range(answer: str, cites: str, kind: str) -> None:
    data = entity_task(answer_kind=kind, answer="1987-03-14" if kind == "date" else "3", items=[["a"], ["b"]])
    verdict = score(data, f"<answer>{answer}</answer><cite>{cites}</cite>", answer, WEIGHTS)
    assert -1.0 <= verdict.reward <= 1.0
    assert all(0.0 <= value <= 1.0 for value in verdict.components.values())
