"""VQA ambiguity rejections and generation speed per level: ``python benchmarks/vqa_rejection.py [N]``.

Counts, over N tasks per level, the share of question-builder calls that give no question (the
scene cannot be asked that family unambiguously) and the milliseconds per task of generation plus
rendering. Run it under ``PYTHONPATH=<other checkout>`` to compare two versions side by side.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import rlvr_envs.tasks.vqa.questions as questions
from rlvr_envs.core.env import task_rng
from rlvr_envs.tasks.vqa import VQAFamily
from rlvr_envs.tasks.vqa.render import render
from rlvr_envs.tasks.vqa.scene import Scene


def main(count: int) -> None:
    calls = {"n": 0, "none": 0}
    for name, build in list(questions.BUILDERS.items()):

        def counted(*args: Any, _build: Any = build) -> Any:
            result = _build(*args)
            calls["n"] += 1
            calls["none"] += result is None
            return result

        questions.BUILDERS[name] = counted
    family = VQAFamily()
    for level in (0, 2, 4, 6, 8):
        calls.update(n=0, none=0)
        start = time.perf_counter()
        for seed in range(count):
            task = family.generate(task_rng(seed, level), level, task_id="x")
            render(Scene.from_dict(task.data["scene"]))
        ms = 1000 * (time.perf_counter() - start) / count
        share = calls["none"] / max(1, calls["n"])
        print(f"level {level}: {ms:.2f} ms/task (generate + render), builder rejections {share:.1%} of {calls['n']}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
