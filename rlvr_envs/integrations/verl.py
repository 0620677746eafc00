"""verl adapter: a ``compute_score`` reward function that dispatches on ``data_source``.

Point verl at it in the trainer config::

    reward:
      custom_reward_function:
        path: <site-packages>/rlvr_envs/integrations/verl.py
        name: compute_score

verl calls ``compute_score(data_source=, solution_str=, ground_truth=, extra_info=)`` once per
response. For rows written by ``rlvr-envs export`` the ``data_source`` is the env id and
``ground_truth`` the serialised Task, so the env's own verifier scores the decoded response. Other
data sources go to verl's ``default_compute_score`` (when verl is installed), so one dataset can mix
our envs with verl's. Multi-turn episodes played by `rlvr_envs.integrations.verl_agent_loop` are
scored by the env during the rollout; verl skips ``compute_score`` for them.

This module does not import verl unless it has to fall back to verl's scorers.
"""

from __future__ import annotations

from typing import Any

from rlvr_envs.envs.api import list_envs
from rlvr_envs.errors import UnknownEnvError
from rlvr_envs.integrations.scoring import score


def _env_id(data_source: str, extra_info: dict[str, Any] | None) -> str | None:
    if data_source in list_envs():
        return data_source
    candidate = (extra_info or {}).get("env_id")
    return candidate if isinstance(candidate, str) and candidate in list_envs() else None


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: dict[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any] | float:
    """verl's reward-function contract: ``{"score": reward, "acc": correct, "timed_out": ...}``.

    The keys are the same for every env so verl can batch them (see `compute_score_with_components`
    for the verdict's components as extra keys).
    """
    return _score(data_source, solution_str, ground_truth, extra_info, components=False, **kwargs)


def compute_score_with_components(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: dict[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any] | float:
    """Like `compute_score`, plus every verdict component as ``rlvr_<name>`` (use it for one env per
    dataset: verl needs the same keys on every row)."""
    return _score(data_source, solution_str, ground_truth, extra_info, components=True, **kwargs)


def _score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: dict[str, Any] | None,
    *,
    components: bool,
    **kwargs: Any,
) -> dict[str, Any] | float:
    env_id = _env_id(data_source, extra_info)
    if env_id is None:
        return _verl_default(data_source, solution_str, ground_truth, extra_info, **kwargs)
    verdict = score(env_id, ground_truth, solution_str)
    result: dict[str, Any] = {
        "score": verdict.reward,
        "acc": float(verdict.correct),
        "timed_out": float(verdict.timed_out),
    }
    if components:
        result.update({f"rlvr_{name}": value for name, value in verdict.components.items()})
    return result


def _verl_default(
    data_source: str, solution_str: str, ground_truth: Any, extra_info: dict[str, Any] | None, **kwargs: Any
) -> dict[str, Any] | float:
    try:
        from verl.utils.reward_score import default_compute_score
    except ImportError as exc:
        raise UnknownEnvError(
            f"data_source {data_source!r} is not an rlvr_envs env id and verl is not installed to score it"
        ) from exc
    result: dict[str, Any] | float = default_compute_score(  # type: ignore[no-untyped-call,unused-ignore]
        data_source, solution_str, ground_truth, extra_info
    )
    return result
