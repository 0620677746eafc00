"""`MixtureEnv`: one gymnasium env that draws each episode from one of several rlvr envs.

A `Mixture` controller picks the component (re-weighted toward the envs where the policy is still
learning) and the level, through that component's own controller; the episode then runs in the
chosen env unchanged. ``info["component"]`` names it. Use `register_mixture` to give a mixture an
id for ``gym.make``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym

from rlvr_envs.core.env import RLVREnv
from rlvr_envs.core.registry import make_env_from_spec, registered
from rlvr_envs.core.types import Task
from rlvr_envs.curriculum import Controller, Fixed, build_controller
from rlvr_envs.errors import InvalidOptionError


class MixtureEnv(gym.Env[Any, str]):
    """Episodes from several registered envs, chosen by a `Mixture` curriculum.

    Args:
        envs: env ids, or a mapping ``env id -> gym.make keyword overrides`` for each component.
        curriculum: a `Mixture` (or a shared/remote controller serving one), or a table of extra
            `Mixture` parameters (``min_share``, ``progress_weight``...). By default each component
            keeps the curriculum its spec names.
        render_mode: passed to every component.

    Example:
        >>> env = MixtureEnv(["rlvr/Math-v0", "rlvr/MathRetry-v0"])
        >>> obs, info = env.reset(seed=0)
        >>> info["component"]
        'rlvr/MathRetry-v0'
    """

    metadata: dict[str, Any] = {"render_modes": ["ansi", "human"], "render_fps": 1}  # noqa: RUF012 - gymnasium API

    def __init__(
        self,
        envs: Sequence[str] | Mapping[str, Mapping[str, Any] | None],
        *,
        curriculum: Controller | Mapping[str, Any] | None = None,
        render_mode: str | None = None,
    ) -> None:
        overrides = {env_id: {} for env_id in envs} if not isinstance(envs, Mapping) else dict(envs)
        if not overrides:
            raise InvalidOptionError("MixtureEnv needs at least one component env id")
        self.envs: dict[str, RLVREnv] = {
            env_id: make_env_from_spec(env_id, render_mode, **{**(extra or {}), "curriculum": Fixed(0)})
            for env_id, extra in overrides.items()
        }
        self.curriculum = self._mixture(overrides, curriculum)
        first = next(iter(self.envs.values()))
        for env_id, env in self.envs.items():
            if env.observation_space != first.observation_space or env.action_space != first.action_space:
                raise InvalidOptionError(
                    f"MixtureEnv components must share observation and action spaces; {env_id} differs from "
                    f"{first.env_id} ({env.observation_space} vs {first.observation_space})"
                )
        self.observation_space = first.observation_space
        self.action_space = first.action_space
        self.render_mode = render_mode
        self.component: str | None = None
        self._recorded = False

    @staticmethod
    def _mixture(overrides: dict[str, Any], curriculum: Controller | Mapping[str, Any] | None) -> Controller:
        if isinstance(curriculum, Controller):
            return curriculum
        components = {}
        for env_id, extra in overrides.items():
            spec = registered(env_id).spec
            level = (extra or {}).get("level")
            components[env_id] = (
                {"kind": "fixed", "level": level}
                if level is not None
                else dict(spec.curriculum) or {"kind": "fixed", "level": spec.default_level}
            )
        return build_controller({"kind": "mixture", "components": components, **dict(curriculum or {})})

    @property
    def active(self) -> RLVREnv:
        """The component env of the current episode."""
        if self.component is None:
            raise gym.error.ResetNeeded("call reset() first")
        return self.envs[self.component]

    @property
    def task(self) -> Task | None:
        return self.active.task if self.component is not None else None

    def oracle_action(self) -> str:
        return self.active.oracle_action()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Start an episode. ``options``: ``component`` (env id) with optional ``level``/``task_id``/``task``."""
        super().reset(seed=seed)
        options = dict(options or {})
        component = options.pop("component", None)
        if component is None:
            if options:
                raise InvalidOptionError(f"MixtureEnv.reset: options {sorted(options)} need a 'component' too")
            choice = self.curriculum.choose(self.np_random)
            component = choice.component
            options = {"task_id": choice.task_id} if choice.task_id else {"level": choice.level}
        if component not in self.envs:
            raise InvalidOptionError(f"unknown component {component!r}; this mixture has {sorted(self.envs)}")
        self.component = component
        self._recorded = False
        observation, info = self.envs[component].reset(
            seed=int(self.np_random.integers(0, 2**63 - 1)), options=options or None
        )
        info["component"] = component
        return observation, info

    def step(self, action: str) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, info = self.active.step(action)
        info["component"] = self.component
        if (terminated or truncated) and "verdict" in info and not self._recorded:
            self._recorded = True
            self.curriculum.update(info["level"], info["verdict"]["reward"], info["task_id"], component=self.component)
        return observation, reward, terminated, truncated, info

    def render(self) -> str | None:
        return self.active.render() if self.component is not None else None

    def close(self) -> None:
        for env in self.envs.values():
            env.close()


def register_mixture(env_id: str, envs: Sequence[str] | Mapping[str, Any], **mixture_params: Any) -> None:
    """Give a mixture an id: ``gym.make(env_id)`` then builds ``MixtureEnv(envs, curriculum=mixture_params)``."""
    for component in envs:
        registered(component)
    gym.register(
        env_id,
        entry_point="rlvr_envs.envs.mixture:MixtureEnv",
        kwargs={"envs": envs if isinstance(envs, Mapping) else list(envs), "curriculum": mixture_params or None},
        disable_env_checker=True,
    )
