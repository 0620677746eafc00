"""RLVREnv behaviour beyond the conformance suite: turn limits, shaping, caps, family bugs, verify()."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import rlvr_envs
from rlvr_envs import EpisodeState, Feedback, RLVREnv, Task, TaskFamily, Verdict, final_text
from rlvr_envs.core.env import make_task_id, parse_task_id
from rlvr_envs.errors import InvalidOptionError, SpecError, TaskSourceError


class Echo(TaskFamily):
    """Multi-turn toy: 'done' ends with reward 1; anything else gets shaped feedback; 'boom' raises."""

    name = "echo"

    def generate(self, rng: np.random.Generator, level: int, *, task_id: str) -> Task:
        return Task(task_id=task_id, family=self.name, level=level, prompt=f"n={int(rng.integers(0, 10**9))}")

    def respond(self, state: EpisodeState, action: str) -> Feedback | Verdict:
        if action == "boom":
            raise RuntimeError("family bug")
        if action == "done":
            return Verdict(reward=1.0, correct=True, reason="well done")
        return Feedback(message=f"echo: {action}", reward=0.1)

    def verify(self, task: Task, transcript: Any) -> Verdict:
        ok = final_text(transcript) == "done"
        return Verdict(reward=float(ok), correct=ok)

    def oracle_action(self, state: EpisodeState) -> str:
        return "done"


def test_multi_turn_truncation_and_shaping() -> None:
    env = RLVREnv(Echo(), max_turns=2, reward_shaping=True)
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step("hello")
    assert (obs, reward, terminated, truncated) == ("echo: hello", 0.1, False, False)
    assert [m["role"] for m in info["messages"]] == ["user", "assistant", "user"]
    obs, reward, terminated, truncated, info = env.step("again")
    assert truncated and not terminated and reward == 0.0
    assert info["verdict"]["components"] == {"truncated": 1.0}
    assert obs.startswith("The turn limit (2) has been reached.")
    # a finished episode keeps reporting how it ended
    _, reward, terminated, truncated, _ = env.step("more")
    assert (reward, terminated, truncated) == (0.0, False, True)


def test_shaping_off_by_default() -> None:
    env = RLVREnv(Echo(), max_turns=3)
    env.reset(seed=0)
    assert env.step("x")[1] == 0.0
    obs, reward, terminated, _, _ = env.step("done")
    assert (obs, reward, terminated) == ("well done", 1.0, True)


def test_family_exception_ends_episode_flagged_not_raised() -> None:
    env = RLVREnv(Echo(), max_turns=3)
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step("boom")
    assert terminated and reward == 0.0
    assert info["verdict"]["components"]["internal_error"] == 1.0


def test_action_and_observation_caps() -> None:
    env = RLVREnv(Echo(), max_turns=3, max_action_chars=10, max_observation_chars=80)
    env.reset(seed=0)
    *_, info = env.step("x" * 1000)
    assert info["messages"][1]["content"] == "x" * 10
    wide = RLVREnv(Echo(), max_turns=3, max_observation_chars=80)
    wide.reset(seed=0)
    obs, *_ = wide.step("y" * 200)
    assert len(obs) == 80 and obs.endswith("truncated by the environment ...]")


def test_step_before_reset_and_non_text_actions() -> None:
    env = RLVREnv(Echo())
    with pytest.raises(gym.error.ResetNeeded):
        env.step("x")
    env.reset(seed=0)
    with pytest.raises(InvalidOptionError, match="str"):
        env.step(3)  # type: ignore[arg-type]
    assert env.step(b"done")[1] == 1.0  # type: ignore[arg-type]


def test_constructor_validation() -> None:
    with pytest.raises(InvalidOptionError):
        RLVREnv(Echo(), max_turns=0)
    with pytest.raises(InvalidOptionError):
        RLVREnv(Echo(), render_mode="rgb_array")


def test_render_ansi() -> None:
    env = RLVREnv(Echo(), render_mode="ansi")
    assert env.render() is None
    env.reset(seed=0)
    assert env.render().startswith("[user] n=")  # type: ignore[union-attr]


def test_task_ids_roundtrip() -> None:
    task_id = make_task_id("math", 3, 2**62 + 5)
    assert parse_task_id(task_id) == ("math", 3, 2**62 + 5)
    assert parse_task_id("math:data:4") is None and parse_task_id("garbage") is None
    env = RLVREnv(Echo())
    with pytest.raises(InvalidOptionError, match="task id"):
        env.reset(options={"task_id": "math:1:ff"})


def test_offline_verify_matches_env_reward() -> None:
    env = gym.make("rlvr/Math-v0")
    env.reset(seed=4)
    task = rlvr_envs.unwrap(env).task
    assert task is not None
    good = rlvr_envs.unwrap(env).oracle_action()
    assert rlvr_envs.verify("rlvr/Math-v0", task, good).reward == 1.0
    assert rlvr_envs.verify("rlvr/Math-v0", task.model_dump(), "\\boxed{no}").reward == 0.0
    transcript = [{"role": "user", "content": task.prompt}, {"role": "assistant", "content": good}]
    assert rlvr_envs.verify("rlvr/Math-v0", task, transcript).correct
    with pytest.raises(InvalidOptionError):
        rlvr_envs.verify("rlvr/Math-v0", {"not": "a task"}, good)


def test_math_retry_feedback_never_reveals_answer() -> None:
    env = gym.make("rlvr/MathRetry-v0")
    env.reset(seed=2, options={"level": 0})
    answer = rlvr_envs.unwrap(env).task.data["answer"]  # type: ignore[union-attr]
    obs, reward, terminated, _, info = env.step("\\boxed{123456789}")
    assert not terminated and "not correct" in obs and answer not in obs
    obs, reward, terminated, _, _ = env.step("no answer here")
    assert not terminated and "could not find a final answer" in obs
    obs, reward, terminated, _, info = env.step(rlvr_envs.unwrap(env).oracle_action())
    assert terminated and reward == pytest.approx(0.25) and info["verdict"]["components"]["attempts"] == 3


def test_user_jsonl_dataset_source(tmp_path: Path) -> None:
    rows = [
        {"question": "What is 2+2?", "solution": "It is 4. #### 4", "level": 0},
        {"question": "Half of one?", "solution": "We get \\boxed{\\frac{1}{2}}", "level": 1},
        {"question": "Big?", "solution": "#### 1,000"},
    ]
    data = tmp_path / "mine.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    env = gym.make(
        "rlvr/Math-v0", source=str(data), source_problem_field="question", source_answer_field="solution", level=1
    )
    obs, info = env.reset(seed=0)
    assert obs.startswith("Half of one?") and info["task_id"] == "math:data:1"
    assert env.step("\\boxed{0.5}")[1] == 1.0
    obs, info = env.reset(options={"task_id": "math:data:2"})
    assert obs.startswith("Big?") and env.step("\\boxed{1000}")[1] == 1.0
    with pytest.raises(TaskSourceError, match="missing field"):
        gym.make("rlvr/Math-v0", source=str(data)).reset(seed=0)
    with pytest.raises(SpecError, match="no such file"):
        gym.make("rlvr/Math-v0", source=str(tmp_path / "nope.jsonl"))
    fields = {"source": str(data), "source_problem_field": "question", "source_answer_field": "solution"}
    env = gym.make("rlvr/Math-v0", **fields)
    with pytest.raises(InvalidOptionError, match="row '9' does not exist"):
        env.reset(options={"task_id": "math:data:9"})
    # a level no row has: the nearest available level is used, and info says which
    assert env.reset(seed=0, options={"level": 7})[1]["level"] == 1
    assert env.reset(seed=0, options={"level": 0})[1]["level"] == 0


class Pictures(Echo):
    """Echo whose feedback is content parts with an image, exposed through the ``images`` hook."""

    name = "pictures"

    def respond(self, state: EpisodeState, action: str) -> Feedback | Verdict:
        if action == "done":
            return Verdict(reward=1.0, correct=True)
        state.scratch.setdefault("images", []).append(np.full((2, 2, 3), len(action), dtype=np.uint8))
        return Feedback(message=[{"type": "text", "text": f"look: {action}"}, {"type": "image"}])

    def images(self, state: EpisodeState) -> list[Any] | None:
        return list(state.scratch.get("images", []))


def test_feedback_content_parts_and_info_images() -> None:
    env = RLVREnv(Pictures(), max_turns=3)
    _, info = env.reset(seed=0)
    assert info["images"] == []
    obs, _, _, _, info = env.step("abc")
    assert obs == "look: abc"  # the default observation joins the text parts
    assert info["messages"][-1]["content"] == [{"type": "text", "text": "look: abc"}, {"type": "image"}]
    assert len(info["images"]) == 1 and info["images"][0][0, 0, 0] == 3
    text_only = RLVREnv(Echo(), max_turns=3)
    assert "images" not in text_only.reset(seed=0)[1]  # the key is only there for families that have images
