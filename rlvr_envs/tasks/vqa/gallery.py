"""Write the example images of docs/vqa.md: ``python -m rlvr_envs.tasks.vqa.gallery [folder]``.

For three (level, question family) pairs it takes the first ``reset`` seed that asks that family,
saves the scene with the gold boxes of the referenced objects drawn in and the crop-tool
observation the oracle gets (JPEG: noisy scenes compress badly as PNG), and prints each question,
answer and gold caption for the docs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gymnasium as gym

import rlvr_envs

EXAMPLES = ((0, "query_attribute"), (4, "relation"), (8, "relation_chain"))


def write_gallery(folder: Path) -> list[str]:
    """Save the gallery PNGs into ``folder``; return one markdown line per example."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    env = gym.make("rlvr/VQACrop-v0")
    inner = rlvr_envs.unwrap(env)
    for level, family in EXAMPLES:
        task = None
        for seed in range(1000):
            obs, _ = env.reset(seed=seed, options={"level": level})
            task = inner.task
            if task is not None and task.data["question"]["family"] == family:
                break
        if task is None:  # pragma: no cover - reset always sets a task
            raise RuntimeError("no task")
        question = task.data["question"]
        boxed = Image.fromarray(obs["image"]).convert("RGB")
        draw = ImageDraw.Draw(boxed)
        for index in question["refs"]:
            x1, y1, x2, y2 = task.data["scene"]["objects"][index]["box"]
            draw.rectangle((x1, y1, x2 - 1, y2 - 1), outline=(255, 0, 255), width=2)
        boxed.save(folder / f"vqa_level{level}.jpg", quality=88)
        crop, *_ = env.step(inner.oracle_action())
        Image.fromarray(crop["image"]).save(folder / f"vqa_level{level}_crop.jpg", quality=88)
        lines.append(
            f"| {level} | {family} (seed {seed}) | {question['text']} | {question['answer']} | {question['caption']} |"
        )
    env.close()
    return lines


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/img")
    for line in write_gallery(target):
        print(line)
