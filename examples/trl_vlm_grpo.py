"""TRL's GRPOTrainer on a vision-language model with rows exported from rlvr/VQA-v0 (docs/integrations.md).

Exports 4 VQA tasks to Parquet (TRL layout: an ``images`` column beside parts-list prompts), reads
them with Hugging Face ``datasets`` (``images`` cast to ``datasets.Image``), and runs two GRPO steps
of TRL's own trainer on the tiny random-init Llava built locally (`baselines.grpo.tiny_vlm`; use
``AutoProcessor``/``AutoModelForImageTextToText.from_pretrained`` for a real one), scored by our
reward function. A forward hook on the vision tower records what TRL fed it. Needs
``pip install -e ".[trl]"``; nothing is downloaded. Run: ``python examples/trl_vlm_grpo.py``.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

import datasets
import torch
from PIL import Image
from transformers import PrinterCallback
from transformers.utils import logging as transformers_logging
from trl import GRPOConfig, GRPOTrainer

import rlvr_envs
from baselines.grpo.tiny_vlm import build_tiny_vlm
from rlvr_envs.integrations.export import ExportConfig, export, row_seed
from rlvr_envs.integrations.trl import reward_funcs

warnings.filterwarnings("ignore")  # transformers' deprecation notices, not part of the example
transformers_logging.set_verbosity_error()
datasets.disable_progress_bars()


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="rlvr-trl-vlm-"))
    config = ExportConfig(env_id="rlvr/VQA-v0", n=4, levels=(0,), seed=3)
    dataset = datasets.Dataset.from_parquet(str(export(config, out / "vqa.parquet")))
    dataset = dataset.cast_column("images", datasets.List(datasets.Image()))  # PNG bytes -> PIL images
    dataset = dataset.select_columns(["prompt", "images", "reward_model", "env_id"])
    model, processor = build_tiny_vlm()

    seen: list[tuple[bool, torch.Tensor]] = []  # (grad enabled, pixel_values) per vision-tower call
    model.model.vision_tower.register_forward_hook(
        lambda m, args, kwargs, o: seen.append((torch.is_grad_enabled(), kwargs.get("pixel_values", *args[:1]))),
        with_kwargs=True,
    )
    (rlvr_reward,) = reward_funcs("rlvr/VQA-v0")
    scored: list[tuple[str, list[float | None]]] = []

    def vqa_reward(**kwargs: Any) -> list[float | None]:
        values = rlvr_reward(**kwargs)
        scored.append((json.loads(kwargs["reward_model"][0]["ground_truth"])["task_id"], values))
        return values

    args = GRPOConfig(
        output_dir=str(out / "run"), max_steps=2, per_device_train_batch_size=4, num_generations=4,
        max_completion_length=8, logging_steps=1, report_to=[], use_cpu=True, save_strategy="no", seed=0,
        disable_tqdm=True,
    )  # fmt: skip
    trainer = GRPOTrainer(
        model=model, reward_funcs=[vqa_reward], args=args, train_dataset=dataset, processing_class=processor
    )
    trainer.remove_callback(PrinterCallback)
    trainer.train()

    env = rlvr_envs.make("rlvr/VQA-v0")
    pixels = {}  # each task's observation image after the processor
    for index in range(config.n):
        obs, info = env.reset(seed=row_seed(config.seed, index), options={"level": 0})
        image = processor.image_processor(images=[Image.fromarray(obs["image"])], return_tensors="pt")
        pixels[info["task_id"]] = image["pixel_values"][0]
    generation = [p for grad, p in seen if not grad]
    training = [p for grad, p in seen if grad]
    for step, (task_id, values) in enumerate(scored):
        print(f"step {step + 1}: reward function got task {task_id}, rewards {values}")
        for name, calls in (("generation", generation), ("training forward", training)):
            batch = calls[step]
            same = all(torch.equal(row, pixels[task_id]) for row in batch)
            print(f"  {name}: pixel_values {tuple(batch.shape)}, each the task's image after the processor: {same}")


if __name__ == "__main__":
    main()
