"""The VQA verifier: format, caption overlap, matched-box IoU and exact answer, weighted per spec.

Pure and total: `score` takes the task's gold data and the agent's final text and always returns
a `Verdict` whose ``components`` hold the four parts (each in [0, 1]) for trainers to log.
"""

from __future__ import annotations

from typing import Any

from rlvr_envs.core.types import Verdict
from rlvr_envs.tasks.vqa.answers import answer_correct
from rlvr_envs.tasks.vqa.config import VQAReward
from rlvr_envs.tasks.vqa.response import parse_response
from rlvr_envs.verifiers.grounding import matched_iou_score
from rlvr_envs.verifiers.text import bleu, rouge_l

MAX_CAPTION_CHARS = 2_000


def to_pixels(boxes: list[list[float]], coords: str, size: int) -> list[list[float]]:
    """Predicted boxes in pixel units (normalised coordinates are scaled by the image side)."""
    if coords == "pixel":
        return boxes
    return [[value * size for value in box] for box in boxes]


def score(data: dict[str, Any], text: str, reward: VQAReward, coords: str) -> Verdict:
    """Judge one response against the task's gold question, caption and boxes."""
    question = data["question"]
    scene = data["scene"]
    parsed = parse_response(text)
    gold_boxes = [scene["objects"][i]["box"] for i in question["refs"]]
    metric = rouge_l if reward.caption_metric == "rouge_l" else bleu
    # the overlap metric is quadratic in the worst case: a caption longer than any sensible one is cut
    caption = metric(parsed.caption[:MAX_CAPTION_CHARS], question["caption"]) if parsed.caption else 0.0
    if parsed.boxes is None:
        boxes = 0.0
    else:
        boxes = matched_iou_score(to_pixels(parsed.boxes, coords, int(scene["size"])), gold_boxes).score
    correct = answer_correct(parsed.answer, question["answer"], question["answer_type"])
    fmt = 1.0 if parsed.format_ok else 0.0
    content = reward.caption * caption + reward.boxes * boxes + reward.answer * float(correct)
    # with nothing to point at ("no", "0"), the caption naming what is absent is the grounding
    grounded = bool(correct) and boxes >= reward.grounded and (bool(gold_boxes) or caption >= reward.grounded)
    if reward.gated and not grounded:
        content = 0.0  # a guessed answer, or boxes without the answer, is not paid (shortcut corpus)
    total = reward.format * fmt + content
    if not parsed.format_ok:
        total -= reward.format_penalty
    reason = "; ".join(parsed.problems) if parsed.problems else ("correct" if correct else "wrong answer")
    return Verdict(
        reward=max(-1.0, min(1.0, total)),
        correct=bool(correct and parsed.format_ok),
        components={"format": fmt, "caption": caption, "boxes": boxes, "answer": float(correct)},
        reason=f"{reason} (answer {question['answer']!r})" if not correct else reason,
    )
