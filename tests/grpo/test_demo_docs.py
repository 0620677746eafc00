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


@pytest.mark.parametrize(
    "name",
    [
        "grpo_demo_seeds.json",
        "grpo_demo_seeds_640steps_mb128.json",
        "grpo_demo_seeds_320steps.json",
        "grpo_demo_seeds_160steps.json",
    ],
)
def test_docs_seed_tables_equal_the_recorded_seeds(name: str) -> None:
    """Each three-seed table in docs/grpo.md is `seeds.table` of its committed seeds file, line for line."""
    doc = (ROOT / "docs" / "grpo.md").read_text()
    recorded = json.loads((ROOT / "docs" / "results" / name).read_text())
    assert table(recorded["seeds"], recorded["summary"]) in doc


_SCREEN_HEADER = "| GRPO from the seed's warm-up | seed 0 gain | seed 1 gain | seed 2 gain | mean gain |"


def _screen_rows(doc: str) -> list[list[str]]:
    """The body rows (cells) of every per-seed screen table in docs/grpo.md."""
    rows: list[list[str]] = []
    lines = doc.splitlines()
    for start, line in enumerate(lines):
        if not line.startswith(_SCREEN_HEADER):
            continue
        for body in lines[start + 2 :]:
            if not body.startswith("|"):
                break
            rows.append([cell.strip() for cell in body.strip("|").split("|")])
    return rows


def test_docs_screen_tables_equal_the_recorded_screens() -> None:
    """Every gain, mean, zero-variance share and raise count in the per-seed screen tables of
    docs/grpo.md is the recorded figure: the baseline row from the 320-step seeds file (the screens
    started from those runs' warm-ups), each other row from the screens in the attempts file whose
    overrides are the row's backticked settings."""
    doc = (ROOT / "docs" / "grpo.md").read_text()
    seeds = json.loads((ROOT / "docs" / "results" / "grpo_demo_seeds_320steps.json").read_text())["seeds"]
    screens = json.loads((ROOT / "docs" / "results" / "grpo_demo_attempts.json").read_text())["grpo_only"]
    rows = _screen_rows(doc)
    assert len(rows) >= 8, "the screen tables were not found"
    for label, *gains, mean, shares, raises in rows:
        if label.startswith("baseline: the 320-step runs"):
            found: dict[int, dict[str, float]] = {
                s["seed"]: {"gain": s["grpo_gain"], "zv": s["zero_variance_first_round"], "raises": s["level_raises"]}
                for s in seeds
            }
        else:
            settings = [part for part in label.split("`")[1::2] if "=" in part]
            assert settings, label
            found = {}
            for entry in screens.values():
                if not isinstance(entry, dict) or not entry.get("checkpoint", "").startswith("L1_grpo320_seed"):
                    continue
                if all(f"--set {setting} " in entry["overrides"] + " " for setting in settings):
                    found[int(entry["checkpoint"][-1])] = {
                        "gain": entry["gain_points"],
                        "zv": entry["zero_variance_share_first_round"],
                        "raises": entry["level_raises"],
                    }
        shown = [(seed, cell) for seed, cell in enumerate(gains) if cell]
        assert [seed for seed, _ in shown] == sorted(found), label  # a figure for exactly the recorded seeds
        for seed, cell in shown:
            assert cell == f"{found[seed]['gain']:+.1f}", (label, seed)
        if len(shown) == 3:
            assert mean == f"{sum(f['gain'] for f in found.values()) / 3:+.1f}", label
        assert shares.split(" / ") == [f"{100 * found[s]['zv']:.0f}%" for s, _ in shown], label
        assert raises.split(" / ") == [str(found[s]["raises"]) for s, _ in shown], label


@pytest.mark.parametrize(("name", "ratios"), [("generation.md", 2), ("grpo_training.md", 1)])
def test_docs_step_cost_ratios_are_the_benchmarks_last_run(name: str, ratios: int) -> None:
    """The speed-ups docs/grpo.md quotes are lines of the benchmark's last recorded run
    (`benchmarks/test_bench_grpo_step.py`), with the time and load it was measured at."""
    doc = (ROOT / "docs" / "grpo.md").read_text()
    recorded = (ROOT / "benchmarks" / "results" / name).read_text().splitlines()
    quoted = [line for line in recorded if "x** as fast as" in line]
    assert len(quoted) == ratios
    context = [line for line in recorded if line.startswith(("- measured:", "- load average"))]
    for line in [*quoted, *context]:
        assert line in doc, f"docs/grpo.md does not quote {line!r} from benchmarks/results/{name}"
