"""Reference heuristics that must score well below the oracle (docs/vqa.md reports both per level)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from rlvr_envs.envs.api import unwrap
from rlvr_envs.tasks.vqa.family import response_text

#: the most common answer per answer type, as a prior-only guesser would say it
_GUESS = {"count": "1", "yesno": "yes", "color": "red", "shape": "circle", "size": "large",
          "texture": "solid", "region": "center"}  # fmt: skip


def center_box_policy(env: gym.Env[Any, Any]) -> Any:
    """Answers without looking: one box in the middle third of the image, the question echoed as the
    caption, and the answer type's most common guess (it reads the type from the task, a generous prior).
    """
    inner = unwrap(env)

    def act(observation: Any, info: dict[str, Any]) -> str:
        task = inner.task
        if task is None:
            raise gym.error.ResetNeeded("call reset() before asking the policy for an action")
        size = int(task.data["scene"]["size"])
        third = size / 3
        box = [third, third, 2 * third, 2 * third]
        if getattr(inner.family.config, "coords", "pixel") == "normalized":
            box = [v / size for v in box]
        question = task.data["question"]
        return response_text(task.prompt, [box], _GUESS[question["answer_type"]])

    return act
