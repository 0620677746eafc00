"""`RLVREnv`: the one generic multi-turn gymnasium env that runs any `TaskFamily`.

It owns seeding, level choice (curriculum), turn limits, the chat transcript and the
gymnasium contract; the family owns the task, the protocol and the verifier. See
``docs/env-contract.md`` for the contract every env honours.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from concurrent.futures import Executor
from typing import Any

import gymnasium as gym
import numpy as np
from pydantic import ValidationError

from rlvr_envs.core.family import EpisodeState, TaskFamily
from rlvr_envs.core.spaces import UnicodeText
from rlvr_envs.core.types import Task, Verdict
from rlvr_envs.curriculum import Controller, Fixed, Mixture
from rlvr_envs.errors import FamilyError, InvalidOptionError, RLVRError, suggest

logger = logging.getLogger(__name__)

RESET_OPTIONS = frozenset({"level", "task", "task_id"})
_TRUNCATION_MARK = "\n[... truncated by the environment ...]"
_ENDED_MESSAGE = "The episode has ended; call reset() to start a new one."


def make_task_id(family: str, level: int, task_seed: int) -> str:
    """The id of a generated task: enough to regenerate it (``family:level:seedhex``)."""
    return f"{family}:{level}:{task_seed:016x}"


def parse_task_id(task_id: str) -> tuple[str, int, int] | None:
    """Inverse of `make_task_id`; ``None`` when ``task_id`` is not a generated-task id."""
    parts = task_id.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    try:
        return parts[0], int(parts[1]), int(parts[2], 16)
    except ValueError:
        return None


_CURRICULUM_KEY = 0x6375_7272  # separates the curriculum's stream from the task's (SeedSequence entropy)


def task_rng(task_seed: int, level: int) -> np.random.Generator:
    """The generator a task is built from: a pure function of (seed, level), never ``seed + idx``."""
    return np.random.default_rng(np.random.SeedSequence([task_seed, level]))


class RLVREnv(gym.Env[Any, str]):
    """A multi-turn, text-in/text-out gymnasium env over a `TaskFamily`.

    Args:
        family: the task family (generator + protocol + verifier).
        env_id: the registered id, reported in ``info`` and episode records.
        max_turns: agent turns before the episode is truncated.
        curriculum: level controller used when ``reset`` gets no ``level`` option.
        reward_shaping: pass per-turn `Feedback.reward` through (otherwise non-final rewards are 0).
        max_action_chars: longer actions are cut to this length before the family sees them.
        max_observation_chars: longer observations are cut (with a visible marker).
        render_mode: ``"ansi"`` (returns the transcript) or ``"human"`` (prints it).

    Example:
        >>> import gymnasium as gym, rlvr_envs
        >>> env = gym.make("rlvr/Math-v0")
        >>> obs, info = env.reset(seed=0, options={"level": 2})
        >>> obs, reward, terminated, truncated, info = env.step("\\\\boxed{42}")
    """

    metadata: dict[str, Any] = {"render_modes": ["ansi", "human"], "render_fps": 1}  # noqa: RUF012 - gymnasium API

    def __init__(
        self,
        family: TaskFamily,
        *,
        env_id: str = "rlvr/Custom-v0",
        max_turns: int = 1,
        curriculum: Controller | None = None,
        reward_shaping: bool = False,
        max_action_chars: int = 16_384,
        max_observation_chars: int = 65_536,
        render_mode: str | None = None,
    ) -> None:
        if max_turns < 1:
            raise InvalidOptionError(f"max_turns must be >= 1, got {max_turns}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise InvalidOptionError(
                f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}"
            )
        self.family = family
        self.env_id = env_id
        self.max_turns = max_turns
        if isinstance(curriculum, Mixture):
            raise InvalidOptionError(
                "a Mixture curriculum chooses between envs; wrap the components in rlvr_envs.MixtureEnv instead"
            )
        self.curriculum: Controller = curriculum if curriculum is not None else Fixed(0)
        self.reward_shaping = reward_shaping
        self.max_action_chars = max_action_chars
        self.max_observation_chars = max_observation_chars
        self.render_mode = render_mode
        self.observation_space = family.observation_space(max_observation_chars)
        self.action_space = UnicodeText(max_action_chars)
        self.state: EpisodeState | None = None
        self._tools: list[dict[str, Any]] = []
        self._ended: tuple[bool, bool] | None = None

    # ---- gymnasium API ----------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Start an episode. ``options``: ``level`` (int), ``task`` (Task or dict), ``task_id`` (str)."""
        super().reset(seed=seed)
        task = self._choose_task(options or {})
        messages: list[dict[str, Any]] = []
        system = self.family.system_prompt(task)
        if system:
            messages.append({"role": "system", "content": system})
        first = self.family.first_prompt(task)
        messages.append({"role": "user", "content": first})
        self.state = EpisodeState(task=task, messages=messages)
        self._tools = self.family.tools(task)
        self._ended = None
        return self._observe(self.state, first), self._info(self.state)

    def step(self, action: str) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Play one agent turn. Any ``str`` is accepted; bad text yields feedback or a low reward."""
        state = self.state
        if state is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        action = _as_text(action)
        if self._ended is not None:
            terminated, truncated = self._ended
            return self._observe(state, _ENDED_MESSAGE), 0.0, terminated, truncated, self._info(state)
        if len(action) > self.max_action_chars:
            action = action[: self.max_action_chars]
        state.messages.append({"role": "assistant", "content": action})
        state.turn += 1
        result = self._safe(lambda: self.family.respond(state, action))
        if isinstance(result, Verdict):
            return self._finish(state, result, content=result.reason, terminated=True)
        message: dict[str, Any] = {"role": result.role, "content": result.message}
        if result.tool_call_id is not None:
            message["tool_call_id"] = result.tool_call_id
        state.messages.append(message)
        if state.turn >= self.max_turns:
            verdict = self._safe(lambda: self.family.on_truncate(state))
            ending = f"The turn limit ({self.max_turns}) has been reached. {verdict.reason}".strip()
            return self._finish(state, verdict, content=ending, terminated=False)
        reward = result.reward if self.reward_shaping else 0.0
        info = self._info(state)
        if result.info:
            info["feedback"] = result.info
        return self._observe(state, result.message), reward, False, False, info

    # ---- asyncio API ------------------------------------------------------------------------
    async def areset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None, executor: Executor | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """`reset` off the event loop (task generation can be slow: long contexts, rendered scenes).

        ``executor`` defaults to the loop's default thread pool. The env is not thread-safe: await one
        call at a time per env (one env per episode in flight, as with vector envs).
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, lambda: self.reset(seed=seed, options=options))

    async def astep(
        self, action: str, *, executor: Executor | None = None
    ) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """`step` off the event loop, so sandbox runs and math-verify deferrals never block it.

        The verifiers' own time limits still apply; a caller that needs a hard deadline wraps this in
        ``asyncio.wait_for`` and drops the env when it fires (the worker thread finishes on its own).
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, self.step, action)

    def render(self) -> str | None:
        """The transcript as text (``ansi``) or printed (``human``)."""
        if self.state is None:
            return None
        text = "\n\n".join(
            f"[{m['role']}] {m['content'] if isinstance(m['content'], str) else '<multimodal>'}"
            for m in self.state.messages
        )
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def close(self) -> None:
        """Release the episode (idempotent)."""
        self.state = None

    # ---- conveniences for trainers and tests ------------------------------------------------
    @property
    def task(self) -> Task | None:
        """The current task (``None`` before the first reset)."""
        return self.state.task if self.state is not None else None

    def oracle_action(self) -> str:
        """The family's reward-1 action for the current state."""
        if self.state is None:
            raise gym.error.ResetNeeded("call reset() before asking for the oracle action")
        return self.family.oracle_action(self.state)

    # ---- internals --------------------------------------------------------------------------
    def _choose_task(self, options: dict[str, Any]) -> Task:
        unknown = set(options) - RESET_OPTIONS
        if unknown:
            hints = "".join(suggest(str(name), RESET_OPTIONS) for name in sorted(unknown, key=str))
            raise InvalidOptionError(
                f"unknown reset option(s) {sorted(unknown, key=str)}; allowed: {sorted(RESET_OPTIONS)}.{hints}"
            )
        if options.get("task") is not None:
            raw = options["task"]
            try:
                return raw if isinstance(raw, Task) else Task.model_validate(raw)
            except ValidationError as exc:
                raise InvalidOptionError(f"options['task'] is not a valid Task: {exc}") from exc
        if options.get("task_id") is not None:
            return self._task_from_id(str(options["task_id"]))
        level = options.get("level")
        if level is not None and (isinstance(level, bool) or not isinstance(level, int | np.integer) or level < 0):
            raise InvalidOptionError(f"options['level'] must be an int >= 0, got {level!r}")
        # One draw per reset whatever the controller does: the env's random stream (and so the task
        # a seed gives) never depends on how many numbers a controller happened to consume.
        task_seed = int(self.np_random.integers(0, 2**63 - 1))
        if level is None:
            choice = self.curriculum.choose(np.random.default_rng(np.random.SeedSequence([task_seed, _CURRICULUM_KEY])))
            if choice.task_id is not None:  # a per-task controller replays a task it has seen
                replay = self._replay(choice.task_id)
                if replay is not None:
                    return replay
            level = choice.level
        return self._generate(int(level), task_seed)

    def _replay(self, task_id: str) -> Task | None:
        """The task a controller asked to replay; ``None`` (fresh task instead) if it is not ours."""
        try:
            return self._task_from_id(task_id)
        except InvalidOptionError:
            logger.warning("curriculum asked to replay %r, which %s cannot rebuild", task_id, self.env_id)
            return None

    def _generate(self, level: int, task_seed: int) -> Task:
        task_id = make_task_id(self.family.name, level, task_seed)
        try:
            return self.family.generate(task_rng(task_seed, level), level, task_id=task_id)
        except RLVRError:
            raise
        except Exception as exc:  # a bug in the family: say whose and where, keep the cause chained
            frames = traceback.extract_tb(exc.__traceback__)
            where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
            raise FamilyError(
                f"{type(self.family).__name__}.generate(level={level}) raised {type(exc).__name__}: {exc}{where} "
                f"(task {task_id}); this is a bug in the {self.family.name!r} family"
            ) from exc

    def _task_from_id(self, task_id: str) -> Task:
        task = self.family.task_from_id(task_id)
        if task is not None:
            return task
        parsed = parse_task_id(task_id)
        if parsed is None or parsed[0] != self.family.name:
            raise InvalidOptionError(
                f"task_id {task_id!r} is not a {self.family.name!r} task id "
                f"(expected '{self.family.name}:<level>:<seed hex>' as found in info['task_id'])"
            )
        return self._generate(parsed[1], parsed[2])

    def _safe(self, call: Any) -> Any:
        """Run a family hook; a bug there ends the episode with a flagged zero verdict, never a crash."""
        try:
            return call()
        except Exception as exc:  # the contract: no action may make step() raise
            logger.exception("family %r raised while handling an action", self.family.name)
            return Verdict(
                reward=0.0,
                correct=False,
                components={"internal_error": 1.0},
                reason=f"internal verifier error ({type(exc).__name__}); the episode ends with no reward",
            )

    def _finish(
        self, state: EpisodeState, verdict: Verdict, *, content: str, terminated: bool
    ) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        self._ended = (terminated, not terminated)
        self.curriculum.update(state.task.level, verdict.reward, state.task.task_id)
        info = self._info(state)
        info["verdict"] = verdict.model_dump()
        content = content or f"Episode finished with reward {verdict.reward:+.3f}."
        return self._observe(state, content), float(verdict.reward), terminated, not terminated, info

    def _observe(self, state: EpisodeState, content: Any) -> Any:
        if isinstance(content, str) and len(content) > self.max_observation_chars:
            keep = self.max_observation_chars - len(_TRUNCATION_MARK)
            content = content[:keep] + _TRUNCATION_MARK
        return self.family.to_observation(content, state)

    def _info(self, state: EpisodeState) -> dict[str, Any]:
        info: dict[str, Any] = {
            "env_id": self.env_id,
            "task_id": state.task.task_id,
            "level": state.task.level,
            "turn": state.turn,
            "messages": list(state.messages),
            "tools": self._tools,
        }
        images = self.family.images(state)
        if images is not None:
            info["images"] = list(images)
        return info


def _as_text(action: Any) -> str:
    """Accept ``str`` (and ``bytes``/numpy strings from vector envs); reject other types loudly."""
    if isinstance(action, str):
        return action
    if isinstance(action, bytes | bytearray):
        return bytes(action).decode("utf-8", errors="replace")
    raise InvalidOptionError(f"actions are the model's text (str), got {type(action).__name__}")
