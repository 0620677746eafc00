"""The GRPO baseline with images: two steps on rlvr/VQA-v0 with the tiny local Llava (docs/grpo.md).

Loads ``baselines/grpo/configs/vqa_tiny_vlm.toml`` (``[model.tiny_vlm]``: a random-init Llava and
its processor built locally, nothing downloaded), hooks the vision towers of the policy and of the
KL reference, and prints, per step, how many images each forward pass got and whether each is the
task's observation after the processor: generation, the old-policy pass (``algo.iterations = 2``),
the reference pass (``algo.beta > 0``) and the policy pass with gradients.
Run: ``python examples/grpo_vqa_images.py``.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch
from PIL import Image
from transformers.utils import logging as transformers_logging

import rlvr_envs
from baselines.grpo.config import load_config
from baselines.grpo.model import load_policy
from baselines.grpo.trainer import GRPOTrainer

warnings.filterwarnings("ignore")
transformers_logging.set_verbosity_error()
CONFIG = Path(__file__).resolve().parents[1] / "baselines" / "grpo" / "configs" / "vqa_tiny_vlm.toml"


def main() -> None:
    out = tempfile.mkdtemp(prefix="rlvr-grpo-vlm-")
    config = load_config(CONFIG, [f"run.out_dir={out!r}", "run.max_steps=2", "logging.progress=false"])
    device = torch.device("cpu")
    policy = load_policy(config.model, device, build_tiny=lambda: ValueError("no text model here"), seed=0)
    trainer = GRPOTrainer(config, policy.model, policy.tokenizer, device=device, processor=policy.processor)
    calls: list[tuple[str, torch.Tensor]] = []
    phase = ["rollouts"]
    optimise = trainer.optimise

    def update(groups: Any) -> dict[str, Any]:  # label the vision-tower calls of the update
        phase[0] = "update"
        try:
            return optimise(groups)
        finally:
            phase[0] = "rollouts"

    trainer.optimise = update  # type: ignore[method-assign]

    def hook(name: str) -> Any:
        def record(module: Any, args: Any, kwargs: Any, output: Any) -> None:
            grad = "with grad" if torch.is_grad_enabled() else "no grad"
            calls.append((f"{phase[0]}, {name}, {grad}", kwargs.get("pixel_values", *args[:1])))

        return record

    policy.model.model.vision_tower.register_forward_hook(hook("policy"), with_kwargs=True)
    trainer.reference.model.vision_tower.register_forward_hook(hook("reference"), with_kwargs=True)
    env = rlvr_envs.make(config.env.id)
    try:
        for _ in range(config.run.max_steps):
            calls.clear()
            record = trainer.train_step()
            assert trainer.last_batch is not None
            wanted = []  # every kept rollout's observation after the processor
            for group in trainer.last_batch.kept:
                obs, _ = env.reset(seed=group.request.seed, options=group.request.options())
                image = Image.fromarray(obs["image"])
                pixels = policy.processor.image_processor(images=[image], return_tensors="pt")["pixel_values"][0]
                wanted += [pixels] * len(group.rollouts)
            print(f"step {record['step']}: {len(wanted)} rollouts, rewards {sorted(set(record_rewards(trainer)))}")
            for name in dict.fromkeys(n for n, _ in calls):
                rows = [row for n, p in calls if n == name for row in p]
                found = all(any(torch.equal(row, w) for w in wanted) for row in rows)
                print(f"  {name}: {len(rows)} images over {sum(n == name for n, _ in calls)} forward calls, "
                      f"each a rollout's image after the processor: {found}")  # fmt: skip
            print(f"  loss {record['loss']:.3f}, grad_norm {record['grad_norm']:.3f}")
    finally:
        env.close()
        trainer.close()


def record_rewards(trainer: GRPOTrainer) -> list[float]:
    assert trainer.last_batch is not None
    return [round(r.reward, 3) for g in trainer.last_batch.generated for r in g.rollouts]


if __name__ == "__main__":
    main()
