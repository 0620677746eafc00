"""`rlvr-envs train` is the GRPO baseline's command line under another name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr_envs import cli


def test_train_help_is_the_trainers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: rlvr-envs train" in out and "--resume" in out and "--set KEY=VALUE" in out


def test_train_reports_config_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[optim]\nlrr = 1\n")
    assert cli.main(["train", "--config", str(bad)]) == 2
    assert "did you mean 'lr'" in capsys.readouterr().err


def test_train_runs_steps_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    code = cli.main(
        ["train", "--out-dir", str(out), "--max-steps", "2", "--quiet", "--device", "cpu",
         "--set", 'env.kwargs.generators=["arithmetic"]', "--set", "rollout.groups_per_step=2",
         "--set", "rollout.group_size=2", "--set", "rollout.max_new_tokens=4", "--set", "model.tiny.hidden_size=32",
         "--set", "model.tiny.num_layers=1", "--set", "model.tiny.head_dim=16", "--set", "model.tiny.corpus_tasks=50",
         "--set", "model.tiny.vocab_size=320", "--set", "logging.plot=false", "--set", "logging.samples_every=1"]
    )  # fmt: skip
    assert code == 0
    assert "2 steps" in capsys.readouterr().out
    assert len((out / "metrics.jsonl").read_text().splitlines()) == 2
    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert {s["step"] for s in samples} == {1, 2} and all(s["messages"][-1]["role"] == "assistant" for s in samples)
    assert (out / "report.md").is_file() and (out / "checkpoints" / "step-000002" / "trainer.json").is_file()
