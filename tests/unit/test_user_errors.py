"""Errors name what the user wrote (the keyword, the flag), say what is allowed, suggest the nearest name."""

from __future__ import annotations

import gymnasium as gym
import pytest

import rlvr_envs
from rlvr_envs.errors import SpecError, describe_validation_error, suggest


def make_error(**kwargs: object) -> str:
    with pytest.raises(SpecError) as info:
        gym.make("rlvr/Math-v0", **kwargs)
    return str(info.value)


def test_a_misspelt_keyword_is_named_with_the_nearest_valid_one() -> None:
    message = make_error(levl=3)
    assert "gym.make('rlvr/Math-v0', levl=...)" in message and "Did you mean 'level'?" in message
    assert "math.toml" not in message and "max_attempts" in message  # the allowed names are listed


def test_a_negative_level_is_one_line() -> None:
    message = make_error(level=-1)
    assert message == "gym.make('rlvr/Math-v0', level=-1): 'level' must be an int >= 0"


def test_a_bad_family_value_blames_the_call_not_the_spec_file() -> None:
    message = make_error(max_attempts="x")
    assert message.startswith("gym.make('rlvr/Math-v0', max_attempts='x'): max_attempts:")
    assert "errors.pydantic.dev" not in message and "\n" not in message and "math.toml" not in message


def test_a_bad_env_field_is_one_line_too() -> None:
    message = make_error(max_turns=0)
    assert message.startswith("gym.make('rlvr/Math-v0', max_turns=0): max_turns:") and "(got 0)" in message


def test_a_bad_curriculum_is_short() -> None:
    message = make_error(curriculum={"kind": "frontier", "threshold": 7})
    assert "threshold" in message and "errors.pydantic.dev" not in message and "\n" not in message


def test_make_accepts_module_colon_id() -> None:
    env = rlvr_envs.make("rlvr_envs:rlvr/Math-v0")
    assert rlvr_envs.unwrap(env).env_id == "rlvr/Math-v0"


def test_suggest_and_describe() -> None:
    assert suggest("levl", ["level", "seed"]) == " Did you mean 'level'?"
    assert suggest("zzz", ["level"]) == ""
    from pydantic import BaseModel, ValidationError

    class Model(BaseModel):
        level: int

    with pytest.raises(ValidationError) as info:
        Model.model_validate({"level": "x"})
    assert describe_validation_error(info.value, prefix="--").startswith("--level: ")


def test_a_misspelt_reset_option_gets_the_nearest_one() -> None:
    env = gym.make("rlvr/Math-v0")
    with pytest.raises(rlvr_envs.errors.InvalidOptionError) as info:
        env.reset(options={"levle": 2})
    assert "['levle']" in str(info.value) and "Did you mean 'level'?" in str(info.value)


def test_one_task_and_one_episode_are_singular(capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    from rlvr_envs import cli

    assert cli.main(["export", "rlvr/Math-v0", "--n", "1", "--out", f"{tmp_path}/one.jsonl"]) == 0
    assert "wrote 1 task of rlvr/Math-v0" in capsys.readouterr().out
    assert cli.main(["eval", "rlvr/Math-v0", "--episodes", "1"]) == 0
    assert "1 episode in" in capsys.readouterr().out
