"""docs/grpo.md quotes the recorded demo run: its figures must equal the committed results JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baselines.grpo.seeds import table

ROOT = Path(__file__).resolve().parents[2]


def test_docs_figures_equal_the_recorded_results() -> None:
    doc = (ROOT / "docs" / "grpo.md").read_text()
    results = json.loads((ROOT / "docs" / "results" / "grpo_demo_seed0.json").read_text())
    before, after, control = results["before"], results["after_grpo"], results["control_sft"]
    row = (
        f"   all {before['n']:>5} {before['accuracy']:>10.3f} {after['accuracy']:>8.3f} "
        f"({100 * (after['accuracy'] - before['accuracy']):+5.1f} pt) {control['accuracy']:>8.3f} "
        f"({100 * (control['accuracy'] - before['accuracy']):+5.1f} pt)"
    )
    assert row in doc
    for level, acc in before["per_level"].items():
        assert f"     {level}   {before['per_level_n'][level]} {acc:>10.3f} {after['per_level'][level]:>8.3f}" in doc
    grpo = results["grpo"]
    assert f"frontier raised {grpo['level_raises']} time(s)" in doc
    assert (
        f"zero-variance groups {100 * grpo['zero_variance_share_first_round']:.0f}% of each step's first round" in doc
    )
    assert f"({100 * grpo['zero_variance_share']:.0f}% counting dynamic sampling's extra rounds)" in doc
    assert f"generation {grpo['generation_tokens_per_s']:.0f} tokens/s" in doc  # the one throughput figure
    warmup = results["sft_warmup"]
    assert f"warm-up stopped after {warmup['steps']:,} steps and kept step {warmup['best_step']:,}" in doc
    assert f"Demo total {results['demo_wall_s']:.0f} s" in doc
    assert f"{results['control_steps']:,} SFT steps" in doc and f"step-{results['control_best_step']:,}" in doc


@pytest.mark.parametrize("name", ["grpo_demo_seeds.json", "grpo_demo_seeds_160steps.json"])
def test_docs_seed_tables_equal_the_recorded_seeds(name: str) -> None:
    """Each three-seed table in docs/grpo.md is `seeds.table` of its committed seeds file, line for line."""
    doc = (ROOT / "docs" / "grpo.md").read_text()
    recorded = json.loads((ROOT / "docs" / "results" / name).read_text())
    assert table(recorded["seeds"], recorded["summary"]) in doc
