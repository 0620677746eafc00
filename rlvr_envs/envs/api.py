"""The small public API beside ``gym.make``: vector envs, offline verification, listings."""

from __future__ import annotations

import copy
import functools
from typing import Any, Literal

import gymnasium as gym
from pydantic import ValidationError

from rlvr_envs.core.env import RLVREnv
from rlvr_envs.core.family import Transcript
from rlvr_envs.core.registry import family_for, list_specs, registered
from rlvr_envs.core.types import Message, Task, Verdict
from rlvr_envs.curriculum import Controller, SharedCurriculum, build_controller
from rlvr_envs.envs.vector import CurriculumAsyncVectorEnv, CurriculumSyncVectorEnv
from rlvr_envs.errors import InvalidOptionError


def make(env_id: str, **kwargs: Any) -> gym.Env[Any, str]:
    """``gym.make`` with our error for unknown ids (close matches suggested).

    With ``url`` (an ``rlvr-envs serve`` server, ``ws://`` or ``http://``), a gymnasium env whose
    episodes run on that server; ``kwargs`` then go to `rlvr_envs.remote.RemoteGymEnv` (``token``,
    ``timeout_s``).
    """
    url = kwargs.pop("url", None)  # a keyword of **kwargs, so callers passing **overrides still type-check
    if url is not None:
        from rlvr_envs.remote import RemoteGymEnv

        return RemoteGymEnv(str(url), env_id, **kwargs)
    registered(env_id)
    return gym.make(env_id, **kwargs)


def make_vec(
    env_id: str,
    num_envs: int,
    *,
    mode: Literal["sync", "async"] = "async",
    curriculum: Controller | dict[str, Any] | None = None,
    share_curriculum: bool = True,
    **kwargs: Any,
) -> gym.vector.VectorEnv[Any, Any, Any]:
    """A vector env of ``num_envs`` copies sharing one curriculum; text observations use shared memory.

    Actions are a tuple (or list) of strings, one per sub-env; observations come back as a tuple
    of strings (a dict of batches for a ``Dict`` observation space, e.g. VQA's text and image).
    Sub-env ``i`` is seeded with ``seed + i`` by gymnasium when ``reset(seed=seed)``.

    Args:
        curriculum: a `Controller`, a curriculum table, or ``None`` for the spec's own.
        share_curriculum: one controller for all copies (default; in ``async`` mode it is served
            from this process to the workers). ``False`` gives each copy its own.
        **kwargs: ``gym.make`` overrides for every copy.

    The returned vector env has ``.curriculum``: the shared controller, safe to read and save
    while the workers run.
    """
    entry = registered(env_id)
    if num_envs < 1:
        raise InvalidOptionError(f"num_envs must be >= 1, got {num_envs}")
    if mode not in ("sync", "async"):
        raise InvalidOptionError(f"mode must be 'sync' or 'async', got {mode!r}")
    if not share_curriculum or "level" in kwargs:
        return _unshared_vec(env_id, num_envs, mode, curriculum, kwargs)
    if isinstance(curriculum, Controller):
        controller = curriculum
    else:
        table = curriculum if curriculum is not None else entry.spec.curriculum
        controller = build_controller(table, default_level=int(kwargs.get("default_level", entry.spec.default_level)))
    if mode == "sync":
        fns = [functools.partial(gym.make, env_id, curriculum=controller, **kwargs) for _ in range(num_envs)]
        return CurriculumSyncVectorEnv(fns, curriculum=controller)
    shared = SharedCurriculum(controller)
    fns = [functools.partial(gym.make, env_id, curriculum=shared.client(), **kwargs) for _ in range(num_envs)]
    return CurriculumAsyncVectorEnv(fns, shared=shared)


def _unshared_vec(
    env_id: str, num_envs: int, mode: str, curriculum: Controller | dict[str, Any] | None, kwargs: dict[str, Any]
) -> gym.vector.VectorEnv[Any, Any, Any]:
    """Each copy with its own controller (a deep copy when one object was given)."""
    fns = [
        functools.partial(gym.make, env_id, **kwargs)
        if curriculum is None
        else functools.partial(gym.make, env_id, curriculum=copy.deepcopy(curriculum), **kwargs)
        for _ in range(num_envs)
    ]
    return gym.vector.SyncVectorEnv(fns) if mode == "sync" else gym.vector.AsyncVectorEnv(fns)


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
