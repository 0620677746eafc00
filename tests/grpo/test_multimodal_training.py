"""GRPO on ``rlvr/VQA-v0`` with a vision-language model: the images reach the model's forward pass in
generation AND in every log-prob pass of the update (policy, old policy, reference), and the policy
gradient reaches the vision tower.

The model is the tiny random-init Llava of ``[model.tiny_vlm]`` (`baselines.grpo.tiny_vlm`, built
locally). A random model never writes VQA's three-tag format, so every env reward is the same
(-0.1) and GRPO would have no advantage to follow; the step test therefore replaces each rollout's
reward with a function of its generated tokens (their mean id) after collection, which is enough
to test the plumbing (what the vision tower sees and whether its weights get a gradient).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("transformers")

import numpy as np
import torch
from PIL import Image

import rlvr_envs
from baselines.grpo.batching import pad, score
from baselines.grpo.config import ConfigError, TrainConfig, load_config
from baselines.grpo.model import load_model_dir, load_policy
from baselines.grpo.rollout import Group
from baselines.grpo.trainer import GRPOTrainer
from baselines.grpo.vision import image_inputs

CPU = torch.device("cpu")


def _config(tmp_path: Path) -> TrainConfig:
    return load_config(
        None,
        [
            f"run.out_dir={str(tmp_path)!r}", "run.device='cpu'", "run.max_steps=2",
            "env.id='rlvr/VQA-v0'", "model.tiny_vlm={}",
            "rollout.groups_per_step=2", "rollout.group_size=2", "rollout.max_new_tokens=6",
            "rollout.max_context_tokens=4096", "rollout.dynamic_sampling=false",
            "algo.iterations=2", "algo.beta=0.05", "optim.lr=1e-2", "optim.micro_batch_size=2",
            "logging.progress=false", "logging.plot=false", "logging.log_every=0",
        ],
    )  # fmt: skip


def _tower(model: Any) -> Any:
    return model.model.vision_tower


def _feeds_features(name: str) -> bool:
    """Vision-tower parameters on the path to the image features (``vision_feature_layer=-1`` takes
    the last layer's hidden states, so the post-layernorm of the pooled output is not on it)."""
    return "post_layernorm" not in name


def _matches(seen: list[torch.Tensor], expected: list[torch.Tensor]) -> bool:
    """``seen`` holds exactly the ``expected`` images, in any order (micro-batches run in length order)."""
    left = list(expected)
    for row in seen:
        index = next((i for i, e in enumerate(left) if torch.equal(row, e)), None)
        if index is None:
            return False
        left.pop(index)
    return not left


def _env_pixels(processor: Any, seed: int, level: int) -> torch.Tensor:
    """The processor's encoding of the env's observation image for this task."""
    env = rlvr_envs.make("rlvr/VQA-v0")
    obs, _ = env.reset(seed=seed, options={"level": level})
    env.close()
    return processor.image_processor(images=[Image.fromarray(obs["image"])], return_tensors="pt")["pixel_values"][0]


def test_config_builds_the_tiny_vlm_and_refuses_vllm(tmp_path: Path) -> None:
    config = _config(tmp_path)
    policy = load_policy(config.model, CPU, build_tiny=lambda: pytest.fail("built the text model"))
    assert type(policy.model).__name__ == "LlavaForConditionalGeneration" and policy.processor is not None
    assert policy.tokenizer is policy.processor.tokenizer
    with pytest.raises(ConfigError, match=r"tiny_vlm needs rollout\.backend = 'hf'"):
        load_config(None, ["model.tiny_vlm={}", "rollout.backend='vllm'"])
    with pytest.raises(ConfigError, match="multiple of patch_size"):
        load_config(None, ["model.tiny_vlm={image_size=50}"])


def test_score_log_probs_depend_on_the_image() -> None:
    """The training pass's log-probs change with the pixels (they are not computed blind)."""
    config = _config(Path("unused"))
    policy = load_policy(config.model, CPU, build_tiny=lambda: pytest.fail("built the text model"))
    image_id = policy.tokenizer.convert_tokens_to_ids("<image>")
    ids = policy.tokenizer.encode("<|user|>") + [image_id] * 17 + policy.tokenizer.encode("what?<|assistant|>ab")
    mask = [0] * (len(ids) - 2) + [1, 1]
    scene = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    with torch.no_grad():
        seen = score(policy.model, pad([ids], [mask], 0, image_inputs(policy.processor, [[scene]])))[0]
        black = score(policy.model, pad([ids], [mask], 0, image_inputs(policy.processor, [[scene * 0]])))[0]
    assert not torch.allclose(seen[0, -2:], black[0, -2:])


def test_grpo_steps_feed_the_images_to_generation_and_training(tmp_path: Path) -> None:
    config = _config(tmp_path)
    policy = load_policy(config.model, CPU, build_tiny=lambda: pytest.fail("built the text model"))
    trainer = GRPOTrainer(config, policy.model, policy.tokenizer, device=CPU, processor=policy.processor)
    assert trainer.reference is not None
    calls: list[tuple[str, bool, torch.Tensor]] = []  # (which model, grad enabled, pixel_values)

    def hook(name: str) -> Any:
        def record(module: Any, args: Any, kwargs: Any, out: Any) -> None:
            pixels = kwargs.get("pixel_values", args[0] if args else None)
            calls.append((name, torch.is_grad_enabled(), pixels.detach().clone()))

        return record

    _tower(trainer.model).register_forward_hook(hook("policy"), with_kwargs=True)
    _tower(trainer.reference).register_forward_hook(hook("reference"), with_kwargs=True)
    collect = trainer.collector.collect

    def shaped(requests: Any, group_size: int, **kwargs: Any) -> list[Group]:
        groups = collect(requests, group_size, **kwargs)
        for group in groups:
            for r in group.rollouts:  # see the module docstring: a reward with variance within the group
                r.reward = float(np.mean([t for t, m in zip(r.tokens, r.mask, strict=True) if m] or [0]))
        return groups

    trainer.collector.collect = shaped  # type: ignore[method-assign]
    before = {n: p.detach().clone() for n, p in _tower(trainer.model).named_parameters() if _feeds_features(n)}
    try:
        for _ in range(config.run.max_steps):
            calls.clear()
            record = trainer.train_step()
            batch = trainer.last_batch
            assert batch is not None and record["optimizer_steps"] == 2
            expected = [_env_pixels(policy.processor, g.request.seed, r.level) for g in batch.kept for r in g.rollouts]
            assert all(len(r.images) == 1 for g in batch.kept for r in g.rollouts)

            def rows(name: str, grad: bool) -> list[torch.Tensor]:
                return [row for n, g, pixels in calls if n == name and g == grad for row in pixels]

            generation = rows("policy", False)
            # generation, then the old-policy pass (iterations=2): both without grad, 4 rollouts each
            assert len(generation) == 2 * len(expected)
            assert all(torch.equal(a, b) for a, b in zip(generation[: len(expected)], expected, strict=True))
            old_pass = generation[len(expected) :]
            reference = rows("reference", False)
            training = rows("policy", True)
            assert len(training) == 2 * len(expected)  # two iterations, every rollout's image each time
            for seen in (old_pass, reference, training[: len(expected)], training[len(expected) :]):
                assert _matches(seen, expected)
            grads = {n: p.grad for n, p in _tower(trainer.model).named_parameters() if _feeds_features(n)}
            assert grads and all(g is not None and float(g.abs().sum()) > 0 for g in grads.values()), grads.keys()
        after = dict(_tower(trainer.model).named_parameters())
        assert all(not torch.equal(before[n], after[n]) for n in before)  # every feature weight of the tower moved
        saved = trainer.save()
    finally:
        trainer.close()
    reloaded = load_model_dir(saved / "model", CPU)  # a checkpoint resumes as a vision-language model
    assert reloaded.processor is not None and type(reloaded.model).__name__ == "LlavaForConditionalGeneration"
    assert torch.equal(next(_tower(reloaded.model).parameters()), next(_tower(trainer.model).parameters()))


def test_image_inputs_carry_every_tensor_the_image_processor_returns() -> None:
    """A Qwen2-VL image processor (built locally) also returns ``image_grid_thw``; a batch's inputs are
    the rows' own inputs concatenated in row order, so micro-batching never mixes images up."""
    from transformers import Qwen2VLImageProcessor

    class Processor:
        image_processor = Qwen2VLImageProcessor(min_pixels=56 * 56, max_pixels=112 * 112)

    rng = np.random.default_rng(1)
    rows = [
        [rng.integers(0, 256, (336, 336, 3), dtype=np.uint8)],
        [],
        [rng.integers(0, 256, (200, 300, 3), np.uint8)] * 2,
    ]
    batch = image_inputs(Processor, rows)
    assert set(batch) == {"pixel_values", "image_grid_thw"}
    assert batch["image_grid_thw"].shape[0] == 3 and int(batch["image_grid_thw"].prod(-1).sum()) == len(
        batch["pixel_values"]
    )
    alone = [image_inputs(Processor, [row]) for row in rows if row]
    for key in batch:
        assert torch.equal(batch[key], torch.cat([one[key] for one in alone]))
    assert image_inputs(Processor, [[], []]) == {}
