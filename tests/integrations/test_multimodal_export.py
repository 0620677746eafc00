"""Multimodal export: JSONL and Parquet rows carry the images in TRL's layout (``images`` beside
parts-list prompts with ``{"type": "image"}``) and verl's (``<image>`` markers, PNG bytes); pyarrow
reads the Parquet back to the same pixels; verl's own RLHFDataset (when installed) rebuilds the
image messages; TRL and verl reward paths score boxes and answers from the exported Task; the
Task travels once per row (issue 20 item 8)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rlvr_envs
from rlvr_envs.integrations import verl as rlvr_verl
from rlvr_envs.integrations.export import ExportConfig, export, iter_rows, read_rows, row_seed, row_task
from rlvr_envs.integrations.images import to_array
from rlvr_envs.integrations.trl import reward_funcs


def _env_image(seed: int, level: int) -> np.ndarray[Any, Any]:
    env = rlvr_envs.make("rlvr/VQA-v0")
    obs, _info = env.reset(seed=seed, options={"level": level})
    return np.asarray(obs["image"])


def _gold_reply(task_json: str) -> str:
    data = json.loads(task_json)["data"]
    question = data["question"]
    boxes = [data["scene"]["objects"][i]["box"] for i in question["refs"]]
    return f"<caption>{question['caption']}</caption><bbox>{boxes}</bbox><answer>{question['answer']}</answer>"


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
@pytest.mark.parametrize("layout", ["trl", "verl"])
def test_rows_carry_the_images_and_round_trip(tmp_path: Path, fmt: str, layout: str) -> None:
    pytest.importorskip("pyarrow")
    config = ExportConfig(env_id="rlvr/VQA-v0", n=3, levels=(0, 2), seed=4, layout=layout)  # type: ignore[arg-type]
    path = export(config, tmp_path / f"vqa.{fmt}")
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)  # the crash of issue 17: "cannot mix list and non-list"
        rows = table.to_pylist()
        assert str(table.schema.field("images").type) == "list<element: struct<bytes: binary, path: null>>"
    else:
        rows = read_rows(path)
        assert all(url.startswith("data:image/png;base64,") for row in rows for url in row["images"])
    for index, row in enumerate(rows):
        (image,) = row["images"]
        want = _env_image(row_seed(4, index), config.levels[index % 2])
        assert np.array_equal(to_array(image), want)  # the same pixels
        contents = [m["content"] for m in row["prompt"]]
        if layout == "trl":
            assert all(isinstance(c, list) for c in contents)
            # Parquet unifies the part structs, so an image part reads back with "text": None
            assert {k: v for k, v in contents[-1][0].items() if v is not None} == {"type": "image"}
            assert contents[-1][1]["type"] == "text" and contents[-1][1]["text"]
            assert sum(p["type"] == "image" for c in contents for p in c) == len(row["images"])
        else:
            assert all(isinstance(c, str) for c in contents)
            assert contents[-1].startswith("<image>") and sum(c.count("<image>") for c in contents) == 1
        assert "task" not in row and "task" not in row["extra_info"]["tools_kwargs"]


def test_the_task_travels_once_per_row() -> None:
    """LongContextQA rows were 1.3 MB: the Task three times. Now it is in reward_model.ground_truth only."""
    (row,) = iter_rows(ExportConfig(env_id="rlvr/LongContextQA-v0", n=1, levels=(0,), seed=0))
    task = row_task(row)
    assert json.dumps(row).count(json.dumps(task)[1:40]) == 1
    assert len(json.dumps(row)) < 1.2 * len(json.dumps(task)) + 20_000


def test_trl_and_verl_reward_paths_score_multimodal_rows(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = export(ExportConfig(env_id="rlvr/VQA-v0", n=3, levels=(1,), seed=2), tmp_path / "v.parquet")
    rows = read_rows(path)
    golds = [_gold_reply(row_task(r)) for r in rows]
    completions = [[{"role": "assistant", "content": golds[0]}], golds[1], "<caption>x</caption><bbox>[]</bbox>"]
    reward, boxes, answer = reward_funcs("rlvr/VQA-v0", components=["boxes", "answer"])
    columns = {key: [r[key] for r in rows] for key in ("reward_model", "images", "env_id")}
    prompts = [r["prompt"] for r in rows]
    assert reward(prompts=prompts, completions=completions, **columns)[:2] == [1.0, 1.0]
    assert boxes(prompts=prompts, completions=completions, **columns)[:2] == [1.0, 1.0]
    assert answer(prompts=prompts, completions=completions, **columns)[2] == 0.0
    # a wrong box costs exactly the box component
    data = json.loads(row_task(rows[0]))["data"]
    shifted = golds[0].replace("<bbox>", "<bbox>[[0, 0, 5, 5]] + ") if data["question"]["refs"] else golds[0]
    verl_bad = rlvr_verl.compute_score_with_components(rows[0]["data_source"], shifted, row_task(rows[0]))
    verl_good = rlvr_verl.compute_score_with_components(rows[0]["data_source"], golds[0], row_task(rows[0]))
    assert verl_good["score"] == 1.0 and verl_good["rlvr_boxes"] == 1.0  # type: ignore[index]
    assert verl_bad["score"] < 1.0  # type: ignore[index]


def test_verl_rlhf_dataset_reads_our_images(tmp_path: Path) -> None:
    """verl's RLHFDataset splits our ``<image>`` markers and opens our PNG bytes into the messages it
        hands the processor (a tiny Llava processor built locally). verl's overlong-prompt filter needs
    ``qwen_vl_utils`` for images, so it is off here."""
    pytest.importorskip("verl")
    from omegaconf import OmegaConf
    from verl.utils.dataset.rl_dataset import RLHFDataset

    from .tiny_vlm import build_tiny_vlm

    _model, processor = build_tiny_vlm()
    config = ExportConfig(env_id="rlvr/VQA-v0", n=2, levels=(0,), seed=8, layout="verl")
    path = export(config, tmp_path / "train.parquet")
    data_config = OmegaConf.create(
        {
            "prompt_key": "prompt",
            "image_key": "images",
            "max_prompt_length": 4096,
            "cache_dir": str(tmp_path),
            "filter_overlong_prompts": False,
        }
    )
    dataset = RLHFDataset(str(path), processor.tokenizer, data_config, processor=processor)
    assert len(dataset) == 2
    item = dataset[1]
    user = item["raw_prompt"][-1]["content"]  # verl's messages for the processor's chat template
    assert user[0]["type"] == "image" and user[1]["type"] == "text"
    assert np.array_equal(np.asarray(user[0]["image"].convert("RGB")), _env_image(row_seed(8, 1), 0))
    assert item["data_source"] == "rlvr/VQA-v0"
    gold = _gold_reply(item["reward_model"]["ground_truth"])
    assert rlvr_verl.compute_score(item["data_source"], gold, item["reward_model"]["ground_truth"])["score"] == 1.0  # type: ignore[index]


def test_trl_fills_our_image_placeholders_from_the_parquet(tmp_path: Path) -> None:
    """Hugging Face datasets reads the TRL-layout Parquet and TRL's own prepare_multimodal_messages
    (what GRPOTrainer calls on each prompt) puts the images column into our placeholders."""
    pytest.importorskip("trl")
    datasets = pytest.importorskip("datasets")
    from PIL import Image
    from trl.data_utils import prepare_multimodal_messages

    path = export(ExportConfig(env_id="rlvr/VQA-v0", n=2, levels=(0,), seed=6), tmp_path / "trl.parquet")
    dataset = datasets.load_dataset("parquet", data_files=str(path), split="train", cache_dir=str(tmp_path / "c"))
    row = dataset[1]
    images = [Image.fromarray(to_array(image)) for image in row["images"]]
    messages = prepare_multimodal_messages(row["prompt"], images=images)
    parts = [p for m in messages for p in m["content"] if p["type"] == "image"]
    assert len(parts) == 1 and np.array_equal(np.asarray(parts[0]["image"]), _env_image(row_seed(6, 1), 0))
    assert messages[-1]["content"][1]["type"] == "text" and messages[-1]["content"][1]["text"]
