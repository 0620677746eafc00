"""Spec validation, registration from files/Python/RLVR_ENVS_PATH/entry points, and overrides."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import gymnasium as gym
import pytest

import rlvr_envs
from rlvr_envs.core import registry
from rlvr_envs.errors import DuplicateEnvError, SpecError, UnknownEnvError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def write_spec(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_builtin_specs_are_registered_with_gymnasium() -> None:
    assert {"rlvr/Math-v0", "rlvr/MathRetry-v0"} <= set(rlvr_envs.list_envs())
    assert "rlvr/Math-v0" in gym.registry


def test_module_prefixed_make_works_without_prior_import() -> None:
    code = "import gymnasium as gym; env = gym.make('rlvr_envs:rlvr/Math-v0'); print(env.reset(seed=0)[1]['task_id'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.startswith("math:")


def test_spec_errors_name_file_and_field(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        "bad.toml",
        """
        id = "rlvr/Bad-v0"
        entry_point = "rlvr_envs.tasks.math:MathFamily"
        max_turns = 0
        colour = "red"
        """,
    )
    with pytest.raises(SpecError) as error:
        registry.load_spec_file(path)
    message = str(error.value)
    assert str(path) in message and "field 'max_turns'" in message and "field 'colour'" in message


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    broken = write_spec(tmp_path, "broken.toml", "id = ")
    with pytest.raises(SpecError, match="not valid TOML"):
        registry.load_spec_file(broken)
    with pytest.raises(SpecError, match="cannot read"):
        registry.load_spec_file(tmp_path / "absent.toml")


def test_bad_entry_point_and_family_kwargs(tmp_path: Path) -> None:
    write_spec(
        tmp_path,
        "x.toml",
        """
        id = "test/NoSuchModule-v0"
        entry_point = "no_such_module:Family"
        """,
    )
    registry.register_spec_dir(tmp_path)
    with pytest.raises(SpecError, match="field 'entry_point'"):
        gym.make("test/NoSuchModule-v0")
    with pytest.raises(SpecError, match="max_attempts"):
        gym.make("rlvr/Math-v0", max_attempts=0)
    with pytest.raises(SpecError, match="arithmetic"):
        gym.make("rlvr/Math-v0", generators=["arithmetc"])


def test_unknown_ids_suggest_close_matches() -> None:
    with pytest.raises(UnknownEnvError, match="rlvr/Math-v0"):
        rlvr_envs.make("rlvr/Maht-v0")


def test_python_registration_and_duplicates() -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import custom_env
    finally:
        sys.path.remove(str(EXAMPLES))
    env = gym.make("demo/ReverseWord-v0")
    obs, _ = env.reset(seed=0)
    assert "Reverse the string" in obs
    assert env.step(rlvr_envs.unwrap(env).oracle_action())[1] == 1.0
    # identical re-registration is a no-op; a different spec under the same id is an error
    rlvr_envs.register("demo/ReverseWord-v0", family=custom_env.ReverseWord, curriculum={"kind": "uniform", "high": 5})
    with pytest.raises(DuplicateEnvError):
        rlvr_envs.register("demo/ReverseWord-v0", family=custom_env.ReverseWord, max_turns=2)
    rlvr_envs.register("demo/ReverseWord-v0", family=custom_env.ReverseWord, max_turns=2, override=True)
    assert gym.make("demo/ReverseWord-v0").unwrapped.max_turns == 2
    with pytest.raises(SpecError, match="TaskFamily"):
        rlvr_envs.register("demo/Nope-v0", family=int)  # type: ignore[arg-type]


def test_custom_env_example_is_under_30_code_lines() -> None:
    lines = (EXAMPLES / "custom_env.py").read_text().splitlines()
    main_block = lines.index('if __name__ == "__main__":')
    code = [line for line in lines[:main_block] if line.strip() and not line.lstrip().startswith(('"""', "#"))]
    assert len(code) < 30


def test_rlvr_envs_path_adds_spec_folders(tmp_path: Path) -> None:
    write_spec(
        tmp_path,
        "arith.toml",
        """
        id = "user/ArithOnly-v0"
        entry_point = "rlvr_envs.tasks.math:MathFamily"
        [kwargs]
        generators = ["arithmetic"]
        """,
    )
    write_spec(tmp_path, "aaa_broken.toml", "id = ")  # sorts first; must not hide the good spec
    code = "import rlvr_envs, gymnasium as gym; e = gym.make('user/ArithOnly-v0'); print(e.reset(seed=1)[1]['task_id'])"
    env = {**__import__("os").environ, "RLVR_ENVS_PATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("math:")


def test_entry_point_group_registers_third_party_envs(tmp_path: Path) -> None:
    """A fake installed distribution exposing an `rlvr_envs.envs` entry point is picked up on import."""
    (tmp_path / "thirdparty_envs.py").write_text(
        textwrap.dedent(
            """
            import rlvr_envs
            def register_all():
                rlvr_envs.register("thirdparty/Arith-v0", family="rlvr_envs.tasks.math:MathFamily",
                                   kwargs={"generators": ["arithmetic"]})
            """
        )
    )
    dist = tmp_path / "thirdparty_envs-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: thirdparty-envs\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[rlvr_envs.envs]\narith = thirdparty_envs:register_all\n")
    code = "import rlvr_envs; print('thirdparty/Arith-v0' in rlvr_envs.list_envs())"
    env = {**__import__("os").environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.strip() == "True", out.stderr


def test_gym_make_overrides() -> None:
    env = gym.make("rlvr/Math-v0", max_turns=4, max_attempts=4, level=7, reward={"attempt_decay": 0.9})
    inner = rlvr_envs.unwrap(env)
    assert inner.max_turns == 4
    assert env.reset(seed=0)[1]["level"] == 7
    env.step("\\boxed{wrong}")
    _obs, reward, terminated, _, _info = env.step(inner.oracle_action())
    assert terminated and reward == pytest.approx(0.9)
    with pytest.raises(SpecError, match="curriculum"):
        gym.make("rlvr/Math-v0", curriculum={"kind": "frontierr"})
