"""The three-part response parser and the verifier: total on garbage, exact on answers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_envs.core.env import task_rng
from rlvr_envs.tasks.vqa import VQAFamily, VQAReward, parse_response, response_text
from rlvr_envs.tasks.vqa.answers import answer_correct
from rlvr_envs.tasks.vqa.response import parse_boxes
from rlvr_envs.tasks.vqa.scoring import score

FAMILY = VQAFamily()
TASK = FAMILY.generate(task_rng(7, 4), 4, task_id="vqa:4:0000000000000007")

_fragments = st.sampled_from(
    ["<caption>", "</caption>", "<bbox>", "</bbox>", "<answer>", "</answer>", "[", "]", ",", "1", "-2.5e3",
     "nan", "inf", "<think>", "</think>", "[[", "]]", "1e999", " ", "\x00", "😀"]
)  # fmt: skip
_garbage = st.one_of(
    st.text(max_size=400),
    st.lists(_fragments, max_size=60).map("".join),
    st.builds(
        lambda c, b, a: f"<caption>{c}</caption><bbox>{b}</bbox><answer>{a}</answer>",
        st.text(max_size=40),
        st.text(max_size=60),
        st.text(max_size=20),
    ),
    st.sampled_from(["[" * 10000, "<bbox>" + "[" * 10000 + "</bbox>", "<bbox>" + "1," * 5000 + "</bbox>"]),
)


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(_garbage)
def test_parser_and_verifier_are_total(text: str) -> None:
    parsed = parse_response(text)
    assert parsed.format_ok == (not parsed.problems)
    verdict = FAMILY.verify(TASK, text)
    assert -1.0 <= verdict.reward <= 1.0
    assert set(verdict.components) == {"format", "caption", "boxes", "answer"}


def test_garbage_pays_the_format_penalty() -> None:
    verdict = FAMILY.verify(TASK, "no idea, sorry")
    assert verdict.reward == pytest.approx(-0.1) and not verdict.correct
    assert verdict.components["format"] == 0.0


def _gold() -> tuple[str, list[list[int]], str]:
    question = TASK.data["question"]
    boxes = [TASK.data["scene"]["objects"][i]["box"] for i in question["refs"]]
    return question["caption"], boxes, question["answer"]


def test_oracle_response_scores_one_and_each_part_counts() -> None:
    caption, boxes, answer = _gold()
    assert FAMILY.verify(TASK, response_text(caption, boxes, answer)).reward == pytest.approx(1.0)
    wrong_answer = FAMILY.verify(TASK, response_text(caption, boxes, "definitely not it"))
    assert wrong_answer.reward == pytest.approx(0.1) and not wrong_answer.correct  # gated: only the format
    ungated = VQAFamily(reward={"gated": False}).verify(TASK, response_text(caption, boxes, "definitely not it"))
    assert ungated.reward == pytest.approx(0.6)
    if boxes:  # the right answer on ungrounded boxes is a guess: only the format is paid
        far = [[0, 0, 2, 2] for _ in boxes]
        assert FAMILY.verify(TASK, response_text(caption, far, answer)).reward == pytest.approx(0.1)
    no_boxes = FAMILY.verify(TASK, response_text(caption, [], answer))
    assert no_boxes.components["boxes"] == (1.0 if not boxes else 0.0)
    no_caption = FAMILY.verify(TASK, response_text("", boxes, answer))
    assert no_caption.components["caption"] == 0.0 and no_caption.correct
    # the blocks out of order break the format but the parts are still read
    shuffled = f"<answer>{answer}</answer><caption>{caption}</caption><bbox>{boxes}</bbox>"
    verdict = FAMILY.verify(TASK, shuffled)
    assert verdict.components["format"] == 0.0 and verdict.components["answer"] == 1.0 and not verdict.correct


def test_thinking_is_ignored() -> None:
    caption, boxes, answer = _gold()
    good = response_text(caption, boxes, answer)
    assert FAMILY.verify(TASK, "<think><answer>nope</answer></think>" + good).reward == pytest.approx(1.0)


def test_normalised_coordinates() -> None:
    family = VQAFamily(coords="normalized")
    task = family.generate(task_rng(7, 4), 4, task_id="x")
    caption, boxes, answer = (task.data["question"][k] for k in ("caption", "refs", "answer"))
    pixel = [task.data["scene"]["objects"][i]["box"] for i in boxes]
    normalised = [[v / 336 for v in box] for box in pixel]
    assert family.verify(task, response_text(caption, normalised, answer)).reward == pytest.approx(1.0)
    if pixel:  # pixel boxes in a normalised env miss
        assert family.verify(task, response_text(caption, pixel, answer)).components["boxes"] == 0.0


@pytest.mark.parametrize(
    ("predicted", "gold", "kind", "ok"),
    [
        ("3", "3", "count", True),
        ("three", "3", "count", True),
        ("There are 3.", "3", "count", True),
        ("3 or 4", "3", "count", False),
        ("4", "3", "count", False),
        ("Yes", "yes", "yesno", True),
        ("yes.", "yes", "yesno", True),
        ("yes and no", "yes", "yesno", False),
        ("Yes, there is.", "yes", "yesno", True),
        ("It is red.", "red", "color", True),
        ("red or blue", "red", "color", False),
        ("red red", "red", "color", True),
        ("the top left corner", "top left", "region", True),
        ("in the middle", "center", "region", True),
        ("top left, top right, left, center", "top left", "region", False),
        ("a small striped hexagon", "small", "size", True),
        ("circles", "circle", "shape", False),
        ("predicted", "red", "color", False),
        ("orange", "red", "color", False),
        ("RED", "red", "color", True),
        ("violet", "purple", "color", True),
        ("big", "large", "size", True),
        ("Upper-left", "top left", "region", True),
        ("top-left", "top left", "region", True),
        ("centre", "center", "region", True),
        ("left", "top left", "region", False),
        ("", "red", "color", False),
        (None, "red", "color", False),
    ],
)
def test_answer_normalisation(predicted: str | None, gold: str, kind: str, ok: bool) -> None:
    assert answer_correct(predicted, gold, kind) is ok


def test_bbox_grammar() -> None:
    assert parse_boxes("[]") == []
    assert parse_boxes("[[1, 2, 3, 4], [5,6,7,8]]") == [[1, 2, 3, 4], [5, 6, 7, 8]]
    assert parse_boxes("[1,2,3,4]") == [[1, 2, 3, 4]]  # one flat box
    for bad in ("", "[[1,2,3]]", "[[1,2,3,4],]", "[[1,2,3,4]", "[[1,2,3,4]] x", "{'a': 1}", "[[1,2,3,4][5,6,7,8]]"):
        assert parse_boxes(bad) is None, bad


def test_bleu_caption_metric_option() -> None:
    reward = VQAReward(caption_metric="bleu")
    caption, boxes, answer = _gold()
    assert score(TASK.data, response_text(caption, boxes, answer), reward, "pixel").reward == pytest.approx(1.0)
    with pytest.raises(ValueError, match="sum to 1"):
        VQAReward(answer=0.9)


def test_huge_inputs_are_scored_quickly() -> None:
    import time

    answer = _gold()[2]
    huge = response_text("large red circle " * 200_000, [[1, 2, 3, 4]] * 5_000, answer)
    start = time.perf_counter()
    verdict = FAMILY.verify(TASK, huge)
    assert time.perf_counter() - start < 2.0
    assert verdict.components["boxes"] == 0.0  # 5000 boxes: far too many (or an unparsable list)
