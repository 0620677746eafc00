"""verl adapter against verl itself: our Parquet export through verl's RLHFDataset, compute_score
loaded the way verl loads a custom reward function, and the rlvr_agent loop built on verl's
AgentLoopBase (its Continuous Token builder) with a scripted LLM server in place of vLLM/SGLang."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

import rlvr_envs
from rlvr_envs.integrations import verl as rlvr_verl
from rlvr_envs.integrations.export import ExportConfig, export, iter_rows


def _parquet(tmp_path: Path, env_id: str = "rlvr/Math-v0", n: int = 4) -> Path:
    return export(ExportConfig(env_id=env_id, n=n, levels=(0, 2), seed=5), tmp_path / "train.parquet")


def test_compute_score_contract_without_verl() -> None:
    row = next(iter_rows(ExportConfig(env_id="rlvr/Math-v0", n=1, levels=(0,), seed=5)))
    assert set(row) >= {"data_source", "prompt", "ability", "reward_model", "extra_info"}
    assert row["reward_model"]["style"] == "rule" and row["data_source"] == "rlvr/Math-v0"
    gold = json.loads(row["reward_model"]["ground_truth"])["data"]["answer"]
    good = rlvr_verl.compute_score(row["data_source"], f"\\boxed{{{gold}}}", row["reward_model"]["ground_truth"])
    bad = rlvr_verl.compute_score(row["data_source"], "no answer \x00", row["reward_model"]["ground_truth"])
    assert good == {"score": 1.0, "acc": 1.0, "timed_out": 0.0}
    assert bad["score"] == 0.0 and set(bad) == set(good)  # type: ignore[index]
    full = rlvr_verl.compute_score_with_components(
        row["data_source"], f"\\boxed{{{gold}}}", row["reward_model"]["ground_truth"]
    )
    assert full["rlvr_correct"] == 1.0  # type: ignore[index]
    # dispatch: the env id may also come from extra_info
    via_extra = rlvr_verl.compute_score(
        "my_mix", f"\\boxed{{{gold}}}", row["reward_model"]["ground_truth"], row["extra_info"]
    )
    assert via_extra["score"] == 1.0  # type: ignore[index]


def test_verl_loads_our_reward_function_and_dataset(tmp_path: Path) -> None:
    pytest.importorskip("verl")
    from omegaconf import OmegaConf
    from verl.trainer.ppo.reward import get_custom_reward_fn
    from verl.utils.dataset.rl_dataset import RLHFDataset

    from .tiny_model import shared_tiny

    _model, tokenizer = shared_tiny()
    path = _parquet(tmp_path)
    data_config = OmegaConf.create({"prompt_key": "prompt", "max_prompt_length": 512, "cache_dir": str(tmp_path)})
    dataset = RLHFDataset(str(path), tokenizer, data_config)
    assert len(dataset) == 4
    item = dataset[1]
    assert item["data_source"] == "rlvr/Math-v0"
    assert item["raw_prompt"][0]["role"] == "system" and item["raw_prompt"][-1]["role"] == "user"
    assert item["tools_kwargs"]["env_id"] == "rlvr/Math-v0"  # verl hands extra_info.tools_kwargs to agent loops
    config = OmegaConf.create(
        {
            "reward": {
                "custom_reward_function": {"path": rlvr_verl.__file__, "name": "compute_score", "reward_kwargs": {}}
            }
        }
    )
    reward_fn = get_custom_reward_fn(config)
    assert reward_fn is not None
    gold = json.loads(item["reward_model"]["ground_truth"])["data"]["answer"]
    result = reward_fn(
        data_source=item["data_source"],
        solution_str=f"The answer is \\boxed{{{gold}}}",
        ground_truth=item["reward_model"]["ground_truth"],
        extra_info=item["extra_info"],
    )
    assert result["score"] == 1.0
    # a data source that is not ours falls through to verl's own scorers
    assert reward_fn(data_source="openai/gsm8k", solution_str="#### 72", ground_truth="72", extra_info={}) == 1.0
    with pytest.raises(NotImplementedError):
        reward_fn(data_source="no/such-source", solution_str="x", ground_truth="y", extra_info={})


def test_verl_reward_manager_scores_decoded_responses(tmp_path: Path) -> None:
    """verl's NaiveRewardManager decodes response tokens and calls our compute_score per row."""
    pytest.importorskip("verl")
    import numpy as np
    import torch
    from verl import DataProto
    from verl.workers.reward_manager.naive import NaiveRewardManager

    from .tiny_model import shared_tiny

    _model, tokenizer = shared_tiny()
    pq = pytest.importorskip("pyarrow.parquet")
    rows = pq.read_table(_parquet(tmp_path)).to_pylist()[:2]
    gold = json.loads(rows[0]["reward_model"]["ground_truth"])["data"]["answer"]
    texts = [f"so \\boxed{{{gold}}}", "\\boxed{-987654}"]
    prompt_len, response_len = 4, 32
    prompts = torch.full((2, prompt_len), tokenizer.pad_token_id)
    responses = torch.full((2, response_len), tokenizer.pad_token_id)
    mask = torch.zeros((2, prompt_len + response_len), dtype=torch.long)
    mask[:, :prompt_len] = 1
    for i, text in enumerate(texts):
        ids = tokenizer.encode(text, add_special_tokens=False)
        responses[i, : len(ids)] = torch.tensor(ids)
        mask[i, prompt_len : prompt_len + len(ids)] = 1
    data = DataProto.from_dict(
        tensors={"prompts": prompts, "responses": responses, "attention_mask": mask},
        non_tensors={
            key: np.array([r[key] for r in rows], dtype=object) for key in ("data_source", "reward_model", "extra_info")
        },
    )
    manager = NaiveRewardManager(tokenizer, num_examine=0, compute_score=rlvr_verl.compute_score)
    result = manager(data, return_dict=True)
    assert result["reward_tensor"].sum(dim=1).tolist() == [1.0, 0.0]
    assert list(result["reward_extra_info"]["acc"]) == [1.0, 0.0]


class ScriptedServer:
    """Stands in for verl's LLM server manager: returns the token ids of scripted replies."""

    def __init__(self, tokenizer: Any, replies: list[str]) -> None:
        self.tokenizer, self.replies, self.prompts = tokenizer, list(replies), []  # type: ignore[var-annotated]

    async def generate(
        self, *, request_id: str, prompt_ids: list[int], sampling_params: dict[str, Any], **kw: Any
    ) -> Any:
        from verl.workers.rollout.replica import TokenOutput

        self.prompts.append(list(prompt_ids))
        text = self.replies.pop(0)
        ids = [*self.tokenizer.encode(text, add_special_tokens=False), self.tokenizer.eos_token_id]
        return TokenOutput(token_ids=ids, log_probs=[-0.5] * len(ids))


def test_agent_loop_plays_a_multi_turn_episode(tmp_path: Path) -> None:
    pytest.importorskip("verl")
    from omegaconf import OmegaConf
    from verl.experimental.agent_loop.agent_loop import DictConfigWrap, _agent_loop_registry
    from verl.utils.dataset.rl_dataset import RLHFDataset

    from rlvr_envs.integrations.verl_agent_loop import RLVRAgentLoop

    from .tiny_model import shared_tiny

    assert _agent_loop_registry["rlvr_agent"]["_target_"].endswith("RLVRAgentLoop")
    _model, tokenizer = shared_tiny()
    path = _parquet(tmp_path, env_id="rlvr/MathRetry-v0", n=1)
    data_config = OmegaConf.create({"prompt_key": "prompt", "max_prompt_length": 512, "cache_dir": str(tmp_path)})
    item = RLHFDataset(str(path), tokenizer, data_config)[0]
    gold = json.loads(item["reward_model"]["ground_truth"])["data"]["answer"]
    server = ScriptedServer(tokenizer, ["\\boxed{-987654}", f"\\boxed{{{gold}}}"])
    config = OmegaConf.create({"actor_rollout_ref": {"rollout": {"prompt_length": 512, "response_length": 512}}})

    async def rollout() -> Any:  # verl's loop binds to the running event loop when it is built
        loop = RLVRAgentLoop(
            trainer_config=DictConfigWrap(config),
            server_manager=server,
            tokenizer=tokenizer,
            processor=None,
            dataset_cls=RLHFDataset,
            data_config=DictConfigWrap(data_config),
        )
        return await loop.run({"temperature": 1.0}, **item)

    output = asyncio.run(rollout())
    assert 0.0 < output.reward_score < 1.0  # right on the second attempt: MathRetry's decayed reward
    assert output.extra_fields["rlvr_correct"] is True and output.num_turns == 4
    assert len(server.prompts) == 2 and server.prompts[1][: len(server.prompts[0])] == server.prompts[0]
    mask = output.response_mask
    assert len(mask) == len(output.response_ids) and 0 in mask and mask[0] == 1 and mask[-1] == 1
    model_tokens = [t for t, m in zip(output.response_ids, mask, strict=True) if m == 1]
    decoded = tokenizer.decode(model_tokens, skip_special_tokens=True)
    assert "-987654" in decoded and gold.replace("\\", "") in decoded.replace("\\", "")
    feedback = tokenizer.decode([t for t, m in zip(output.response_ids, mask, strict=True) if m == 0])
    env = rlvr_envs.make("rlvr/MathRetry-v0")
    env.reset(options={"task": json.loads(item["reward_model"]["ground_truth"])})
    _obs, _r, _t, _tr, info = env.step("\\boxed{-987654}")
    assert info["messages"][-1]["content"][:40] in feedback  # the env's feedback, masked out of the loss
