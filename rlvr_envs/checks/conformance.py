"""The env contract (docs/env-contract.md) as small named checks any registered env can be put through.

Each check is a function ``check(ctx) -> None`` that raises `CheckFailed` with a sentence saying
what is wrong and what to fix; no ``assert`` (``python -O`` would strip them). `run_checks` runs a
list of them and returns one `CheckResult` per check, so a check that crashes is reported, not fatal.
``rlvr-envs check ID`` prints these results; ``tests/conformance/`` runs the same checks per env id.
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import gymnasium as gym
import numpy as np

from rlvr_envs.envs.api import make_vec, unwrap
from rlvr_envs.errors import InvalidOptionError, RLVRError
from rlvr_envs.policies import oracle, random_policy, run_episode


class CheckFailed(Exception):
    """A contract violation; the message says what broke and what to fix."""


@dataclass(frozen=True)
class CheckContext:
    """What a check needs: the env id, the modules that register it, and how hard to look."""

    env_id: str
    imports: tuple[str, ...] = ()  # modules a fresh process must import first (user envs)
    levels: tuple[int, ...] = (0, 1, 2, 4, 6)
    oracle_seeds: int = 12
    random_episodes: int = 60
    random_ceiling: float = 0.25
    fuzz_actions: int = 300
    step_limit_s: float = 10.0
    shortcut_tasks: int = 100  # tasks per level for each shortcut policy (the full audit uses 1,000)

    def make(self) -> gym.Env[Any, str]:
        return gym.make(self.env_id)


@dataclass(frozen=True)
class Check:
    """One named check: ``run(ctx)`` raises `CheckFailed`; ``about`` says what it verifies."""

    name: str
    about: str
    run: Callable[[CheckContext], None]


@dataclass
class CheckResult:
    name: str
    passed: bool
    message: str = ""
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


def fail_unless(condition: bool, message: str) -> None:
    """Raise `CheckFailed(message)` when ``condition`` is false (an ``assert`` that survives ``-O``)."""
    if not condition:
        raise CheckFailed(message)


@contextmanager
def closing(env: Any) -> Iterator[Any]:
    try:
        yield env
    finally:
        env.close()


def observation_key(observation: Any) -> Any:
    """A hashable value equal for equal observations (arrays by shape, dtype and bytes)."""
    if isinstance(observation, np.ndarray):
        return ("array", observation.shape, str(observation.dtype), hashlib.sha256(observation.tobytes()).hexdigest())
    if isinstance(observation, dict):
        return tuple(sorted((key, observation_key(value)) for key, value in observation.items()))
    if isinstance(observation, list | tuple):
        return tuple(observation_key(item) for item in observation)
    return observation


def observation_text(observation: Any) -> str:
    """The text part of an observation (a ``Dict`` observation's ``text`` entry)."""
    return str(observation.get("text", "")) if isinstance(observation, dict) else str(observation)


# ---- the checks ---------------------------------------------------------------------------------
def check_gymnasium_env_checker(ctx: CheckContext) -> None:
    from gymnasium.utils.env_checker import check_env

    env = ctx.make()
    try:
        check_env(env.unwrapped, skip_render_check=True)
    except Exception as exc:  # gymnasium's checker raises AssertionError or its own errors
        raise CheckFailed(f"gymnasium's check_env: {type(exc).__name__}: {exc}") from exc
    env.close()
    try:
        env.close()
    except Exception as exc:
        raise CheckFailed(f"a second close() raised {type(exc).__name__}: {exc}; make close() idempotent") from exc


def check_info_contract(ctx: CheckContext) -> None:
    with closing(ctx.make()) as env:
        observation, info = env.reset(seed=11)
        fail_unless(env.observation_space.contains(observation), "reset()'s observation is not in observation_space")
        missing = [key for key in ("task_id", "level", "turn", "messages", "tools") if key not in info]
        fail_unless(not missing, f"reset()'s info lacks {missing}; RLVREnv._info provides them")
        fail_unless(info["turn"] == 0, f"info['turn'] after reset is {info['turn']}, expected 0")
        fail_unless(info["messages"][-1]["role"] == "user", "the last message after reset must be the user prompt")
        done, turns = False, 0
        while not done:
            observation, reward, terminated, truncated, info = env.step("I am not sure.")
            turns += 1
            fail_unless(-1.0 <= reward <= 1.0, f"reward {reward} is outside [-1, 1]")
            fail_unless(not (terminated and truncated), "a finished episode is terminated XOR truncated, not both")
            fail_unless(info["turn"] == turns, f"info['turn'] is {info['turn']} after {turns} steps")
            done = terminated or truncated
            fail_unless(turns <= 10_000, "the episode never ends on a non-answer; end it at max_turns")
        fail_unless("verdict" in info, "the last step's info has no 'verdict'")
        fail_unless(-1.0 <= info["verdict"]["reward"] <= 1.0, "the verdict's reward is outside [-1, 1]")
        fail_unless(
            "internal_error" not in info["verdict"]["components"],
            "the family raised while scoring 'I am not sure.' (verdict component internal_error); "
            "see the logged traceback and make respond()/verify() total",
        )
        _, reward, terminated, _, _ = env.step("again")
        fail_unless(reward == 0.0 and terminated, "stepping a finished episode must pay 0 and stay terminated")


def check_seeding(ctx: CheckContext) -> None:
    with closing(ctx.make()) as env:
        first, info_a = env.reset(seed=5)
        again, info_b = env.reset(seed=5)
        fail_unless(
            observation_key(first) == observation_key(again) and info_a["task_id"] == info_b["task_id"],
            "the same seed gave two different tasks; draw all randomness from the rng generate() receives",
        )
        ids = {env.reset(seed=seed)[1]["task_id"] for seed in range(40)}
        prompts = {observation_key(env.reset(seed=seed)[0]) for seed in range(40)}
        fail_unless(
            len(ids) == 40 and len(prompts) >= 30,
            f"40 neighbouring seeds gave {len(ids)} task ids and {len(prompts)} prompts (need 40 and >= 30); "
            "the generator ignores much of its rng",
        )


def transcript_digest(env_id: str, seeds: Sequence[int]) -> str:
    """A digest of a fixed script of resets and steps (what two processes must agree on)."""
    env = gym.make(env_id)
    inner = unwrap(env)
    digest = hashlib.sha256()
    for seed in seeds:
        observation, info = env.reset(seed=seed)
        digest.update(repr((observation_key(observation), info["task_id"], info["level"], info["messages"])).encode())
        digest.update(repr(observation_key(info.get("images"))).encode())
        if inner.task is not None:
            digest.update(inner.task.model_dump_json().encode())
        observation, reward, terminated, truncated, info = env.step("a wrong answer: \\boxed{-12345}")
        digest.update(repr((observation_key(observation), reward, terminated, truncated)).encode())
    env.close()
    return digest.hexdigest()


def check_determinism_across_processes(ctx: CheckContext) -> None:
    seeds = ["0", "1", "7", "123456"]
    command = [sys.executable, "-m", "rlvr_envs.checks.replay", ctx.env_id, *seeds]
    for module in ctx.imports:
        command += ["--import", module]

    def digest() -> str:
        out = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        if out.returncode != 0:
            tail = (out.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise CheckFailed(f"the replay process failed: {tail}")
        return str(json.loads(out.stdout.strip().splitlines()[-1])["digest"])

    fail_unless(
        digest() == digest(),
        "two processes given the same seeds saw different tasks or observations; do not depend on hash(), "
        "set iteration order, the clock or global RNGs",
    )


def check_reset_options(ctx: CheckContext) -> None:
    with closing(ctx.make()) as env:
        inner = unwrap(env)
        obs, info = env.reset(seed=3, options={"level": 3})
        fail_unless(info["level"] == 3, f"reset(options={{'level': 3}}) gave level {info['level']}")
        task = inner.task
        if task is None:
            raise CheckFailed("env.unwrapped.task is None after reset")
        replay_obs, replay_info = env.reset(options={"task": task.model_dump()})
        fail_unless(
            observation_key(replay_obs) == observation_key(obs) and replay_info["task_id"] == task.task_id,
            "reset(options={'task': task.model_dump()}) did not replay the task (first_prompt must be a "
            "function of the task alone)",
        )
        by_id_obs, _ = env.reset(options={"task_id": task.task_id})
        fail_unless(
            observation_key(by_id_obs) == observation_key(obs),
            "reset(options={'task_id': ...}) did not rebuild the task; generate() must be a pure function of "
            "(rng, level)",
        )
        for bad in ({"levle": 2}, {"level": -1}):
            try:
                env.reset(options=bad)
            except InvalidOptionError:
                continue
            raise CheckFailed(f"reset(options={bad}) did not raise InvalidOptionError")


def check_pickling(ctx: CheckContext) -> None:
    with closing(ctx.make()) as env:
        env.reset(seed=9)
        try:
            clone = pickle.loads(pickle.dumps(env))
        except Exception as exc:
            raise CheckFailed(
                f"the env cannot be pickled ({type(exc).__name__}: {exc}); AsyncVectorEnv needs it: "
                "keep locks, open files and lambdas out of the family's attributes"
            ) from exc
        fail_unless(unwrap(clone).task == unwrap(env).task, "the unpickled env holds a different task")
        action = unwrap(env).oracle_action()
        fail_unless(clone.step(action)[1] == env.step(action)[1], "the unpickled env scores the oracle differently")


def check_async_vector_env(ctx: CheckContext) -> None:
    from gymnasium.vector.utils import iterate

    vec = make_vec(ctx.env_id, 2, mode="async")
    try:
        observations, _ = vec.reset(seed=21)
        singles = list(iterate(vec.observation_space, observations))
        fail_unless(
            len(singles) == 2 and all(vec.single_observation_space.contains(o) for o in singles),
            "the async vector env's observations are not in the single observation space",
        )
        fail_unless(all(observation_text(o) for o in singles), "an async worker returned an empty observation text")
        returns, finished = [0.0, 0.0], [False, False]
        max_turns = unwrap(ctx.make()).max_turns
        for _ in range(max_turns):
            _, rewards, terminated, truncated, _ = vec.step(tuple(cast(Any, vec).call("oracle_action")))
            for index in range(2):
                if not finished[index]:
                    returns[index] += float(rewards[index])
                    finished[index] = bool(terminated[index] or truncated[index])
            if all(finished):
                break
        fail_unless(
            finished == [True, True] and returns == [1.0, 1.0],
            f"in AsyncVectorEnv the oracle's returns were {returns} (finished {finished}), expected 1.0 each",
        )
    finally:
        vec.close()


def check_sync_vector_env(ctx: CheckContext) -> None:
    from gymnasium.vector.utils import iterate

    vec = make_vec(ctx.env_id, 2, mode="sync")
    try:
        observations, _ = vec.reset(seed=1)
        _, rewards, _, _, _ = vec.step(("junk", "\\boxed{}"))
        count = len(list(iterate(vec.observation_space, observations)))
        fail_unless(count == 2 and len(rewards) == 2, f"SyncVectorEnv of 2 gave {count} observations")
    finally:
        vec.close()


def check_oracle_reaches_one(ctx: CheckContext) -> None:
    with closing(ctx.make()) as env:
        policy = oracle(env)
        for level in ctx.levels:
            for seed in range(ctx.oracle_seeds):
                record = run_episode(env, policy, seed=seed, options={"level": level})
                verdict = record.verdict
                if not (math.isclose(record.reward, 1.0) and verdict is not None and verdict.correct):
                    hint = (
                        " (verify() raised: verdict component internal_error)"
                        if verdict is not None and "internal_error" in verdict.components
                        else ""
                    )
                    raise CheckFailed(
                        f"the oracle scored {record.reward:+.3f} on {record.task_id} (level {level}, seed {seed})"
                        f"{hint}; oracle_action() must earn reward 1 on every task"
                    )


def check_random_below_oracle(ctx: CheckContext) -> None:
    with closing(ctx.make()) as env:
        policy = random_policy(env, seed=0)
        mean = statistics.fmean(run_episode(env, policy, seed=seed).reward for seed in range(ctx.random_episodes))
        fail_unless(
            mean <= ctx.random_ceiling,
            f"random text earns {mean:.3f} on average (limit {ctx.random_ceiling}); the verifier is too lenient",
        )


def check_level_knobs_monotone(ctx: CheckContext) -> None:
    with closing(ctx.make()) as env:
        family = unwrap(env).family
        previous = family.knobs(0)
        grew = False
        for level in range(1, 40):
            current = family.knobs(level)
            fail_unless(current.keys() == previous.keys(), f"knobs({level}) has other keys than knobs({level - 1})")
            for key, value in current.items():
                fail_unless(value >= previous[key], f"knob {key!r} shrinks from level {level - 1} to {level}")
                grew = grew or value > previous[key]
            previous = current
        fail_unless(grew, "no knob grows with the level; knobs(level) should expose the difficulty")


_SPECIAL_ACTIONS = ("\\boxed{9^9^9^9}", "\\boxed{" + "(" * 5000 + "}", "\x00" * 50, "<think>" * 100, "😀" * 200)


def fuzz_actions(count: int, seed: int = 0) -> list[str]:
    """Garbage a model might write: random unicode, and random bodies inside the answer/tool tags."""
    rng = np.random.default_rng(seed)
    actions = list(_SPECIAL_ACTIONS)
    while len(actions) < count:
        size = int(rng.integers(0, 300))
        # Mostly printable, with controls, surrogates-free BMP and astral code points mixed in.
        points = rng.choice([32, 0, 0x80, 0x3000, 0x1F600], size=size) + rng.integers(0, 95, size=size)
        body = "".join(chr(int(p)) for p in points)
        wrap = int(rng.integers(0, 4))
        actions.append(
            (body, f"\\boxed{{{body[:60]}}}", f"<answer>{body[:60]}</answer>", f"<tool_call>{body[:80]}</tool_call>")[
                wrap
            ]
        )
    return actions[:count]


def check_fuzzed_actions(ctx: CheckContext) -> None:
    with closing(ctx.make()) as env:
        env.reset(seed=0)
        task = unwrap(env).task
        for action in fuzz_actions(ctx.fuzz_actions):
            env.reset(options={"task": task})
            start = time.perf_counter()
            try:
                _, reward, _, _, info = env.step(action)
            except Exception as exc:
                raise CheckFailed(f"step({action[:40]!r}...) raised {type(exc).__name__}: {exc}") from exc
            elapsed = time.perf_counter() - start
            fail_unless(elapsed < ctx.step_limit_s, f"step({action[:40]!r}...) took {elapsed:.1f}s; bound the verifier")
            fail_unless(-1.0 <= reward <= 1.0, f"step({action[:40]!r}...) paid {reward}, outside [-1, 1]")
            fail_unless(
                "internal_error" not in info.get("verdict", {}).get("components", {}),
                f"the family raised on the action {action[:40]!r}...; never raise on model output",
            )


#: The conformance group, in the order they run (cheap first).
CONFORMANCE: tuple[Check, ...] = (
    Check("check_env", "gymnasium's env checker passes; close() is idempotent", check_gymnasium_env_checker),
    Check("info", "info keys, reward range, terminated XOR truncated, a verdict at the end", check_info_contract),
    Check("seeding", "same seed, same task; neighbouring seeds differ", check_seeding),
    Check("reset_options", "level / task / task_id options work; bad options raise", check_reset_options),
    Check("knobs", "difficulty knobs are monotone in the level", check_level_knobs_monotone),
    Check("pickle", "a pickled env keeps its episode", check_pickling),
    Check("oracle", "the oracle earns reward 1 at several levels", check_oracle_reaches_one),
    Check("random", "a random policy scores well below the oracle", check_random_below_oracle),
    Check("fuzz", "garbage actions never raise, hang or pay outside [-1, 1]", check_fuzzed_actions),
    Check("sync_vector", "SyncVectorEnv of two copies", check_sync_vector_env),
    Check("async_vector", "AsyncVectorEnv of two worker processes; the oracle earns 1", check_async_vector_env),
    Check("determinism", "two fresh processes see byte-identical episodes", check_determinism_across_processes),
)


def run_check(check: Check, ctx: CheckContext) -> CheckResult:
    """Run one check; a failure or a crash becomes a failed result with a message."""
    start = time.perf_counter()
    try:
        check.run(ctx)
    except CheckFailed as exc:
        return CheckResult(check.name, False, str(exc), time.perf_counter() - start)
    except RLVRError as exc:
        return CheckResult(check.name, False, str(exc), time.perf_counter() - start)
    except Exception as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{frame.filename}:{frame.lineno}"
        message = f"raised {type(exc).__name__}: {exc} (at {where})"
        return CheckResult(check.name, False, message, time.perf_counter() - start)
    return CheckResult(check.name, True, "", time.perf_counter() - start)


def run_checks(
    ctx: CheckContext,
    checks: Sequence[Check] = CONFORMANCE,
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Run ``checks`` in order (all of them, even after a failure) and return their results."""
    results = []
    for check in checks:
        result = run_check(check, ctx)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
