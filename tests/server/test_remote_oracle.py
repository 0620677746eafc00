"""``rlvr-envs eval ID --url ... --policy oracle``: tasks rebuilt locally from their ids reach the oracle's reward."""

from __future__ import annotations

import json

import pytest

from rlvr_envs.cli import main
from rlvr_envs.errors import RLVRError
from rlvr_envs.remote.oracle import RemoteOracle
from rlvr_envs.server import ServerConfig, running

IDS = ("rlvr/Math-v0", "rlvr/Code-v0", "rlvr/EcomDialogue-v0")


def test_eval_oracle_against_a_server_reaches_reward_one(capsys: pytest.CaptureFixture[str]) -> None:
    with running(ServerConfig(env_ids=IDS, port=0)) as url:
        for env_id in IDS:
            ws = url.replace("http://", "ws://", 1)
            assert main(["eval", env_id, "--url", ws, "--policy", "oracle", "--episodes", "3", "--json"]) == 0
            summary = json.loads(capsys.readouterr().out)
            (row,) = summary["results"]
            assert row["env"] == env_id and row["episodes"] == 3
            assert row["mean_reward"] == pytest.approx(1.0), summary
            assert summary["warnings"] == []


def test_random_policy_against_a_server_scores_below_the_oracle(capsys: pytest.CaptureFixture[str]) -> None:
    with running(ServerConfig(env_ids=("rlvr/Math-v0",), port=0)) as url:
        assert main(["eval", "rlvr/Math-v0", "--url", url, "--policy", "random", "--episodes", "4", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["results"]
    assert row["mean_reward"] < 1.0


def test_an_id_unknown_here_is_named_with_the_reason() -> None:
    with pytest.raises(RLVRError, match=r"'acme/Chess-v0' is not registered.*never sends gold answers"):
        RemoteOracle("acme/Chess-v0", "ws://127.0.0.1:1")


def test_a_task_that_rebuilds_differently_is_refused() -> None:
    oracle = RemoteOracle("rlvr/Math-v0")
    with running(ServerConfig(env_ids=("rlvr/Math-v0",), port=0)) as url:
        import rlvr_envs

        env = rlvr_envs.make("rlvr/Math-v0", url=url)
        obs, info = env.reset(seed=3)
        with pytest.raises(RLVRError, match="does not match"):
            oracle("something else entirely", info)
        assert oracle(obs, info)  # the real observation passes
        env.close()
    oracle.close()


def test_load_policy_on_a_remote_env() -> None:
    import rlvr_envs
    from rlvr_envs.errors import InvalidOptionError
    from rlvr_envs.policies import load_policy, run_episode

    with running(ServerConfig(env_ids=("rlvr/Math-v0",), port=0)) as url:
        env = rlvr_envs.make("rlvr/Math-v0", url=url)
        policy = load_policy("oracle", env)
        assert isinstance(policy, RemoteOracle)
        assert run_episode(env, policy, seed=11).reward == pytest.approx(1.0)
        with pytest.raises(InvalidOptionError, match="needs the env in this process"):
            load_policy("skill:2", env)
        env.close()
        policy.close()
