"""The bugs found by playing as a careful assistant: confirmations, several offers at once, statements
that mention a slot, and totals computed from seen prices."""

from __future__ import annotations

from rlvr_envs.tasks.ecommerce.agents import call
from rlvr_envs.tasks.ecommerce.db import money
from rlvr_envs.tasks.ecommerce.episode import Episode
from rlvr_envs.tasks.ecommerce.goals import satisfies
from rlvr_envs.tasks.ecommerce.phrases import ACTS, describe

from .conftest import discovery_episode, make_task


def _said(act: str, text: str) -> bool:
    return any(option.split("{")[0].strip() in text for option in ACTS[act])


def _discovery(level: int, predicate=lambda e: True) -> Episode:  # type: ignore[no-untyped-def]
    return discovery_episode(level, predicate)


def _target(episode: Episode) -> str:
    return episode.goal.intents[0].wants[0].target.split("-", 1)[0]


def _near_miss(episode: Episode) -> str:
    want = episode.goal.intents[0].wants[0]
    for product in episode.world.products.values():
        if product.category == want.category and product.product_id != _target(episode):
            broken = satisfies(product, product.variants[0].option, want)
            if broken and broken[0] != "size":
                return product.product_id
    raise AssertionError("no near miss")


def test_confirmation_gets_yes_after_a_choice_and_not_yet_before() -> None:
    episode = _discovery(2, lambda e: e.goal.intents[0].wants[0].first_color is None)
    patience = episode.customer.state.patience
    early = episode.step("Shall I go ahead and place the order?").message
    assert _said("confirm_not_yet", early) and episode.customer.state.patience == patience - 1
    pid = _target(episode)
    episode.step(call("get_product", product_id=pid))
    episode.step(f"I suggest {pid}.")
    answer = episode.step("Shall I go ahead and place the order?").message
    assert _said("confirm_yes", answer) and episode.customer.state.patience == patience - 1


def test_two_offers_at_once_are_not_accepted_both() -> None:
    episode = _discovery(4, lambda e: e.goal.intents[0].wants[0].first_color is None)
    target, miss = _target(episode), _near_miss(episode)
    episode.step(call("compare_products", product_ids=[miss, target]))
    patience = episode.customer.state.patience
    answer = episode.step(f"I found two options: {miss} and {target}. Which one would you like?").message
    assert episode.customer.state.accepted == {0: target}
    assert target in answer and "Please order it" not in answer and episode.customer.state.patience == patience


def test_a_statement_about_the_budget_does_not_reveal_it() -> None:
    episode = _discovery(6, lambda e: "max_price" in e.goal.intents[0].wants[0].hidden)
    want = episode.goal.intents[0].wants[0]
    budget = describe("max_price", want.constraints["max_price"], want.attribute)
    answer = episode.step("What do you think of these? They are all within your budget.").message
    assert budget not in answer
    assert budget in episode.step("Is there a price limit I should stay under?").message


def test_a_total_of_seen_prices_is_not_a_hallucination() -> None:
    family, task = make_task("budget_cart", seed=1, level=2)
    episode = family.new_episode(task)
    pids = [w.target.split("-", 1)[0] for w in episode.goal.intents[0].wants][:2]
    episode.step("\n".join(call("get_product", product_id=p) for p in pids))
    prices = [episode.world.products[p].price for p in pids]
    episode.step(f"I suggest {pids[0]} for {money(prices[0])} and {pids[1]} for {money(prices[1])}.")
    episode.step(f"Together that's {money(sum(prices))}.")
    assert not episode.hallucinations
    episode.step(f"With shipping that's {money(sum(prices) + 13.37)}.")
    assert episode.hallucinations
