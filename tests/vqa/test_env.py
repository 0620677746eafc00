"""rlvr/VQA-v0 and rlvr/VQACrop-v0 through gymnasium: Dict observations, multimodal messages,
the crop tool, offline verification, the oracle and the centre-box heuristic."""

from __future__ import annotations

import io
import json
import pickle
import statistics

import gymnasium as gym
import numpy as np
import pytest
from rich.console import Console

import rlvr_envs
from rlvr_envs import cli
from rlvr_envs.policies import oracle, run_episode
from rlvr_envs.tasks.vqa.baselines import center_box_policy


def _crop(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<tool_call>{{"name": "crop", "arguments": {{"x1": {x1}, "y1": {y1}, "x2": {x2}, "y2": {y2}}}}}</tool_call>'


def test_observation_is_text_and_image_and_messages_are_multimodal() -> None:
    env = gym.make("rlvr/VQA-v0")
    obs, info = env.reset(seed=4)
    assert set(obs) == {"text", "image"} and obs["image"].shape == (336, 336, 3) and obs["image"].dtype == np.uint8
    assert env.observation_space.contains(obs)
    user = info["messages"][-1]
    assert user["role"] == "user"
    assert user["content"][0] == {"type": "image"}
    assert user["content"][1]["type"] == "text" and user["content"][1]["text"] == obs["text"]
    assert len(info["images"]) == 1 and np.array_equal(info["images"][0], obs["image"])
    json.dumps(info["messages"])  # the messages themselves stay JSON (images live in info["images"])
    # the final observation carries no new image: a black one of the same shape
    final, _, terminated, truncated, info = env.step("no idea")
    assert terminated and not truncated and not final["image"].any()


def test_gym_make_options_image_size_and_normalised_coordinates() -> None:
    env = gym.make("rlvr/VQA-v0", image_size=224, coords="normalized")
    obs, _ = env.reset(seed=1, options={"level": 3})
    assert obs["image"].shape == (224, 224, 3)
    policy = oracle(env)
    for seed in range(5):
        assert run_episode(env, policy, seed=seed).reward == pytest.approx(1.0)


def test_crop_tool_returns_a_zoomed_image_and_keeps_the_budget() -> None:
    env = gym.make("rlvr/VQACrop-v0", max_crops=2, max_turns=8)
    obs, info = env.reset(seed=2)
    assert [t["function"]["name"] for t in info["tools"]] == ["crop"]
    full = obs["image"]
    obs, reward, terminated, truncated, info = env.step(_crop(0, 0, 168, 168))
    assert not (terminated or truncated) and reward == 0.0
    assert obs["image"].shape == full.shape and len(info["images"]) == 2
    assert info["messages"][-1]["content"][-1] == {"type": "image"}
    # the zoomed top-left quarter looks like the original's top-left quarter enlarged
    small = obs["image"][::2, ::2].astype(int)
    assert np.abs(small - full[:168, :168].astype(int)).mean() < 12
    assert info["feedback"] == {"crop": [0, 0, 168, 168]}
    for bad in (_crop(5, 5, 5, 50), '<tool_call>{"name": "zoom", "arguments": {}}</tool_call>', "<tool_call>{oops"):
        obs, _, terminated, _, info = env.step(bad)
        assert not terminated and obs["text"].startswith("Tool error") and len(info["images"]) == 2
    obs, *_ = env.step(_crop(-50, -50, 1e9, 1e9))  # clipped to the image
    assert "Crop [0, 0, 336, 336]" in obs["text"]
    obs, _, terminated, truncated, _ = env.step(_crop(0, 0, 10, 10))
    assert "No crops left" in obs["text"] and not terminated
    _, reward, terminated, _, info = env.step(rlvr_envs.unwrap(env).oracle_action())
    assert terminated and reward == pytest.approx(1.0)


def test_oracle_uses_the_crop_tool_then_answers() -> None:
    env = gym.make("rlvr/VQACrop-v0")
    record = run_episode(env, oracle(env), seed=3, options={"level": 5})
    assert record.reward == pytest.approx(1.0)
    assert record.turns == 2 and "crop" in record.messages[-3]["content"]


def test_offline_verify_and_pickle() -> None:
    env = gym.make("rlvr/VQA-v0")
    env.reset(seed=8)
    inner = rlvr_envs.unwrap(env)
    task, action = inner.task, inner.oracle_action()
    assert task is not None
    assert rlvr_envs.verify("rlvr/VQA-v0", task, action).reward == pytest.approx(1.0)
    # a whole transcript (multimodal user message included) scores its last assistant message
    messages = [*env.unwrapped.state.messages, {"role": "assistant", "content": action}]  # type: ignore[attr-defined]
    assert rlvr_envs.verify("rlvr/VQA-v0", task, messages).reward == pytest.approx(1.0)
    clone = pickle.loads(pickle.dumps(env))
    assert clone.step(action)[1] == pytest.approx(1.0)


@pytest.mark.parametrize("level", [0, 3, 6])
def test_center_box_heuristic_scores_low(level: int) -> None:
    env = gym.make("rlvr/VQA-v0")
    policy = center_box_policy(env)
    records = [run_episode(env, policy, seed=seed, options={"level": level}) for seed in range(40)]
    mean = statistics.fmean(r.reward for r in records)
    boxes = statistics.fmean(r.verdict.components["boxes"] for r in records if r.verdict)
    assert mean < 0.5 and boxes < 0.15, (mean, boxes)


def test_cli_show_and_play_with_images(tmp_path: pytest.TempPathFactory) -> None:
    console = Console(file=io.StringIO(), width=200)
    args = cli.build_parser().parse_args(["show", "rlvr/VQA-v0", "--seed", "2"])
    assert cli.show.run(args, console) == 0
    assert "user: [image] " in console.file.getvalue()  # type: ignore[attr-defined]
    folder = tmp_path / "images"  # type: ignore[operator]
    transcript = tmp_path / "transcript.md"  # type: ignore[operator]
    args = cli.build_parser().parse_args(
        ["play", "rlvr/VQACrop-v0", "--seed", "2", "--images", str(folder), "--transcript", str(transcript)]
    )
    script = io.StringIO(_crop(0, 0, 100, 100) + "\n.\n<caption></caption><bbox>[]</bbox><answer>0</answer>\n.\n")
    assert cli.play.run(args, console, stream=script) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["image_0.png", "image_1.png"]
    written = transcript.read_text(encoding="utf-8")  # image parts as [image], never as pixel arrays
    assert written.count("[image]") == 2 and "array(" not in written and "'type'" not in written


def test_public_names_and_lazy_pillow() -> None:
    import subprocess
    import sys

    import rlvr_envs.tasks.vqa as vqa

    assert all(hasattr(vqa, name) for name in vqa.__all__)
    code = "import sys, rlvr_envs; print('PIL' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False", "import rlvr_envs must not import Pillow"
