"""The CPU demo pipeline on a miniature budget: every phase runs and every reported figure is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from baselines.grpo import demo as demo_module
from baselines.grpo import screen
from baselines.grpo.config import load_config
from baselines.grpo.demo import run_demo
from baselines.grpo.model import usable_cores
from baselines.grpo.trainer import GRPOTrainer

CONFIG = Path(__file__).resolve().parents[2] / "baselines" / "grpo" / "configs" / "math_demo.toml"
MINIATURE = [
    "run.max_steps=2", "run.time_budget_s=0", "demo.sft.max_steps=3",
    "demo.held_out_per_level=4", "demo.sft.pool=20", "demo.sft.validation=4", "demo.sft.eval_every=2",
    "rollout.groups_per_step=2", "rollout.max_new_tokens=8",
    "model.tiny.hidden_size=32", "model.tiny.head_dim=16", "model.tiny.corpus_tasks=60",
    "model.tiny.vocab_size=320", "logging.progress=false",
    "demo.sft.early_stop=true", "demo.sft.patience=5", "curriculum.weighting='variance'",
]  # fmt: skip


@pytest.mark.parametrize("threads", [1, 0], ids=["control-beside-grpo", "control-after-grpo"])
def test_demo_pipeline_in_miniature(
    threads: int, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, int] = {}

    def counting(name: str, function: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            seen[name] = torch.get_num_threads()
            return function(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(demo_module, "sft_train", counting("warm-up", demo_module.sft_train))
    monkeypatch.setattr(GRPOTrainer, "train", counting("grpo", GRPOTrainer.train))
    default_threads = torch.get_num_threads()
    config = load_config(CONFIG, [f"run.out_dir='{tmp_path}'", *MINIATURE, f"run.threads={threads}"])
    summary = run_demo(config)
    # the warm-up runs alone on every core; GRPO (and the control beside it) get run.threads
    assert seen == {"warm-up": usable_cores(), "grpo": threads or default_threads}
    assert summary["completed"] and summary["grpo"]["steps"] == 2 and summary["sft_warmup"]["steps"] == 3
    assert summary["held_out"]["n"] == 24 and set(summary["before"]["per_level"]) == {str(k) for k in range(6)}
    assert summary["sft_warmup"]["pool"] == 20 and summary["sft_warmup"]["validation"] == 4
    # the warm-up checked validation at steps 0, 2 and its last step, and kept one of them
    warm = summary["sft_warmup"]
    assert [step for step, _ in warm["validation_checks"]] == [0, 2, 3] and warm["best_step"] in (0, 2, 3)
    assert 0.0 <= summary["grpo"]["zero_variance_share_first_round"] <= 1.0
    # the control checked its validation split at its start (step 0) and kept one of the checked steps
    checked = [step for step, _ in summary["control_validation"]]
    assert checked[0] == 0 and summary["control_best_step"] in checked
    assert 0.0 <= summary["grpo"]["zero_variance_share"] <= 1.0
    assert summary["control_sft"] is not None and summary["control_steps"] >= 1
    # the arm trains for GRPO's wall time (it may overrun by its last step), whether beside or after GRPO
    assert summary["control_beside_grpo"] == (threads == 1)
    assert summary["control_wall_s"] >= summary["grpo"]["wall_s"]
    assert json.loads((tmp_path / "results.json").read_text())["gain_points"] == summary["gain_points"]
    report = (tmp_path / "report.md").read_text()
    assert "Held-out accuracy" in report and "SFT control" in report
    assert (tmp_path / "learning_curves.png").stat().st_size > 10_000
    for folder in ("init", "sft", "sft-control", "grpo/checkpoints/step-000002/model"):
        assert (tmp_path / folder / "config.json").is_file(), folder
    printed = capsys.readouterr().out
    assert "Held-out accuracy, greedy, 24 tasks" in printed
    # every phase prints plain lines (not only a redrawn bar), so a piped log shows progress
    for phase in ("SFT warm-up", "[eval SFT start]", "[eval after GRPO]", "[eval SFT control]"):
        assert phase in printed, phase


def test_demo_with_rewritten_solutions_and_a_demonstration_term(tmp_path: Path) -> None:
    """The two screened options run through the whole demo: GRPO's every step logs the cross-entropy
    of its demonstration term (the pool's style is checked in test_demo_regime)."""
    term = ["algo.demo_coef=1.0", "algo.demo_batch=4", "rollout.dynamic_sampling=false"]  # every step optimises
    config = load_config(
        CONFIG, [f"run.out_dir='{tmp_path}'", *MINIATURE, *term, "run.threads=0", "demo.sft.solution_style='rewrite'"]
    )
    summary = run_demo(config)
    assert summary["completed"] and summary["grpo"]["steps"] == 2
    records = [json.loads(line) for line in (tmp_path / "grpo" / "metrics.jsonl").read_text().splitlines()]
    assert len(records) == 2 and all(r["loss/demonstrations"] > 0 for r in records)
    # the screen (GRPO alone from the saved warm-up) supplies the same pool to the same term
    sets = [item for key in [*MINIATURE, *term] for item in ("--set", key)]
    assert screen.main([str(tmp_path / "sft"), "--config", str(CONFIG), "--out", str(tmp_path / "screen"), *sets]) == 0
    screened = (tmp_path / "screen" / "metrics.jsonl").read_text().splitlines()
    assert len(screened) == 2 and all("loss/demonstrations" in json.loads(line) for line in screened)
