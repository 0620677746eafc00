"""The GRPO collector with a vision-language model: VQA's images reach the model's forward pass.

A tiny random-init Llava (tests/integrations/tiny_vlm.py, built locally) generates through
`HFBackend(processor=...)`; a forward hook on its vision tower sees ``pixel_values`` equal to the
processor's own encoding of the env's image, and the token stream holds the expanded image tokens.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytest.importorskip("transformers")

import torch
from PIL import Image

import rlvr_envs
from baselines.grpo.backends.hf import HFBackend
from baselines.grpo.rollout import GroupRequest, RolloutCollector, image_formatter
from tests.integrations.tiny_vlm import build_tiny_vlm


def test_image_token_formatter_expands_each_image_token() -> None:
    _model, processor = build_tiny_vlm()
    formatter = image_formatter(processor)
    reference = processor(text="a<image>b", images=[Image.new("RGB", (40, 40))], return_tensors="pt")
    assert formatter.encode("a<image>b") == reference["input_ids"][0].tolist()
    assert formatter.image_tokens == 17  # (56 / 14)^2 patches + CLS


def test_collector_sends_the_env_images_to_the_model_forward() -> None:
    model, processor = build_tiny_vlm()
    seen: list[torch.Tensor] = []
    tower = model.model.vision_tower if hasattr(model, "model") else model.vision_tower
    tower.register_forward_hook(
        lambda module, args, kwargs, out: seen.append(kwargs.get("pixel_values", args[0] if args else None)),
        with_kwargs=True,
    )
    backend = HFBackend(model, processor.tokenizer, processor=processor)
    collector = RolloutCollector(
        "rlvr/VQA-v0", {}, processor.tokenizer, backend, max_new_tokens=6, max_context_tokens=4096,
        processor=processor,
    )  # fmt: skip
    groups = collector.collect([GroupRequest(seed=3, level=0)], group_size=2)
    env = rlvr_envs.make("rlvr/VQA-v0")
    obs, _info = env.reset(seed=3, options={"level": 0})
    expected = processor.image_processor(images=[Image.fromarray(obs["image"])], return_tensors="pt")["pixel_values"]
    assert seen, "the vision tower never ran"
    first = seen[0]
    assert first.shape[0] == 2 and all(torch.equal(first[i], expected[0]) for i in range(2))  # both rollouts
    image_id = processor.tokenizer.convert_tokens_to_ids("<image>")
    for rollout in groups[0].rollouts:
        assert rollout.tokens.count(image_id) == 17 and rollout.generated_tokens > 0
        assert len(rollout.images) == 1 and np.array_equal(rollout.images[0], obs["image"])


def test_backend_without_processor_refuses_images() -> None:
    model, processor = build_tiny_vlm()
    backend: Any = HFBackend(model, processor.tokenizer)
    from baselines.grpo.backends.base import SamplingSettings

    with pytest.raises(ValueError, match="processor"):
        backend.generate_with_images([[1, 2]], [[np.zeros((8, 8, 3), np.uint8)]], SamplingSettings(2))
