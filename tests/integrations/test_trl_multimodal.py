"""TRL's real ``GRPOTrainer`` with a vision-language model on rows exported from ``rlvr/VQA-v0``.

The rows are our TRL-layout Parquet export (``images`` column beside parts-list prompts), read by
Hugging Face ``datasets`` with the column cast to ``datasets.Image``; the model and processor are
the tiny random-init Llava built locally (`baselines.grpo.tiny_vlm`), handed to TRL as
``processing_class``. A forward hook on the vision tower checks that TRL passed the env's pixels
(after the processor) to generation and to the training forward pass, our reward function checks
it got our rows, and the vision tower's weights must move.

A random model never writes VQA's format, so our reward is flat (-0.1 for every completion) and
GRPO's advantages would all be zero; a second reward with variance (the mean character code of the
completion) gives the loss a gradient, which is what the vision-tower check needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlvr_envs.integrations.export import ExportConfig, export, read_rows, row_seed
from rlvr_envs.integrations.trl import reward_funcs


def _dataset(datasets: Any, path: Path) -> Any:
    """Our Parquet rows as TRL reads them: the ``images`` column cast to ``datasets.Image`` (PNG bytes -> PIL)."""
    dataset = datasets.Dataset.from_parquet(str(path))
    dataset = dataset.cast_column("images", datasets.List(datasets.Image()))
    return dataset.select_columns(["prompt", "images", "reward_model", "env_id"])


def test_trl_prepares_our_rows_into_the_processor_inputs(tmp_path: Path) -> None:
    """The fast sample of the trainer test: TRL's own message preparation and the processor's chat
    template turn one exported row into 17 image tokens and the env's pixels."""
    pytest.importorskip("trl")
    datasets = pytest.importorskip("datasets")
    pytest.importorskip("pyarrow")
    import torch
    from trl.data_utils import prepare_multimodal_messages

    from baselines.grpo.tiny_vlm import build_tiny_vlm

    path = export(ExportConfig(env_id="rlvr/VQA-v0", n=2, levels=(1,), seed=5), tmp_path / "vqa.parquet")
    (_, processor), row = build_tiny_vlm(), _dataset(datasets, path)[1]
    messages = prepare_multimodal_messages(row["prompt"], images=row["images"])
    inputs = processor.apply_chat_template(
        messages, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
    )
    image_id = processor.tokenizer.convert_tokens_to_ids("<image>")
    assert sum(int(t == image_id) for t in inputs["input_ids"][0]) == 17
    assert torch.equal(inputs["pixel_values"][0], _env_pixels(processor, row_seed(5, 1), 1))


def _env_pixels(processor: Any, seed: int, level: int) -> Any:
    from PIL import Image

    import rlvr_envs

    env = rlvr_envs.make("rlvr/VQA-v0")
    obs, _ = env.reset(seed=seed, options={"level": level})
    env.close()
    return processor.image_processor(images=[Image.fromarray(obs["image"])], return_tensors="pt")["pixel_values"][0]


@pytest.mark.slow
def test_grpo_trainer_trains_a_vlm_on_our_vqa_rows(tmp_path: Path) -> None:
    pytest.importorskip("trl")
    datasets = pytest.importorskip("datasets")
    pytest.importorskip("pyarrow")
    import torch
    from trl import GRPOConfig, GRPOTrainer

    from baselines.grpo.tiny_vlm import build_tiny_vlm

    config = ExportConfig(env_id="rlvr/VQA-v0", n=4, levels=(0,), seed=3)
    path = export(config, tmp_path / "vqa.parquet")
    rows = read_rows(path)
    dataset = _dataset(datasets, path)
    model, processor = build_tiny_vlm()
    task_of = {json.loads(r["reward_model"]["ground_truth"])["task_id"]: i for i, r in enumerate(rows)}
    expected = [_env_pixels(processor, row_seed(config.seed, i), 0) for i in range(len(rows))]

    calls: list[tuple[bool, torch.Tensor]] = []
    tower = model.model.vision_tower
    tower.register_forward_hook(
        lambda m, args, kwargs, out: calls.append(
            (torch.is_grad_enabled(), kwargs.get("pixel_values", args[0] if args else None).detach().clone())
        ),
        with_kwargs=True,
    )
    (ours,) = reward_funcs("rlvr/VQA-v0")
    batches: list[dict[str, Any]] = []

    def rlvr_reward(**kwargs: Any) -> list[float | None]:
        batches.append(kwargs)
        return ours(**kwargs)

    def char_code(completions: Any, **kwargs: Any) -> list[float]:
        texts = [c[-1]["content"] if isinstance(c, list) else c for c in completions]
        return [sum(map(ord, t)) / max(len(t), 1) / 256 for t in texts]

    before = {n: p.detach().clone() for n, p in tower.named_parameters() if "post_layernorm" not in n}
    args = GRPOConfig(
        output_dir=str(tmp_path / "out"), max_steps=2, per_device_train_batch_size=4, num_generations=4,
        max_completion_length=8, learning_rate=1e-2, logging_steps=1, report_to=[], use_cpu=True,
        save_strategy="no", seed=0,
    )  # fmt: skip
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[rlvr_reward, char_code],
        args=args,
        train_dataset=dataset,
        processing_class=processor,
    )
    trainer.train()

    assert len(batches) == 2  # one reward call per step, four completions of one prompt each
    generation = [pixels for grad, pixels in calls if not grad]
    training = [pixels for grad, pixels in calls if grad]
    assert len(generation) == 2 and len(training) == 2  # per step: one generate call, one training forward
    for step, kwargs in enumerate(batches):
        # our rows reached our reward function: their ground truths, images and env ids
        (task_id,) = {json.loads(rm["ground_truth"])["task_id"] for rm in kwargs["reward_model"]}
        index = task_of[task_id]
        assert kwargs["reward_model"] == [rows[index]["reward_model"]] * 4
        assert kwargs["env_id"] == ["rlvr/VQA-v0"] * 4 and len(kwargs["images"]) == 4
        # and the row's image reached the vision tower, after the processor, in generation and training
        for seen in (generation[step], training[step]):
            assert seen.shape[0] == 4 and all(torch.equal(row, expected[index]) for row in seen)
    after = dict(tower.named_parameters())
    assert all(not torch.equal(before[n], after[n]) for n in before)  # the gradient reached the vision tower
