"""`RayEnvPool`: env copies in Ray actors (one machine or a cluster) sharing one curriculum actor.

Each `EnvWorker` actor holds ``envs_per_worker`` envs and steps them in one call; the pool fans a
batch of actions out to every worker and gathers the results, so rollouts scale past one machine.
The curriculum lives in a `CurriculumActor`; every env gets a `RayController` that forwards
``choose``/``update`` to it (random generators travel as their state, exactly as in
`rlvr_envs.curriculum.SharedCurriculum`), so all workers learn one curriculum, which the driver
can read or save at any time through ``pool.curriculum``.

Finished episodes reset in the same step (gymnasium's ``SAME_STEP`` autoreset): the returned
observation starts the next episode, and ``info["final_info"]`` / ``info["final_observation"]``
hold the finished one's. Needs ``ray`` (the ``ray`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import rlvr_envs
from rlvr_envs.core.registry import registered
from rlvr_envs.curriculum import (
    FORWARDED_METHODS,
    Controller,
    ForwardingController,
    build_controller,
    controller_from_state,
)
from rlvr_envs.errors import InvalidOptionError, RLVRError

StepResult = tuple[Any, float, bool, bool, dict[str, Any]]


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RLVRError("RayEnvPool needs ray: pip install 'rlvr-envs[ray]'") from exc
    return ray


class CurriculumActorImpl:
    """The body of the curriculum actor: one controller, calls serialised by Ray's actor model."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.controller = controller_from_state(state)
        self._generators: dict[str, np.random.Generator] = {}

    def call(
        self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], states: dict[int, dict[str, Any]]
    ) -> tuple[str, Any, dict[int, dict[str, Any]]]:
        if method not in FORWARDED_METHODS:
            return "error", RLVRError(f"curriculum actor: {method!r} is not a controller method"), {}
        generators = {index: self._generator(state) for index, state in states.items()}
        args = tuple(generators.get(index, arg) for index, arg in enumerate(args))
        try:
            result = getattr(self.controller, method)(*args, **kwargs)
        except Exception as exc:
            return "error", exc, {}
        return "ok", result, {index: dict(g.bit_generator.state) for index, g in generators.items()}

    def _generator(self, state: dict[str, Any]) -> np.random.Generator:
        name = state["bit_generator"]
        if name not in self._generators:
            self._generators[name] = np.random.Generator(getattr(np.random, name)())
        generator = self._generators[name]
        generator.bit_generator.state = state
        return generator


class RayController(ForwardingController):
    """A picklable controller that forwards every call to a `CurriculumActorImpl` actor."""

    def __init__(self, actor: Any) -> None:
        self._actor = actor

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        generators = {i: a for i, a in enumerate(args) if isinstance(a, np.random.Generator)}
        sent = {i: dict(g.bit_generator.state) for i, g in generators.items()}
        wire_args = tuple(None if i in generators else a for i, a in enumerate(args))
        status, result, returned = self._invoke(method, wire_args, kwargs, sent)
        if status == "error":
            raise result
        for index, state in returned.items():
            generators[index].bit_generator.state = state
        return result

    def _invoke(
        self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], states: dict[int, dict[str, Any]]
    ) -> tuple[str, Any, dict[int, dict[str, Any]]]:
        """One call of the actor's `CurriculumActorImpl.call` (a blocking Ray round trip)."""
        result: tuple[str, Any, dict[int, dict[str, Any]]] = _ray().get(
            self._actor.call.remote(method, args, kwargs, states)
        )
        return result


class EnvWorkerImpl:
    """The body of an env actor: ``count`` envs of ``env_id``, stepped together."""

    def __init__(self, env_id: str, count: int, controller: Controller | None, make_kwargs: dict[str, Any]) -> None:
        extra = {"curriculum": controller} if controller is not None else {}
        self.envs = [rlvr_envs.make(env_id, **extra, **make_kwargs) for _ in range(count)]
        self._streams = [np.random.default_rng() for _ in range(count)]

    def reset(self, seeds: Sequence[int | None], options: dict[str, Any] | None) -> list[tuple[Any, dict[str, Any]]]:
        return [env.reset(seed=seed, options=options) for env, seed in zip(self.envs, seeds, strict=True)]

    def step(self, actions: Sequence[str]) -> list[StepResult]:
        results = []
        for env, action in zip(self.envs, actions, strict=True):
            obs, reward, terminated, truncated, info = env.step(action)
            if terminated or truncated:
                final_obs, final_info = obs, info
                obs, info = env.reset()  # the env's own seeded stream continues
                info = {**info, "final_observation": final_obs, "final_info": final_info}
            results.append((obs, float(reward), bool(terminated), bool(truncated), info))
        return results

    def call(self, name: str) -> list[Any]:
        return [getattr(env.unwrapped, name)() for env in self.envs]

    def close(self) -> None:
        for env in self.envs:
            env.close()


class RayEnvPool:
    """``num_workers`` Ray actors with ``envs_per_worker`` envs each, sharing one curriculum actor.

    Args:
        env_id: a registered id.
        num_workers: env actors (spread over the Ray cluster).
        envs_per_worker: envs stepped inside each actor per call (amortises Ray's call overhead).
        curriculum: a `Controller`, a curriculum table, or ``None`` for the spec's own; its state
            seeds the curriculum actor (the object itself is not mutated).
        num_cpus: CPUs Ray reserves per env actor (fractions allowed).
        **make_kwargs: ``gym.make`` overrides for every env (``level=`` fixes the level, no actor).

    Example:
        >>> pool = RayEnvPool("rlvr/Math-v0", num_workers=2)
        >>> obs, infos = pool.reset(seed=0)
        >>> obs, rewards, terminated, truncated, infos = pool.step(["\\\\boxed{1}"] * pool.num_envs)
        >>> pool.curriculum.state()          # the one curriculum all workers updated
        >>> pool.close()
    """

    def __init__(
        self,
        env_id: str,
        num_workers: int,
        *,
        envs_per_worker: int = 1,
        curriculum: Controller | dict[str, Any] | None = None,
        num_cpus: float = 1.0,
        **make_kwargs: Any,
    ) -> None:
        ray = _ray()
        entry = registered(env_id)
        if num_workers < 1 or envs_per_worker < 1:
            raise InvalidOptionError("num_workers and envs_per_worker must be >= 1")
        if not ray.is_initialized():
            ray.init(include_dashboard=False, log_to_driver=False)
        self.env_id = env_id
        self.num_envs = num_workers * envs_per_worker
        self._per_worker = envs_per_worker
        self._curriculum_actor: Any = None
        controller: Controller | None = None
        if "level" not in make_kwargs:
            if isinstance(curriculum, Controller):
                base = curriculum
            else:
                table = curriculum if curriculum is not None else entry.spec.curriculum
                base = build_controller(
                    table, default_level=int(make_kwargs.get("default_level", entry.spec.default_level))
                )
            actor_class = ray.remote(num_cpus=0)(CurriculumActorImpl)
            self._curriculum_actor = actor_class.remote(base.state().model_dump())
            controller = RayController(self._curriculum_actor)
        self.curriculum: Controller | None = controller
        worker_class = ray.remote(num_cpus=num_cpus)(EnvWorkerImpl)
        self._workers = [
            worker_class.remote(env_id, envs_per_worker, controller, dict(make_kwargs)) for _ in range(num_workers)
        ]
        self._closed = False

    def _chunks(self, values: Sequence[Any]) -> list[Sequence[Any]]:
        if len(values) != self.num_envs:
            raise InvalidOptionError(f"expected {self.num_envs} values (one per env), got {len(values)}")
        size = self._per_worker
        return [values[i * size : (i + 1) * size] for i in range(len(self._workers))]

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[list[Any], list[dict[str, Any]]]:
        """Reset every env; env ``i`` gets a seed hashed from ``(seed, i)`` (never ``seed + i``)."""
        seeds: list[int | None] = (
            [int(np.random.SeedSequence([seed, i]).generate_state(1)[0]) for i in range(self.num_envs)]
            if seed is not None
            else [None] * self.num_envs
        )
        parts = _ray().get(
            [w.reset.remote(chunk, options) for w, chunk in zip(self._workers, self._chunks(seeds), strict=True)]
        )
        flat = [item for part in parts for item in part]
        return [obs for obs, _ in flat], [info for _, info in flat]

    def step(
        self, actions: Sequence[str]
    ) -> tuple[list[Any], np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        """Step every env with its action; finished episodes reset in the same call."""
        parts = _ray().get(
            [w.step.remote(chunk) for w, chunk in zip(self._workers, self._chunks(list(actions)), strict=True)]
        )
        flat = [item for part in parts for item in part]
        return (
            [r[0] for r in flat],
            np.array([r[1] for r in flat], dtype=np.float64),
            np.array([r[2] for r in flat], dtype=bool),
            np.array([r[3] for r in flat], dtype=bool),
            [r[4] for r in flat],
        )

    def call(self, name: str) -> list[Any]:
        """Call a no-argument method of every env's `RLVREnv` (e.g. ``"oracle_action"``)."""
        parts = _ray().get([w.call.remote(name) for w in self._workers])
        return [item for part in parts for item in part]

    def close(self) -> None:
        """Close the envs and stop the actors (idempotent)."""
        if self._closed:
            return
        self._closed = True
        ray = _ray()
        try:
            ray.get([w.close.remote() for w in self._workers])
        finally:
            for actor in [*self._workers, self._curriculum_actor]:
                if actor is not None:
                    ray.kill(actor)

    def __enter__(self) -> RayEnvPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
