"""TRL adapters: reward functions for `GRPOTrainer` and an ``environment_factory`` for its tool loop.

`reward_funcs` scores completions offline against the Task of an exported dataset (its
``reward_model.ground_truth``, or a ``task`` column)
(`rlvr_envs.integrations.export`): TRL calls ``f(prompts=, completions=, **dataset_columns)`` and
logs each function under its ``__name__``. `environment_factory` gives TRL's multi-turn loop a
class whose public methods are our env's tools; `environment_reward` then steps the env with the
model's final text and returns the verdict's reward.

TRL itself is not imported here: the functions only follow its calling convention, so this module
loads without the ``trl`` extra.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Sequence
from typing import Any

import rlvr_envs
from rlvr_envs.core.registry import registered
from rlvr_envs.core.types import Task
from rlvr_envs.errors import InvalidOptionError
from rlvr_envs.integrations.scoring import completion_messages, load_task, score

RewardFunc = Callable[..., list[float | None]]


def _column(values: Any, index: int) -> Any:
    """Row ``index`` of a batched column (TRL passes each extra dataset column as a list)."""
    if isinstance(values, list | tuple):
        return values[index]
    return values


def _tasks(task: Sequence[Any] | None, kwargs: dict[str, Any], count: int) -> list[Any]:
    """The Task of each row: a ``task`` column if the dataset has one, else the exported
    ``reward_model.ground_truth`` (where `rlvr-envs export` keeps its one copy)."""
    if task is not None:
        return [_column(task, i) for i in range(count)]
    column = kwargs.get("reward_model")
    if column is None:
        raise InvalidOptionError(
            "reward_funcs() needs the exported 'reward_model' column (or a 'task' column of Task JSON)"
        )
    return [_column(column, i)["ground_truth"] for i in range(count)]


def _env_ids(env_id: str | None, kwargs: dict[str, Any], count: int) -> list[str]:
    column = kwargs.get("env_id") if env_id is None else None
    if env_id is None and column is None:
        raise InvalidOptionError(
            "reward_funcs() without env_id needs an 'env_id' column (`rlvr-envs export` writes one)"
        )
    return [env_id if env_id is not None else str(_column(column, i)) for i in range(count)]


def reward_funcs(env_id: str | None = None, components: Sequence[str] = ()) -> list[RewardFunc]:
    """Reward functions for TRL's ``GRPOTrainer(reward_funcs=...)``.

    The first function returns each completion's `Verdict.reward`; then one function per name in
    ``components`` returns that verdict component (``None`` where a verdict lacks it, which TRL
    ignores). Give the component functions weight 0 in ``GRPOConfig(reward_weights=...)`` to log
    them without training on them. Each completion is verified once (cached) however many functions
    ask. ``env_id=None`` reads the env from the dataset's ``env_id`` column (mixed datasets).

    Example:
        >>> funcs = reward_funcs("rlvr/Math-v0", components=["correct"])
        >>> [f.__name__ for f in funcs]
        ['rlvr_reward', 'rlvr_correct']
    """
    if env_id is not None:
        registered(env_id)

    def rlvr_reward(
        prompts: Sequence[Any], completions: Sequence[Any], task: Sequence[Any] | None = None, **kwargs: Any
    ) -> list[float | None]:
        ids = _env_ids(env_id, kwargs, len(completions))
        tasks = _tasks(task, kwargs, len(completions))
        return [score(ids[i], tasks[i], completions[i]).reward for i in range(len(completions))]

    funcs: list[RewardFunc] = [rlvr_reward]
    for name in components:
        funcs.append(_component_func(env_id, name))
    return funcs


def _component_func(env_id: str | None, name: str) -> RewardFunc:
    def component(
        prompts: Sequence[Any], completions: Sequence[Any], task: Sequence[Any] | None = None, **kwargs: Any
    ) -> list[float | None]:
        ids = _env_ids(env_id, kwargs, len(completions))
        tasks = _tasks(task, kwargs, len(completions))
        values: list[float | None] = []
        for i in range(len(completions)):
            verdict = score(ids[i], tasks[i], completions[i])
            values.append(verdict.components.get(name, float(verdict.correct) if name == "correct" else None))
        return values

    component.__name__ = component.__qualname__ = f"rlvr_{name}"
    return component


# ---- environment_factory ------------------------------------------------------------------------

_JSON_TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}


class RLVRToolEnv:
    """Base of the classes `environment_factory` builds: one env episode per TRL rollout.

    TRL calls ``reset(**row)`` before generation and exposes every public method as a tool; the
    generated subclasses add one method per tool of the env. Tool calls become env steps (the
    ``<tool_call>`` text the env parses); the model's final text is stepped by `environment_reward`.
    """

    _env_id: str = ""
    _make_kwargs: dict[str, Any] = {}  # noqa: RUF012 - set per generated subclass

    def __init__(self) -> None:
        self._env = rlvr_envs.make(self._env_id, **self._make_kwargs)
        self._seed_counter = 0
        self._verdict: dict[str, Any] | None = None
        self._reward = 0.0
        self._ended = False

    def reset(self, **row: Any) -> str | None:
        """Start an episode: replay the row's ``task`` (exported datasets) or generate one.

        Returns ``None`` when the dataset's prompt already holds the task, else the first prompt
        (TRL appends it to the last user message).
        """
        options: dict[str, Any] = {}
        exported = row.get("task") or (row.get("reward_model") or {}).get("ground_truth")
        if exported:
            options["task"] = load_task(exported)
        elif row.get("level") is not None:
            options["level"] = int(row["level"])
        seed = row.get("seed")
        if seed is None:
            seed, self._seed_counter = self._seed_counter, self._seed_counter + 1
        obs, info = self._env.reset(seed=int(seed), options=options or None)
        self._verdict, self._reward, self._ended = None, 0.0, False
        if "task" in options and row.get("prompt"):
            return None
        text = obs if isinstance(obs, str) else str(obs)
        system = next((m["content"] for m in info["messages"] if m["role"] == "system"), None)
        return f"{system}\n\n{text}" if isinstance(system, str) else text

    @property
    def task(self) -> Task | None:
        """The task of the current episode."""
        return rlvr_envs.unwrap(self._env).task

    def _act(self, action: str) -> str:
        if self._ended:
            return "The episode has ended."
        obs, reward, terminated, truncated, info = self._env.step(action)
        if terminated or truncated:
            self._ended = True
            self._reward = float(reward)
            self._verdict = info.get("verdict")
        return obs if isinstance(obs, str) else str(obs)

    def _tool(self, name: str, arguments: dict[str, Any]) -> str:
        call = json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False)
        return self._act(f"<tool_call>{call}</tool_call>")

    def _finish(self, completion: Any) -> float:
        """Step the final text (if the episode still runs) and return the episode's reward.

        TRL's rollout ends when the model stops calling tools, so an episode the env would continue
        (a retry prompt, an idle turn) ends here with the family's turn-limit verdict.
        """
        if not self._ended:
            response = completion_messages(completion)
            text = response if isinstance(response, str) else _last_assistant(response)
            self._act(text)
        if not self._ended:  # the rollout is over (no more tool calls): judge it as the turn limit would
            inner = rlvr_envs.unwrap(self._env)
            if inner.state is not None:
                verdict = inner.family.on_truncate(inner.state)
                self._ended, self._reward, self._verdict = True, float(verdict.reward), verdict.model_dump()
        return self._reward

    @property
    def verdict(self) -> dict[str, Any] | None:
        """The final verdict (``None`` while the episode runs)."""
        return self._verdict


def _last_assistant(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "assistant":
            return str(message.get("content") or "")
    return ""


def _tool_method(schema: dict[str, Any]) -> Callable[..., str]:
    """A method with a real signature, type hints and a Google docstring (what TRL turns into a schema)."""
    function = schema.get("function", schema)
    name = str(function["name"])
    parameters = function.get("parameters", {}) or {}
    properties: dict[str, Any] = parameters.get("properties", {}) or {}
    required = set(parameters.get("required", []) or [])
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    annotations: dict[str, Any] = {"return": str}
    doc_args = []
    ordered = sorted(properties, key=lambda key: key not in required)  # required first (no defaults before them)
    for key in ordered:
        spec = properties[key]
        kind = _JSON_TYPES.get(str(spec.get("type", "string")), str)
        default = inspect.Parameter.empty if key in required else None
        annotation = kind if key in required else kind | None
        params.append(
            inspect.Parameter(key, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=annotation)
        )
        annotations[key] = annotation
        doc_args.append(f"    {key}: {spec.get('description', key)}")

    def method(self: RLVRToolEnv, *args: Any, **kwargs: Any) -> str:
        bound = signature.bind(self, *args, **kwargs)
        arguments = {k: v for k, v in bound.arguments.items() if k != "self" and v is not None}
        return self._tool(name, arguments)

    signature = inspect.Signature(params, return_annotation=str)
    method.__signature__ = signature  # type: ignore[attr-defined]
    method.__annotations__ = annotations
    method.__name__ = method.__qualname__ = name
    description = str(function.get("description", name))
    method.__doc__ = (
        f"{description}\n\nArgs:\n" + "\n".join(doc_args) + "\n\nReturns:\n    The tool's output."
        if doc_args
        else f"{description}\n\nReturns:\n    The tool's output."
    )
    return method


def environment_factory(env_id: str, **make_kwargs: Any) -> type[RLVRToolEnv]:
    """A class for TRL's ``GRPOTrainer(environment_factory=...)``: its tools are ``env_id``'s tools.

    Pair it with `environment_reward` (the model's final text ends the episode and is scored)::

        Env = environment_factory("rlvr/LongContextSearch-v0")
        trainer = GRPOTrainer(model=..., environment_factory=Env, reward_funcs=[environment_reward], ...)
    """
    registered(env_id)
    probe = rlvr_envs.make(env_id, **make_kwargs)
    _obs, info = probe.reset(seed=0)
    probe.close()
    namespace: dict[str, Any] = {"_env_id": env_id, "_make_kwargs": dict(make_kwargs)}
    for schema in info["tools"]:
        method = _tool_method(schema)
        name = method.__name__
        if name in ("reset", "get_reward") or name.startswith("_") or hasattr(RLVRToolEnv, name):
            raise InvalidOptionError(f"{env_id}: tool name {method.__name__!r} clashes with the TRL environment API")
        namespace[method.__name__] = method
    class_name = "".join(part for part in env_id.replace("/", "_").replace("-", "_").split("_") if part.isidentifier())
    return type(f"{class_name}ToolEnv", (RLVRToolEnv,), namespace)


def environment_reward(completions: Sequence[Any], environments: Sequence[RLVRToolEnv], **kwargs: Any) -> list[float]:
    """TRL reward function for `environment_factory` envs: finish each episode with its completion."""
    return [env._finish(completion) for completion, env in zip(completions, environments, strict=True)]
