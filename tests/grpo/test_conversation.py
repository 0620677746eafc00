"""Multi-turn token streams: the chat template renders info["messages"]; only generated tokens carry loss."""

from __future__ import annotations

from typing import Any

import pytest

import rlvr_envs
from baselines.grpo.backends.base import SamplingSettings
from baselines.grpo.batching import pad
from baselines.grpo.conversation import ChatFormatter, TemplateError, TokenStream
from baselines.grpo.rollout import GroupRequest, RolloutCollector
from baselines.grpo.worked import solve_arithmetic
from tests.grpo.conftest import ScriptedBackend

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
# drops every assistant message but the last one: renders history differently as the chat grows
FORGETFUL = (
    "{%- for m in messages -%}{%- if m['role'] != 'assistant' or loop.last -%}"
    "<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{%- endif -%}{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|assistant|>{%- endif -%}"
)


def _play(tokenizer: Any, answers: list[str], stop: bool = True) -> tuple[TokenStream, list[list[int]], Any]:
    """Run MathRetry-v0 with scripted answers, building the stream like the collector does."""
    env = rlvr_envs.make("rlvr/MathRetry-v0", generators=["arithmetic"])
    _, info = env.reset(seed=3, options={"level": 0})
    formatter = ChatFormatter(tokenizer)
    stream = TokenStream.start(formatter, info["messages"], info["tools"])
    generated: list[list[int]] = []
    eos = int(tokenizer.eos_token_id)
    for answer in answers:
        ids = tokenizer.encode(answer, add_special_tokens=False) + ([eos] if stop else [])
        generated.append(ids)
        stream.add_generated(ids)
        _, _, terminated, truncated, info = env.step(tokenizer.decode(ids, skip_special_tokens=True))
        if terminated or truncated:
            break
        stream.add_env_turn(info["messages"], info["tools"], tokenizer.decode(ids[-1:]) if stop else "")
    return stream, generated, info


def test_stream_equals_the_template_rendering_and_masks_only_generated_tokens(tokenizer: Any) -> None:
    stream, generated, info = _play(tokenizer, ["\\boxed{-999}", "no idea", "\\boxed{7}"])
    assert len(generated) == 3
    # the stream is exactly the chat template applied to the whole transcript
    rendered = tokenizer.apply_chat_template(info["messages"], tokenize=False)
    assert tokenizer.decode(stream.tokens, skip_special_tokens=False) == rendered
    # the loss mask selects exactly the three generated turns, in order
    masked = [t for t, m in zip(stream.tokens, stream.mask, strict=True) if m]
    assert masked == [t for ids in generated for t in ids]
    # what the env wrote (feedback) is in the stream but carries no loss
    unmasked = tokenizer.decode([t for t, m in zip(stream.tokens, stream.mask, strict=True) if not m])
    assert "Try again" in unmasked and "\\boxed{-999}" not in unmasked
    assert stream.prompt_len == stream.mask.index(1)


def test_a_turn_cut_by_the_token_budget_gets_the_end_marker_without_loss(tokenizer: Any) -> None:
    stream, _generated, info = _play(tokenizer, ["\\boxed{-999}", "no"], stop=False)  # one attempt left
    rendered = tokenizer.apply_chat_template(info["messages"], tokenize=False, add_generation_prompt=True)
    assert tokenizer.decode(stream.tokens, skip_special_tokens=False) == rendered
    end = int(tokenizer.eos_token_id)
    assert end not in [t for t, m in zip(stream.tokens, stream.mask, strict=True) if m]
    assert end in [t for t, m in zip(stream.tokens, stream.mask, strict=True) if not m]


def test_chatml_template(tokenizer: Any) -> None:
    tokenizer = _with_template(tokenizer, CHATML)
    stream, generated, info = _play(tokenizer, ["\\boxed{-999}", "\\boxed{-998}"], stop=False)
    rendered = tokenizer.apply_chat_template(info["messages"], tokenize=False, add_generation_prompt=True)
    assert tokenizer.decode(stream.tokens, skip_special_tokens=False) == rendered
    assert [t for t, m in zip(stream.tokens, stream.mask, strict=True) if m] == [t for g in generated for t in g]


def test_a_template_that_rewrites_history_is_refused(tokenizer: Any) -> None:
    with pytest.raises(TemplateError, match="prefix-consistent"):
        _play(_with_template(tokenizer, FORGETFUL), ["\\boxed{-999}", "\\boxed{5}"])


def test_a_tokenizer_without_template_is_refused(tokenizer: Any) -> None:
    with pytest.raises(TemplateError, match="no chat_template"):
        ChatFormatter(_with_template(tokenizer, None))


def test_collector_batches_multi_turn_groups_and_masks_each_rollout(tokenizer: Any) -> None:
    answers = {0: "\\boxed{-999}", 1: "I do not know"}  # rollouts 0 and 1 of each group answer wrong...

    def policy(prompt: str, index: int) -> str:
        if index in answers and prompt.count("<|assistant|>") < 3:
            return answers[index]
        solved = solve_arithmetic(prompt)  # ...the third, and everyone on the last turn, answers right
        return f"\\boxed{{{solved[0] if solved else 0}}}"

    backend = ScriptedBackend(tokenizer, policy)
    collector = RolloutCollector(
        "rlvr/MathRetry-v0", {"generators": ["arithmetic"]}, tokenizer, backend, max_new_tokens=32
    )
    groups = collector.collect([GroupRequest(seed=1, level=0), GroupRequest(seed=2, level=1)], 3)
    assert [len(g.rollouts) for g in groups] == [3, 3]
    for group in groups:
        assert len({r.task_id for r in group.rollouts}) == 1  # same seed and level: same task
        assert [r.turns for r in group.rollouts] == [3, 3, 1]
        assert [r.reward for r in group.rollouts] == [0.25, 0.25, 1.0]
        assert [r.correct for r in group.rollouts] == [True, True, True]
        for rollout in group.rollouts:
            assert len(rollout.tokens) == len(rollout.mask)
            rendered = tokenizer.apply_chat_template(rollout.messages, tokenize=False)
            assert tokenizer.decode(rollout.tokens, skip_special_tokens=False) == rendered
            # every loss-bearing token sits inside an assistant turn
            assistant_text = tokenizer.decode([t for t, m in zip(rollout.tokens, rollout.mask, strict=True) if m])
            assert "Try again" not in assistant_text and "Compute" not in assistant_text
    # one generate call per turn, batching every active episode of both groups
    assert [len(c) for c in backend.calls] == [6, 4, 4]  # the third rollouts finish after turn 1


def test_padding_aligns_the_loss_mask_with_targets() -> None:
    padded = pad([[5, 6, 7], [8, 9]], [[0, 1, 1], [0, 1]], pad_id=0)
    assert padded.input_ids.tolist() == [[5, 6, 7], [8, 9, 0]]
    assert padded.attention_mask.tolist() == [[1, 1, 1], [1, 1, 0]]
    assert padded.targets.tolist() == [[6, 7], [9, 0]]
    assert padded.loss_mask.tolist() == [[1.0, 1.0], [1.0, 0.0]]


def test_context_budget_ends_the_episode(tokenizer: Any) -> None:
    backend = ScriptedBackend(tokenizer, lambda prompt, index: "1" * 200, stop=False)
    env = rlvr_envs.make("rlvr/MathRetry-v0")
    _, info = env.reset(seed=1, options={"level": 0})
    prompt_len = len(TokenStream.start(ChatFormatter(tokenizer), info["messages"], info["tools"]).tokens)
    collector = RolloutCollector(
        "rlvr/MathRetry-v0", {}, tokenizer, backend, max_new_tokens=8, max_context_tokens=prompt_len + 12
    )
    rollout = collector.collect([GroupRequest(seed=1, level=0)], 2)[0].rollouts[0]
    # turn 1 fits (8 tokens); the feedback would leave no room for turn 2, so the episode stops there
    assert rollout.overflow and rollout.truncated and rollout.turns == 1
    assert len(rollout.tokens) == prompt_len + 8 and sum(rollout.mask) == 8
    assert SamplingSettings(8).greedy is False


def _with_template(tokenizer: Any, template: str | None) -> Any:
    import copy

    clone = copy.deepcopy(tokenizer)
    clone.chat_template = template
    return clone
