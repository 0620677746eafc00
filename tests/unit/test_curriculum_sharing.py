"""One curriculum for many workers: sync vector envs, async vector envs (proxy) and trainer-driven."""

from __future__ import annotations

import multiprocessing
import pickle
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import rlvr_envs
from rlvr_envs.curriculum import Controller, Frontier, RemoteController, SharedCurriculum, Thompson
from rlvr_envs.errors import RLVRError

ENV_ID = "rlvr/Math-v0"
WRONG = "\\boxed{not a number}"
NUM_ENVS = 3
ROUNDS = [(level, round_) for level in range(5) for round_ in range(2)]


def _correct(level: int, round_: int, index: int) -> bool:
    return (level + round_ + index) % 3 != 0


def _thompson() -> Thompson:
    return Thompson(high=8, decay=1.0)  # no decay: the final state does not depend on episode order


def _summary(controller: Controller) -> dict[str, Any]:
    stats = controller.state().model_dump()["stats"]
    return {
        "episodes": stats["episodes"],
        "rollouts": {int(k): v["rollouts"] for k, v in stats["levels"].items()},
        "wins": {int(k): round(v["wins"], 9) for k, v in stats["levels"].items()},
    }


def _play_vector(vec: gym.vector.VectorEnv[Any, Any, Any]) -> None:
    """Every round: all copies at one forced level, some answer right; the envs update the curriculum."""
    for seed, (level, round_) in enumerate(ROUNDS):
        vec.reset(seed=seed, options={"level": level})
        oracle = vec.call("oracle_action")
        vec.step(tuple(oracle[i] if _correct(level, round_, i) else WRONG for i in range(NUM_ENVS)))


def _play_trainer_driven(controller: Controller) -> None:
    """The trainer owns the controller: it passes levels in and reports rewards itself."""
    env = gym.make(ENV_ID, level=0)
    for seed, (level, round_) in enumerate(ROUNDS):
        for index in range(NUM_ENVS):
            _, info = env.reset(seed=seed * NUM_ENVS + index, options={"level": level})
            action = env.unwrapped.oracle_action() if _correct(level, round_, index) else WRONG
            _, reward, *_ = env.step(action)
            controller.update(info["level"], float(reward), info["task_id"])
    env.close()


def test_three_modes_see_the_same_curriculum_state() -> None:
    trainer = _thompson()
    _play_trainer_driven(trainer)

    sync = rlvr_envs.make_vec(ENV_ID, NUM_ENVS, mode="sync", curriculum=_thompson())
    assert all(env.unwrapped.curriculum is sync.curriculum for env in sync.envs)  # type: ignore[attr-defined]
    _play_vector(sync)
    sync.close()

    asynchronous = rlvr_envs.make_vec(ENV_ID, NUM_ENVS, mode="async", curriculum=_thompson())
    _play_vector(asynchronous)
    async_summary = _summary(asynchronous.curriculum)  # type: ignore[attr-defined]
    asynchronous.close()

    expected = _summary(trainer)
    assert expected["episodes"] == len(ROUNDS) * NUM_ENVS
    assert _summary(sync.curriculum) == expected  # type: ignore[attr-defined]
    assert async_summary == expected


def test_an_update_in_one_worker_moves_every_workers_level() -> None:
    frontier = Frontier(min_rollouts=1, threshold=1.0, window=1)
    vec = rlvr_envs.make_vec(ENV_ID, 2, mode="async", curriculum=frontier)
    try:
        _, info = vec.reset(seed=0)
        assert list(info["level"]) == [0, 0]
        oracle = vec.call("oracle_action")
        vec.step((oracle[0], WRONG))  # only worker 0 succeeds; whatever the order, the frontier rises
        _, info = vec.reset(seed=1)
        assert list(info["level"]) == [1, 1]  # worker 1 sees worker 0's progress
        assert vec.curriculum.frontier() == 1  # type: ignore[attr-defined]
        vec.curriculum.load_state({**frontier.state().model_dump(), "stats": {"frontier": 7}})  # type: ignore[attr-defined]
        _, info = vec.reset(seed=2)
        assert list(info["level"]) == [7, 7]
    finally:
        vec.close()


def test_unshared_copies_learn_separately() -> None:
    vec = rlvr_envs.make_vec(ENV_ID, 2, mode="sync", curriculum=Frontier(), share_curriculum=False)
    first, second = (env.unwrapped.curriculum for env in vec.envs)  # type: ignore[attr-defined]
    assert first is not second
    vec.close()


def test_remote_sampling_consumes_the_rng_exactly_like_local_sampling() -> None:
    local = Thompson(high=6)
    for level in range(4):
        local.update(level, 1.0 if level < 2 else 0.0)
    with SharedCurriculum(Thompson(high=6)) as shared:
        shared.local.load_state(local.state())
        remote = shared.client()
        local_rng, remote_rng = np.random.default_rng(11), np.random.default_rng(11)
        assert [local.sample(local_rng) for _ in range(30)] == [remote.sample(remote_rng) for _ in range(30)]
        assert local_rng.random() == remote_rng.random()


def _worker_updates(client: RemoteController, count: int) -> None:
    for _ in range(count):
        client.update(0, 1.0)


def test_proxy_survives_pickling_into_spawned_processes() -> None:
    with SharedCurriculum(Frontier(min_rollouts=1000)) as shared:
        client = pickle.loads(pickle.dumps(shared.client()))
        context = multiprocessing.get_context("spawn")
        workers = [context.Process(target=_worker_updates, args=(client, 25)) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        assert [worker.exitcode for worker in workers] == [0, 0]
        assert shared.local.state().model_dump()["stats"]["rollouts"] == 50


def test_closed_server_and_bad_requests_give_clear_errors() -> None:
    shared = SharedCurriculum(Frontier())
    client = shared.client()
    assert client.frontier() == 0
    with pytest.raises(RLVRError, match="not a controller method"):
        client._call("__class__")
    with pytest.raises(Exception, match="stats"):
        client.load_state({"kind": "frontier", "stats": {"frontier": "x"}})  # the server's error travels back
    shared.close()
    shared.close()  # idempotent
    with pytest.raises(RLVRError, match="shared curriculum"):
        client.frontier()
    with pytest.raises(AttributeError):
        client.no_such_report  # noqa: B018


def test_a_seed_gives_the_same_task_seed_whatever_the_controller() -> None:
    """The env draws one number per reset; controllers use their own stream derived from it."""

    def seeds(curriculum: dict[str, Any]) -> list[str]:
        env = gym.make(ENV_ID, curriculum=curriculum)
        out = []
        for seed in range(5):
            _, info = env.reset(seed=seed)
            env.step("\\boxed{0}")
            _, info = env.reset()  # unseeded: continues the env's own stream
            out.append(info["task_id"].rsplit(":", 1)[1])
        return out

    assert seeds({"kind": "fixed", "level": 2}) == seeds({"kind": "thompson"}) == seeds({"kind": "uniform"})
