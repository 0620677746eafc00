"""verl agent loop for multi-turn envs: the env drives the conversation and scores the episode.

Importing this module registers the ``rlvr_agent`` agent loop with verl (``agent_name`` column, or
``actor_rollout_ref.rollout.agent.default_agent_loop=rlvr_agent``). Each rollout rebuilds the env
from the row written by ``rlvr-envs export`` (``extra_info.tools_kwargs`` holds the env id,
``reward_model.ground_truth`` the Task; verl's trainer hands both to agent loops), then alternates:
the server generates the assistant turn, the env answers with feedback or a tool result (appended
with ``response_mask = 0``, so only the model's own tokens carry loss), until the env ends the
episode or the response budget is spent. The verdict's reward becomes verl's ``reward_score`` (so
verl does not call a reward function for these rows) and the components go to
``extra_fields["rlvr_components"]``.

Requires verl (the ``verl`` extra).
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

from verl.experimental.agent_loop.agent_loop import AgentLoopBase, AgentLoopOutput, register

import rlvr_envs
from rlvr_envs.errors import InvalidOptionError
from rlvr_envs.integrations.scoring import load_task


def episode_source(kwargs: dict[str, Any]) -> tuple[str, Any]:
    """``(env id, task)`` of a verl row (exported layout), from ``extra_info`` or the reward columns."""
    extra = kwargs.get("extra_info") or {}
    tools_kwargs = extra.get("tools_kwargs") or kwargs.get("tools_kwargs") or {}
    env_id = tools_kwargs.get("env_id") or extra.get("env_id") or kwargs.get("data_source")
    task = tools_kwargs.get("task") or (kwargs.get("reward_model") or {}).get("ground_truth")
    if not env_id or task is None:
        raise InvalidOptionError(
            "rlvr_agent needs rows written by `rlvr-envs export` "
            "(env id in extra_info, Task in reward_model.ground_truth)"
        )
    return str(env_id), load_task(task)


@register("rlvr_agent")
class RLVRAgentLoop(AgentLoopBase):
    """A multi-turn rollout of one rlvr_envs episode against verl's LLM server."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.response_length = int(self.rollout_config.response_length)

    async def run(self, sampling_params: dict[str, Any], **kwargs: Any) -> AgentLoopOutput:
        env_id, task = episode_source(kwargs)
        env = rlvr_envs.make(env_id)
        _obs, info = await asyncio.to_thread(env.reset, options={"task": task})
        messages: list[dict[str, Any]] = [dict(m) for m in info["messages"]]
        prompt_ids = await self.ct_build_initial_tokens(messages)
        runtime_ids: list[int] = list(prompt_ids)
        response_mask: list[int] = []
        logprobs: list[float] | None = None
        verdict: dict[str, Any] | None = None
        reward, turns, ended = 0.0, 1, False
        try:
            while not ended and len(response_mask) < self.response_length:
                output = await self.server_manager.generate(
                    request_id=uuid4().hex, prompt_ids=runtime_ids, sampling_params=sampling_params
                )
                merged, response_mask, logprobs = await self.ct_merge_assistant_token(
                    runtime_ids,
                    output.token_ids,
                    response_mask,
                    (logprobs or []) if logprobs or output.log_probs else None,  # verl wants [] once logprobs exist
                    assistant_logprobs=output.log_probs or None,
                )
                runtime_ids = merged.token_ids
                tokenizer: Any = self.tokenizer
                text = str(tokenizer.decode(output.token_ids, skip_special_tokens=True))
                _obs, step_reward, terminated, truncated, info = await asyncio.to_thread(env.step, text)
                reward += float(step_reward)
                turns += 1
                ended = bool(terminated or truncated)
                if ended:
                    verdict = info.get("verdict")
                    break
                previous = [*messages, {"role": "assistant", "content": text}]
                messages = [dict(m) for m in info["messages"]]
                merged, response_mask, logprobs = await self.ct_merge_context_msg(
                    previous, messages, runtime_ids, response_mask, logprobs or None
                )
                runtime_ids = merged.token_ids
                turns += 1
            if not ended:  # the response budget ran out mid-episode: the turn-limit verdict
                inner = rlvr_envs.unwrap(env)
                if inner.state is not None:
                    final = inner.family.on_truncate(inner.state)
                    reward, verdict = float(final.reward), final.model_dump()
        finally:
            env.close()
        response_ids = runtime_ids[len(runtime_ids) - len(response_mask) :] if response_mask else []
        prompt_part = runtime_ids[: len(runtime_ids) - len(response_mask)]
        return AgentLoopOutput(
            prompt_ids=prompt_part,
            response_ids=response_ids[: self.response_length],
            response_mask=response_mask[: self.response_length],
            response_logprobs=logprobs[: self.response_length] if logprobs else None,
            reward_score=reward,
            num_turns=turns,
            metrics={},
            extra_fields={
                "rlvr_components": dict((verdict or {}).get("components", {})),
                "rlvr_correct": bool((verdict or {}).get("correct", False)),
                "turn_scores": [],
                "tool_rewards": [],
            },
        )
