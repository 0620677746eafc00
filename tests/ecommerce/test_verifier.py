"""Each scenario's verdict: the oracle's final state scores 1, subtly wrong final states do not."""

from __future__ import annotations

import pytest

from rlvr_envs.tasks.ecommerce.agents import call, oracle_action
from rlvr_envs.tasks.ecommerce.config import EcomReward
from rlvr_envs.tasks.ecommerce.episode import Episode
from rlvr_envs.tasks.ecommerce.goals import Want, satisfies
from rlvr_envs.tasks.ecommerce.judge import buy_order
from rlvr_envs.tasks.ecommerce.verifier import judge

from .conftest import make_task, play_oracle

WEIGHTS = EcomReward()
SCENARIOS = ["discovery", "substitution", "budget_cart", "return", "order_status", "policy", "coupon", "multi_intent"]


def _episode(scenario: str, seed: int = 0, level: int = 3) -> Episode:
    family, task = make_task(scenario, seed=seed, level=level)
    return family.new_episode(task)


def _find(scenario: str, predicate, level: int = 3) -> Episode:  # type: ignore[no-untyped-def]
    for seed in range(200):
        episode = _episode(scenario, seed, level)
        if predicate(episode):
            return episode
    raise AssertionError(f"no {scenario} task matches")


def _near_miss(episode: Episode, want: Want) -> tuple[str, str]:
    """An in-stock product of the wanted category breaking exactly one constraint."""
    for product in episode.world.products.values():
        if product.category != want.category:
            continue
        for variant in product.variants:
            if episode.db.stock[variant.sku] > 0 and len(satisfies(product, variant.option, want)) == 1:
                return product.product_id, variant.option
    raise AssertionError("no near miss")


def _order_ids(episode: Episode) -> list[str]:
    return [o for o in episode.db.orders if o not in episode.world.orders]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("level", [0, 5, 10])
def test_oracle_final_state_scores_one(scenario: str, level: int) -> None:
    episode = _episode(scenario, seed=level, level=level)
    play_oracle(episode)
    verdict = judge(episode, WEIGHTS)
    assert episode.customer.state.satisfied and verdict.correct and verdict.reward == pytest.approx(1.0), verdict.reason


@pytest.mark.parametrize("scenario", ["discovery", "substitution"])
def test_buying_a_near_miss_fails(scenario: str) -> None:
    episode = _episode(scenario, seed=4)
    play_oracle(episode, until="add_to_cart")
    pid, option = _near_miss(episode, episode.goal.intents[0].wants[0])
    episode.step(call("add_to_cart", product_id=pid, option=option) + call("place_order"))
    episode.step(f"Your order {_order_ids(episode)[0]} is placed.")
    verdict = judge(episode, WEIGHTS)
    assert verdict.components["task"] == 0.0 and not verdict.correct and verdict.reward == 0.0
    assert "unwanted order" in verdict.reason


def test_wrong_size_wrong_quantity_and_untold_order_fail() -> None:
    sized = _find("discovery", lambda e: "size" in e.goal.intents[0].wants[0].constraints, level=6)
    want = sized.goal.intents[0].wants[0]
    pid = want.target.split("-", 1)[0]
    product = sized.world.products[pid]
    other = next(v.option for v in product.variants if v.option != want.constraints["size"])
    sized.db.stock[f"{pid}-{other}"] = 5
    play_oracle(sized, until="add_to_cart")
    sized.step(call("add_to_cart", product_id=pid, option=other) + call("place_order"))
    sized.step(f"Your order {_order_ids(sized)[0]} is placed.")
    assert judge(sized, WEIGHTS).components["task"] == 0.0

    twice = _episode("discovery", seed=8)
    play_oracle(twice, until="add_to_cart")
    target = twice.goal.intents[0].wants[0].target
    twice.db.stock[target] = 5
    option = target.split("-", 1)[1].replace("STD", "standard")
    twice.step(call("add_to_cart", product_id=target.split("-")[0], option=option, quantity=2) + call("place_order"))
    twice.step(f"Your order {_order_ids(twice)[0]} is placed.")
    assert judge(twice, WEIGHTS).components["task"] == 0.0

    silent = _episode("discovery", seed=9)
    actions = play_oracle(silent, until="Your order")
    assert actions and buy_order(silent.goal.intents[0], silent.db) is not None
    silent.step("All done, enjoy!")  # never tells the order number
    verdict = judge(silent, WEIGHTS)
    assert verdict.components["task"] == 0.0 and not silent.customer.state.satisfied


def test_a_duplicate_order_is_collateral_damage() -> None:
    episode = _episode("discovery", seed=10)
    play_oracle(episode, until="Your order")
    target = episode.goal.intents[0].wants[0].target
    episode.db.stock[target] = 5
    option = target.split("-", 1)[1].replace("STD", "standard")
    episode.step(call("add_to_cart", product_id=target.split("-")[0], option=option) + call("place_order"))
    ids = _order_ids(episode)
    episode.step(f"Your orders {ids[0]} and {ids[1]} are placed.")
    verdict = judge(episode, WEIGHTS)
    assert verdict.components["task"] == 0.0 and "unwanted order" in verdict.reason


def test_budget_cart_over_budget_fails() -> None:
    episode = _episode("budget_cart", seed=1)
    play_oracle(episode)
    assert judge(episode, WEIGHTS).correct
    intent = episode.goal.intents[0]
    order_id = _order_ids(episode)[0]
    episode.db.orders[order_id] = episode.db.orders[order_id].model_copy(update={"total": (intent.budget or 0) + 1})
    assert judge(episode, WEIGHTS).components["task"] == 0.0


def test_coupon_must_be_the_best_one() -> None:
    none = _episode("coupon", seed=2)
    play_oracle(none, until="add_to_cart")
    adds = [
        call(
            "add_to_cart",
            product_id=w.target.split("-")[0],
            option=w.target.split("-", 1)[1].replace("STD", "standard"),
        )
        for w in none.goal.intents[0].wants
    ]
    none.step("".join(adds) + call("place_order"))
    none.step(f"Your order {_order_ids(none)[0]} is placed.")
    assert judge(none, WEIGHTS).components["task"] == 0.0

    worse = _episode("coupon", seed=2)
    play_oracle(worse, until="add_to_cart")
    best = oracle_action(worse)
    codes = [c for c in worse.world.coupons if c not in best]
    worse.step("".join(adds) + call("apply_coupon", code=codes[0]) + call("place_order"))
    worse.step(f"Your order {_order_ids(worse)[0]} is placed.")
    verdict = judge(worse, WEIGHTS)
    assert verdict.components["task"] == 0.0, "a coupon that is not the best one must fail"


def test_return_inside_window_needs_the_right_kind_and_the_id_told() -> None:
    exchange = _find("return", lambda e: e.goal.intents[0].exchange_option is not None)
    intent = exchange.goal.intents[0]
    order = exchange.db.orders[intent.order_id or ""]
    line = order.lines[0]
    exchange.step(call("request_return", order_id=order.order_id, product_id=line.product_id, option=line.option))
    exchange.step("Your return request R7001 is recorded.")
    assert judge(exchange, WEIGHTS).components["task"] == 0.0  # a plain return where an exchange was wanted

    untold = _find("return", lambda e: e.goal.intents[0].allowed and not e.goal.intents[0].order_hidden)
    play_oracle(untold, until="Done:")
    untold.step("It is all taken care of.")
    assert judge(untold, WEIGHTS).components["task"] == 0.0


def test_return_outside_window_must_be_refused_with_the_window() -> None:
    refused = _find("return", lambda e: not e.goal.intents[0].allowed and not e.goal.intents[0].order_hidden)
    intent = refused.goal.intents[0]
    order = refused.db.orders[intent.order_id or ""]
    line = order.lines[0]
    refused.step(
        call("get_order", order_id=order.order_id)
        + call("request_return", order_id=order.order_id, product_id=line.product_id, option=line.option)
    )
    refused.step("Your return request R7001 is recorded.")
    verdict = judge(refused, WEIGHTS)
    assert verdict.components["task"] == 0.0 and "unwanted return" in verdict.reason

    vague = _find("return", lambda e: not e.goal.intents[0].allowed and not e.goal.intents[0].order_hidden)
    vague.step(call("get_order", order_id=vague.goal.intents[0].order_id))
    vague.step(f"Sorry, order {vague.goal.intents[0].order_id} cannot be returned.")  # no window given
    assert judge(vague, WEIGHTS).components["task"] == 0.0


def test_order_status_wrong_date_is_unfulfilled_and_hallucinated() -> None:
    episode = _find("order_status", lambda e: not e.goal.intents[0].order_hidden)
    intent = episode.goal.intents[0]
    episode.step(call("get_order", order_id=intent.order_id))
    episode.step(f"Your order {intent.order_id} is {intent.facts[0]}; the date is 2031-01-01.")
    verdict = judge(episode, WEIGHTS)
    assert verdict.components["task"] == 0.0 and verdict.components["hallucination"] == 1.0


def test_cancelling_an_order_nobody_asked_about_is_damage() -> None:
    episode = _find(
        "order_status", lambda e: e.goal.intents[0].facts[0] == "processing" and not e.goal.intents[0].order_hidden
    )
    play_oracle(episode, until="Your order")
    episode.step(call("cancel_order", order_id=episode.goal.intents[0].order_id))
    episode.customer.state.satisfied = False
    verdict = judge(episode, WEIGHTS)
    assert verdict.components["task"] == 0.0 and "changed from processing" in verdict.reason


def test_policy_answer_with_wrong_number_fails() -> None:
    episode = _find("policy", lambda e: e.goal.intents[0].topic == "price_match")
    episode.step(call("lookup_policy", topic="price_match"))
    wrong = 99
    episode.step(f"We refund the difference if the price drops within {wrong} days.")
    verdict = judge(episode, WEIGHTS)
    assert verdict.components["task"] == 0.0 and verdict.components["hallucination"] == 1.0


def test_multi_intent_partial_credit_is_the_share_done() -> None:
    episode = _find(
        "multi_intent",
        lambda e: (
            len(e.goal.intents) >= 2 and e.goal.intents[0].kind == "status" and not e.goal.intents[0].order_hidden
        ),
        level=4,
    )
    play_oracle(episode, until="lookup_policy")
    verdict = judge(episode, WEIGHTS)
    share = 1 / len(episode.goal.intents)
    assert verdict.components["task"] == pytest.approx(share) and not verdict.correct
    assert verdict.reward == pytest.approx(share * 1.0)


def test_reward_weights_and_efficiency() -> None:
    episode = _episode("policy", seed=3)
    for _ in range(6):
        episode.step(call("view_cart"))
    play_oracle(episode)
    verdict = judge(episode, WEIGHTS)
    assert verdict.components["task"] == 1.0 and verdict.components["efficiency"] < 1.0
    expected = WEIGHTS.task + WEIGHTS.efficiency * verdict.components["efficiency"] + WEIGHTS.hallucination
    assert verdict.reward == pytest.approx(expected, abs=1e-6)


def test_hedging_over_statuses_does_not_tell_the_status() -> None:
    episode = _find("order_status", lambda e: not e.goal.intents[0].order_hidden)
    intent = episode.goal.intents[0]
    episode.step(call("get_order", order_id=intent.order_id))
    episode.step(f"Order {intent.order_id} is processing, shipped or delivered; the date is {intent.facts[1]}.")
    assert judge(episode, WEIGHTS).components["task"] == 0.0
