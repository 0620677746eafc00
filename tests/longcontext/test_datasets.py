"""HotpotQA / 2WikiMultihopQA / MuSiQue rows as LongContextQA-v0 and LongContextSearch-v0 tasks.

Sample rows under tests/longcontext/data are in each dataset's published layout (HotpotQA's list
and Hugging Face dict shapes, 2Wiki's `evidences`, MuSiQue's `paragraphs` with `is_supporting`)."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import pytest

import rlvr_envs
from rlvr_envs.errors import TaskSourceError
from rlvr_envs.policies import oracle, run_episode
from rlvr_envs.tasks.longcontext.datasets import load_qa_jsonl

DATA = Path(__file__).parent / "data"
FILES = {"hotpotqa.jsonl": [2, 0], "2wiki.jsonl": [2], "musique.jsonl": [1]}


@pytest.mark.parametrize("name", sorted(FILES))
def test_rows_load_with_levels_and_supporting_paragraphs(name: str) -> None:
    rows = load_qa_jsonl(str(DATA / name))
    assert [row.level for row in rows] == FILES[name]
    assert all(any(gold for *_, gold in row.paragraphs) for row in rows)


@pytest.mark.parametrize("env_id", ["rlvr/LongContextQA-v0", "rlvr/LongContextSearch-v0"])
@pytest.mark.parametrize("name", sorted(FILES))
def test_the_dataset_answer_with_its_supporting_documents_earns_full_reward(env_id: str, name: str) -> None:
    env = gym.make(env_id, source=str(DATA / name))
    policy = oracle(env)
    for index, row in enumerate(load_qa_jsonl(str(DATA / name))):
        record = run_episode(env, policy, options={"task_id": f"longcontext:data:{index}"})
        assert record.reward == pytest.approx(1.0), (env_id, name, record.messages[-1])
        task = rlvr_envs.unwrap(env).task
        assert task is not None
        titles = {d["id"]: d["title"] for d in task.data["documents"]}
        gold_titles = {title for title, _, gold in row.paragraphs if gold}
        assert {titles[doc_id] for doc_id in task.data["supporting"]} == gold_titles
        tiers = {d["tier"] for d in task.data["documents"]}
        assert "low" in tiers and ("high" in tiers or len(row.paragraphs) == len(gold_titles))


def test_the_context_has_the_levels_length_and_citations_are_scored() -> None:
    env = gym.make("rlvr/LongContextQA-v0", source=str(DATA / "hotpotqa.jsonl"))
    observation, info = env.reset(options={"task_id": "longcontext:data:0"})
    assert info["level"] == 2 and 3500 * 4 < len(observation) < 4600 * 4  # about 4096 tokens at 4 chars each
    assert "Scott Derrickson (born July 16, 1966)" in observation and "fictional" not in observation
    task = rlvr_envs.unwrap(env).task
    assert task is not None
    right = f"<answer>yes</answer>\n<cite>{', '.join(task.data['supporting'])}</cite>"
    no_cite = "<answer>yes</answer>"
    assert env.step(right)[1] == pytest.approx(1.0)
    env.reset(options={"task_id": "longcontext:data:0"})
    assert env.step(no_cite)[1] < 0.8
    again, _ = env.reset(options={"task_id": "longcontext:data:0"})
    assert again == observation, "a dataset task replays exactly from its id"


def test_bad_qa_rows_name_file_line_and_field(tmp_path: Path) -> None:
    row = json.loads((DATA / "musique.jsonl").read_text())
    for paragraph in row["paragraphs"]:
        paragraph["is_supporting"] = False
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(row) + "\n")
    with pytest.raises(TaskSourceError, match=r"bad.jsonl:1: field 'paragraphs': expected at least one paragraph"):
        load_qa_jsonl(str(bad))
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text((DATA / "hotpotqa.jsonl").read_text() + (DATA / "musique.jsonl").read_text())
    with pytest.raises(TaskSourceError, match=r"mixes row formats: hotpotqa \(first on line 1\), musique"):
        load_qa_jsonl(str(mixed))
    hotpot = json.loads((DATA / "hotpotqa.jsonl").read_text().splitlines()[0])
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(json.dumps(hotpot | {"context": "text"}) + "\n")
    with pytest.raises(TaskSourceError, match=r"wrong.jsonl:1: field 'context': expected \[\[title, sentences\]"):
        load_qa_jsonl(str(wrong))
