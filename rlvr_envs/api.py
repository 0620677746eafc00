"""The small public API beside ``gym.make``: vector envs, offline verification, listings."""

from __future__ import annotations

from typing import Any, Literal

import gymnasium as gym
from pydantic import ValidationError

from rlvr_envs.core.env import RLVREnv
from rlvr_envs.core.family import Transcript
from rlvr_envs.core.registry import family_for, list_specs, registered
from rlvr_envs.core.types import Message, Task, Verdict
from rlvr_envs.errors import InvalidOptionError


def make(env_id: str, **kwargs: Any) -> gym.Env[Any, str]:
    """``gym.make`` with our error for unknown ids (close matches suggested)."""
    registered(env_id)
    return gym.make(env_id, **kwargs)


def make_vec(
    env_id: str,
    num_envs: int,
    *,
    mode: Literal["sync", "async"] = "async",
    **kwargs: Any,
) -> gym.vector.VectorEnv[Any, Any, Any]:
    """A vector env of ``num_envs`` copies; text observations work with shared memory on.

    Actions are a tuple (or list) of strings, one per sub-env; observations come back as a tuple
    of strings. Sub-env ``i`` is seeded with ``seed + i`` by gymnasium when ``reset(seed=seed)``.
    """
    registered(env_id)
    if num_envs < 1:
        raise InvalidOptionError(f"num_envs must be >= 1, got {num_envs}")
    env_fns = [lambda: gym.make(env_id, **kwargs) for _ in range(num_envs)]
    if mode == "sync":
        return gym.vector.SyncVectorEnv(env_fns)
    if mode == "async":
        return gym.vector.AsyncVectorEnv(env_fns)
    raise InvalidOptionError(f"mode must be 'sync' or 'async', got {mode!r}")


def verify(env_id: str, task: Task | dict[str, Any], response: Transcript) -> Verdict:
    """Score ``response`` (a string or a list of messages) for ``task`` without an env.

    This is the function a trainer calls to score offline (TRL reward functions, verl
    ``compute_score``). The task is ``env.unwrapped.task`` or its ``model_dump()`` saved earlier.
    """
    try:
        task_model = task if isinstance(task, Task) else Task.model_validate(task)
    except ValidationError as exc:
        raise InvalidOptionError(f"verify(): 'task' is not a valid Task: {exc}") from exc
    if not isinstance(response, str):
        response = [m if isinstance(m, Message | dict) else Message.model_validate(m) for m in response]
    return family_for(env_id).verify(task_model, response)


def list_envs() -> list[str]:
    """Every registered ``rlvr_envs`` env id, sorted."""
    return [spec.id for spec in list_specs()]


def unwrap(env: gym.Env[Any, Any]) -> RLVREnv:
    """The `RLVREnv` under gymnasium's wrappers (raises for envs that are not ours)."""
    inner = env.unwrapped
    if not isinstance(inner, RLVREnv):
        raise InvalidOptionError(f"{type(inner).__name__} is not an rlvr_envs environment")
    return inner
