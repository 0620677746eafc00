"""Hallucination detection: claims in replies must be backed by tool results or the customer."""

from __future__ import annotations

from rlvr_envs.tasks.ecommerce.agents import call
from rlvr_envs.tasks.ecommerce.catalog import COLORS
from rlvr_envs.tasks.ecommerce.db import money

from .conftest import make_task


def _episode(seed: int = 3):  # type: ignore[no-untyped-def]
    family, task = make_task("discovery", seed=seed, level=2)
    return family.new_episode(task)


def _product(episode):  # type: ignore[no-untyped-def]
    return next(iter(episode.world.products.values()))


def test_grounded_claims_pass() -> None:
    episode = _episode()
    product = _product(episode)
    episode.step(call("get_product", product_id=product.product_id))
    episode.step(f"{product.product_id} is {product.color}, made by {product.brand}, for {money(product.price)}.")
    assert episode.hallucinations == []


def test_unseen_product_id_is_flagged() -> None:
    episode = _episode()
    episode.step(f"I recommend {_product(episode).product_id}.")
    assert any("never appeared" in h for h in episode.hallucinations)


def test_wrong_price_colour_and_brand_are_flagged() -> None:
    episode = _episode()
    product = _product(episode)
    said = episode.first_message.lower()
    other_color = next(c for c in COLORS if c != product.color and c not in said)
    episode.step(call("get_product", product_id=product.product_id))
    episode.step(f"{product.product_id} costs {money(product.price + 10)} and comes in {other_color}.")
    kinds = " ".join(episode.hallucinations)
    assert "does not cost" in kinds or "in no tool result" in kinds
    assert f"is not {other_color}" in kinds


def test_price_of_another_product_is_flagged_in_a_product_sentence() -> None:
    episode = _episode()
    products = list(episode.world.products.values())
    first, second = products[0], next(p for p in products if abs(p.price - products[0].price) > 1)
    episode.step(call("compare_products", product_ids=[first.product_id, second.product_id]))
    episode.step(f"{first.product_id} is only {money(second.price)}.")
    assert any("does not cost" in h for h in episode.hallucinations)


def test_order_status_and_days_claims() -> None:
    family, task = make_task("order_status", seed=5, level=0)
    episode = family.new_episode(task)
    intent = episode.goal.intents[0]
    status = intent.facts[0]
    wrong = next(s for s in ("processing", "shipped", "delivered") if s != status)
    episode.step(call("get_order", order_id=intent.order_id))
    episode.step(f"Order {intent.order_id} is {wrong}. Returns are accepted for 999 days.")
    joined = " ".join(episode.hallucinations)
    assert f"is {status}, not {wrong}" in joined and "999 days" in joined


def test_promises_are_not_status_claims() -> None:
    family, task = make_task("discovery", seed=5, level=0)
    episode = family.new_episode(task)
    while not episode.ended and "Your order" not in (
        action := __import__("rlvr_envs.tasks.ecommerce.agents", fromlist=["oracle_action"]).oracle_action(episode)
    ):
        episode.step(action)
    order_id = next(o for o in episode.db.orders if o not in episode.world.orders)
    episode.step(f"Your order {order_id} will be delivered soon.")
    assert episode.hallucinations == []


def test_required_facts_need_their_units() -> None:
    from rlvr_envs.tasks.ecommerce.judge import said

    assert said("30 days", "You have 30 days.") and said("30 days", "a 30-day window")
    assert not said("30 days", "\\boxed{30}") and not said("30 days", "130 days")
    assert said("3 items", "orders with 3 or more items") and not said("3 items", "13 items")
    assert said("5%", "5 percent off") and not said("5%", "15%")
    assert said("$5.99", "it costs $5.99") and not said("$5.99", "5.99")
    assert said("2026-03-14", "arrives March 14") and said("shipped", "It has shipped.")


def test_a_bare_number_does_not_answer_a_policy_question() -> None:
    family, task = make_task("policy", seed=0, level=0)
    for seed in range(50):
        family, task = make_task("policy", seed=seed, level=0)
        episode = family.new_episode(task)
        if episode.goal.intents[0].topic in ("returns", "price_match"):
            break
    number = episode.goal.intents[0].facts[0].split()[0]
    episode.step(f"\\boxed{{{number}}}")
    assert not episode.customer.state.done
