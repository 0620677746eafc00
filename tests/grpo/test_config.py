"""Config files, command-line overrides and their error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from baselines.grpo.config import ConfigError, dump_toml, load_config, parse_override, validate_config
from baselines.grpo.train import build_parser, config_from_args

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "baselines" / "grpo" / "configs").glob("*.toml"))


def test_there_are_configs_for_the_demo_multi_turn_and_generic_runs() -> None:
    names = {p.stem for p in CONFIGS}
    assert {"math_demo", "math_retry", "generic", "code", "ecommerce", "longcontext_search"} <= names


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_shipped_config_names_a_registered_env(path: Path) -> None:
    import rlvr_envs

    assert load_config(path).env.id in rlvr_envs.list_envs()


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_shipped_config_validates_and_round_trips(path: Path, tmp_path: Path) -> None:
    config = load_config(path)
    copy = tmp_path / "copy.toml"
    copy.write_text(dump_toml(config))
    assert load_config(copy) == config


def test_defaults_need_no_file() -> None:
    config = load_config(None)
    assert config.env.id == "rlvr/Math-v0" and config.rollout.backend == "hf" and config.demo is None


def test_overrides_parse_toml_values_and_create_tables() -> None:
    config = load_config(
        None,
        [
            "optim.lr=1e-4",
            "rollout.backend=vllm",
            "run.device='cpu'",
            "rollout.dynamic_sampling=false",
            'env.kwargs.generators=["arithmetic", "fractions"]',
            "env.kwargs.max_attempts=2",
            "curriculum.kind=frontier",
            "curriculum.window=2",
            "optim.betas=[0.9, 0.95]",
        ],
    )
    assert config.optim.lr == 1e-4 and config.rollout.backend == "vllm" and config.run.device == "cpu"
    assert config.rollout.dynamic_sampling is False
    assert config.env.kwargs == {"generators": ["arithmetic", "fractions"], "max_attempts": 2}
    assert config.curriculum.table() == {"kind": "frontier", "window": 2}
    assert config.optim.betas == (0.9, 0.95)
    assert load_config(None).curriculum.table() is None  # "env": the env spec's own controller


def test_overrides_win_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[optim]\nlr = 0.5\n[run]\nmax_steps = 3\n")
    assert load_config(path, ["optim.lr=0.25"]).optim.lr == 0.25
    assert load_config(path).run.max_steps == 3


def test_unknown_keys_name_the_closest_valid_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"optim\.lrr: unknown key; did you mean 'lr'\?"):
        load_config(None, ["optim.lrr=1"])
    with pytest.raises(ConfigError, match="rollouts: unknown key; did you mean 'rollout'"):
        validate_config({"rollouts": {}})
    with pytest.raises(ConfigError, match="loss_agg"):
        load_config(None, ["algo.loss_agg=sum"])


def test_bad_files_and_overrides_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[run\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)
    for text in ("optim.lr", "=3", "optim..lr=3"):
        with pytest.raises(ConfigError, match=r"section\.key=value"):
            parse_override(text)
    with pytest.raises(ConfigError, match="is not a table"):
        load_config(None, ["optim.lr=1", "optim.lr.x=2"])


def test_cli_shortcuts_become_overrides(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["--set", "optim.lr=0.001", "--device", "cpu", "--backend", "hf", "--out-dir", str(tmp_path),
         "--max-steps", "7", "--quiet"]
    )  # fmt: skip
    config = config_from_args(args)
    assert config.optim.lr == 0.001 and config.run.device == "cpu" and config.run.out_dir == str(tmp_path)
    assert config.run.max_steps == 7 and config.logging.progress is False
    assert build_parser().parse_args(["--resume"]).resume == "latest"
