"""The verdict of an episode: final database state vs the goal, information given, efficiency, honesty.

Components in ``Verdict.components``:

- ``task``: share of the customer's intents fulfilled: the database holds what the intent needs
  (the right order, return or no change) *and* the customer was told what they needed (order or
  return id, status and date, policy numbers). Any unwanted change (a stray order, a return outside
  the goal, a cancelled old order) sets it to 0.
- ``efficiency``: 1 while tool calls (invalid ones weigh ``invalid_call_cost``) and turns stay within
  ``par * (1 + slack)``, where par is what the oracle needs for the goal; it falls linearly to 0 at
  twice that.
- ``hallucination``: 1 when any reply stated an unsupported fact (see `facts`), else 0.
- ``left`` / ``satisfied``: how the conversation ended; ``tool_calls``, ``invalid_calls``, ``turns``.

``reward = task * (w_task + w_eff * efficiency + w_hall * (1 - hallucination))``;
``correct`` = every intent fulfilled and no hallucination.
"""

from __future__ import annotations

from rlvr_envs.core.types import Verdict
from rlvr_envs.tasks.ecommerce.config import EcomReward
from rlvr_envs.tasks.ecommerce.episode import Episode
from rlvr_envs.tasks.ecommerce.judge import collateral, intent_done


def _efficiency(used: float, par: int, slack: float) -> float:
    allowed = max(1.0, par * (1.0 + slack))
    if used <= allowed:
        return 1.0
    return max(0.0, 1.0 - (used - allowed) / allowed)


def judge(episode: Episode, weights: EcomReward, *, truncated: bool = False) -> Verdict:
    """Score a finished (or cut-off) episode."""
    goal = episode.goal
    replies = "\n".join(episode.replies)
    fulfilled = [intent_done(intent, episode.db, replies) for intent in goal.intents]
    damage = collateral(goal.intents, episode.db)
    task = 0.0 if damage else sum(fulfilled) / len(fulfilled)
    cost = (episode.tool_calls - episode.invalid_calls) + weights.invalid_call_cost * episode.invalid_calls
    efficiency = min(
        _efficiency(cost, goal.par_calls, weights.slack), _efficiency(episode.turns, goal.par_turns, weights.slack)
    )
    hallucinated = 1.0 if episode.hallucinations else 0.0
    reward = task * (weights.task + weights.efficiency * efficiency + weights.hallucination * (1.0 - hallucinated))
    state = episode.customer.state
    reasons = []
    if damage:
        reasons.append("unwanted changes: " + "; ".join(damage[:3]))
    missing = [intent.kind for intent, ok in zip(goal.intents, fulfilled, strict=True) if not ok]
    if missing:
        reasons.append(f"unfulfilled: {', '.join(missing)}")
    if episode.hallucinations:
        reasons.append("unsupported claims: " + "; ".join(episode.hallucinations[:3]))
    ending = (
        "the customer left unhappy"
        if state.left
        else ("the customer is satisfied" if state.satisfied else "the conversation was cut off")
    )
    reason = f"{ending.capitalize()}. " + (" ".join(reasons) if reasons else "Everything was done right.")
    return Verdict(
        reward=round(min(1.0, max(0.0, reward)), 6),
        correct=task == 1.0 and not episode.hallucinations,
        components={
            "task": task,
            "efficiency": efficiency,
            "hallucination": hallucinated,
            "satisfied": float(state.satisfied),
            "left": float(state.left),
            "turns": float(episode.turns),
            "tool_calls": float(episode.tool_calls),
            "invalid_calls": float(episode.invalid_calls),
            **({"truncated": 1.0} if truncated else {}),
        },
        reason=reason,
        details={
            "intents": [intent.kind for intent in goal.intents],
            "fulfilled": fulfilled,
            "damage": damage,
            "hallucinations": episode.hallucinations[:20],
            "scenario": goal.scenario,
        },
    )
