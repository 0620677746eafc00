"""Math benchmark rows (GSM8K, MATH, MATH-500, AIME, NuminaMath) through `gym.make("rlvr/Math-v0", source=...)`.

The sample files under tests/math/data are written in each dataset's published layout (GSM8K's
`####` answers with calculator annotations and thousands separators, MATH's "Level N" strings,
MATH-500's own `answer` column, AIME's capitalised columns, NuminaMath's `source` and `messages`)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import gymnasium as gym
import pytest

from rlvr_envs.errors import TaskSourceError
from rlvr_envs.policies import oracle, run_episode
from rlvr_envs.tasks.math.datasets import load_jsonl

DATA = Path(__file__).parent / "data"
EXPECTED = {
    "gsm8k.jsonl": (["72", "5000"], [0, 0]),
    "math.jsonl": (["12", "\\frac{7}{12}", "-7"], [0, 1, 4]),
    "math500.jsonl": (["\\left( 3, \\frac{\\pi}{2} \\right)"], [1]),
    "aime.jsonl": (["24", "924"], [5, 5]),
    "numina.jsonl": (["5050", "7"], [4, 0]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_format_loads_with_its_answers_and_levels(name: str) -> None:
    rows = load_jsonl(str(DATA / name))
    answers, levels = EXPECTED[name]
    assert [row.answer for row in rows] == answers
    assert [row.level for row in rows] == levels


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_reference_answer_earns_full_reward_and_a_wrong_one_none(name: str) -> None:
    env = gym.make("rlvr/Math-v0", source=str(DATA / name))
    policy = oracle(env)
    for index in range(len(EXPECTED[name][0])):
        record = run_episode(env, policy, options={"task_id": f"math:data:{index}"})
        assert record.reward == 1.0, (name, index, record.messages[-1])
        env.reset(options={"task_id": f"math:data:{index}"})
        _, reward, _, _, _ = env.step("The answer is \\boxed{999999}.")
        assert reward == 0.0


def test_levels_map_to_the_curriculum_and_gzip_files_load(tmp_path: Path) -> None:
    env = gym.make("rlvr/Math-v0", source=str(DATA / "math.jsonl"))
    hardest = load_jsonl(str(DATA / "math.jsonl"))[2].problem
    assert all(env.reset(seed=s, options={"level": 4})[0].startswith(hardest) for s in range(3))
    packed = tmp_path / "gsm8k.jsonl.gz"
    packed.write_bytes(gzip.compress((DATA / "gsm8k.jsonl").read_bytes()))
    assert [row.answer for row in load_jsonl(str(packed))] == ["72", "5000"]
    assert len(load_jsonl(str(DATA / "aime.jsonl"), source_format="aime")) == 2
    forced = gym.make("rlvr/Math-v0", source=str(DATA / "aime.jsonl"), format="aime")
    assert forced.reset(options={"task_id": "math:data:0"})[1]["level"] == 5


def test_bad_math_rows_name_file_line_and_field(tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text((DATA / "gsm8k.jsonl").read_text() + (DATA / "math.jsonl").read_text())
    with pytest.raises(
        TaskSourceError, match=r"mixes row formats: gsm8k \(first on line 1\), math \(first on line 3\)"
    ):
        load_jsonl(str(mixed))
    bad = tmp_path / "bad.jsonl"
    rows = [json.loads(line) for line in (DATA / "math.jsonl").read_text().splitlines()]
    rows[1]["solution"] = "no boxed answer here"
    bad.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with pytest.raises(TaskSourceError, match=r"bad.jsonl:2: field 'solution': expected a solution whose final answer"):
        load_jsonl(str(bad))
    aime = tmp_path / "aime_bad.jsonl"
    aime.write_text(json.dumps({"ID": "x", "Problem": "p", "Answer": 1234}) + "\n")
    with pytest.raises(TaskSourceError, match=r"aime_bad.jsonl:1: field 'answer': expected an integer from 0 to 999"):
        load_jsonl(str(aime), source_format="aime")
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"q": "1+1", "a": "2"}) + "\n")
    with pytest.raises(TaskSourceError, match=r"other.jsonl:1: unrecognised row.*source_problem_field"):
        load_jsonl(str(other))
    assert load_jsonl(str(other), "q", "a")[0].answer == "2"
