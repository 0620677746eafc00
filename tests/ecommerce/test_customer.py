"""The simulated customer: deterministic, varied, keeps slots back, rejects wrong offers, runs out of patience."""

from __future__ import annotations

from rlvr_envs.tasks.ecommerce.agents import call, oracle_action
from rlvr_envs.tasks.ecommerce.episode import Episode
from rlvr_envs.tasks.ecommerce.goals import satisfies
from rlvr_envs.tasks.ecommerce.phrases import ACTS, SLOT_NAMES, describe

from .conftest import discovery_episode, make_task

_SCRIPT = ["Hello! What is your budget?", "Which colour and size would you like?", "Hmm.", "What brand?", "ok"]


def _transcript(scenario: str, seed: int, level: int, talk_seed: int | None = None) -> list[str]:
    family, task = make_task(scenario, seed=seed, level=level)
    if talk_seed is not None:
        task = task.model_copy(update={"data": {**task.data, "talk_seed": talk_seed}})
    episode = family.new_episode(task)
    out = [episode.first_message]
    for action in _SCRIPT:
        if episode.ended:
            break
        out.append(episode.step(action).message)
    return out


def test_same_seed_same_conversation() -> None:
    for scenario in ("discovery", "multi_intent", "return"):
        assert _transcript(scenario, 4, 6) == _transcript(scenario, 4, 6)


def test_talk_seed_changes_the_wording_not_the_goal() -> None:
    texts = {tuple(_transcript("discovery", 4, 6, talk_seed=s)) for s in range(8)}
    assert len(texts) >= 4
    family, task = make_task("discovery", seed=4, level=6)
    goals = {
        family.new_episode(task.model_copy(update={"data": {**task.data, "talk_seed": s}})).goal.model_dump_json()
        for s in range(3)
    }
    assert len(goals) == 1


def test_every_act_has_several_phrasings() -> None:
    assert all(len(options) >= 2 for options in ACTS.values())
    assert sum(len(options) >= 3 for options in ACTS.values()) >= len(ACTS) - 2


def _buy(level: int, predicate) -> Episode:  # type: ignore[no-untyped-def]
    return discovery_episode(level, predicate)


def test_hidden_slots_are_revealed_only_when_asked_and_answers_are_consistent() -> None:
    episode = _buy(6, lambda e: "max_price" in e.goal.intents[0].wants[0].hidden)
    want = episode.goal.intents[0].wants[0]
    budget = describe("max_price", want.constraints["max_price"], want.attribute)
    assert budget not in episode.first_message
    first = episode.step("Sure! What is your budget?").message
    again = episode.step("Sorry, what was your budget again?").message
    assert budget in first and budget in again
    unconstrained = [s for s in ("color", "brand", "size") if s not in want.constraints]
    if unconstrained:
        slot = unconstrained[0]
        word = {"color": "colour", "brand": "brand", "size": "size"}[slot]
        answer = episode.step(f"Any preference on {word}?").message
        assert any(option.format(slot=SLOT_NAMES[slot]) in answer for option in ACTS["no_pref"])


def test_wrong_offer_is_rejected_with_the_broken_constraint() -> None:
    episode = _buy(4, lambda e: len(e.goal.intents[0].wants[0].constraints) >= 2)
    want = episode.goal.intents[0].wants[0]
    for product in episode.world.products.values():
        if product.category == want.category:
            broken = satisfies(product, product.variants[0].option, want)
            if broken and broken[0] != "size":
                break
    episode.step(call("get_product", product_id=product.product_id))
    patience = episode.customer.state.patience
    answer = episode.step(f"How about {product.product_id}?").message
    assert product.product_id in answer and describe(broken[0], want.constraints[broken[0]], want.attribute) in answer
    assert (
        episode.customer.state.patience == patience - 1
        and product.product_id not in episode.customer.state.accepted.values()
    )


def test_mind_change_updates_the_goal_the_customer_checks() -> None:
    episode = _buy(
        9,
        lambda e: (
            e.goal.intents[0].wants[0].first_color is not None and "color" not in e.goal.intents[0].wants[0].hidden
        ),
    )
    want = episode.goal.intents[0].wants[0]
    assert f"in {want.first_color}" in episode.first_message
    episode.step(oracle_action(episode))
    answer = episode.step(oracle_action(episode)).message
    assert str(want.constraints["color"]) in answer and episode.customer.state.accepted


def test_patience_runs_out_and_the_customer_leaves() -> None:
    family, task = make_task("policy", seed=1, level=10)
    episode = family.new_episode(task)
    turns = 0
    while not episode.ended:
        outcome = episode.step("I am not sure.")
        turns += 1
    assert episode.customer.state.left and not episode.customer.state.satisfied
    assert turns == episode.goal.patience and any(o.format() in outcome.message for o in ACTS["leave"])


def test_silent_tool_turns_cost_patience() -> None:
    family, task = make_task("policy", seed=2, level=0)
    episode = family.new_episode(task)
    messages = [episode.step(call("view_cart")).message for _ in range(6)]
    assert "Customer:" in messages[-1] and episode.customer.state.patience == episode.goal.patience - 1


def test_hidden_order_number_is_given_when_asked() -> None:
    for seed in range(200):
        family, task = make_task("order_status", seed=seed, level=4)
        episode = family.new_episode(task)
        intent = episode.goal.intents[0]
        if intent.order_hidden:
            break
    assert intent.order_id not in episode.first_message
    assert intent.order_id in episode.step("Could you give me your order number?").message
