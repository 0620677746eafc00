"""Transactions: a multi-step change that fails half-way leaves no partial state."""

from __future__ import annotations

import pytest

from rlvr_envs.core.types import ToolCall
from rlvr_envs.tasks.ecommerce.db import ShopError
from rlvr_envs.tasks.ecommerce.tools import run_tool

from .conftest import make_task


def _two_in_stock(db):  # type: ignore[no-untyped-def]
    skus = [v.sku for p in db.world.products.values() for v in p.variants if db.stock[v.sku] >= 2]
    return skus[0], skus[1]


def test_place_order_with_one_line_out_of_stock_changes_nothing() -> None:
    family, task = make_task("discovery", seed=5)
    db = family.new_episode(task).db
    first, second = _two_in_stock(db)
    db.add_to_cart(first, 1)
    db.add_to_cart(second, 2)
    db.stock[second] = 1  # sold elsewhere since it went into the cart
    before = db.snapshot()
    result = run_tool(db, ToolCall(name="place_order"))
    assert not result.ok and "nothing was ordered" in result.text
    assert db.snapshot() == before  # first line's stock not taken, cart kept, no order, counter unchanged
    assert db.next_order == 5001 and not [o for o in db.orders if o not in db.world.orders]


def test_transaction_context_restores_every_map() -> None:
    family, task = make_task("discovery", seed=6)
    db = family.new_episode(task).db
    sku, _ = _two_in_stock(db)
    before = db.snapshot()
    with pytest.raises(ShopError), db.transaction():
        db.stock[sku] -= 1
        db.cart[sku] = 1
        db.coupon = "X"
        db.next_order += 1
        raise ShopError("boom")
    assert db.snapshot() == before


def test_exchange_out_of_stock_records_nothing() -> None:
    for seed in range(40):
        family, task = make_task("return", seed=seed)
        db = family.new_episode(task).db
        goal_intent = family.new_episode(task).goal.intents[0]
        order = db.orders[goal_intent.order_id or ""]
        product = db.world.products[order.lines[0].product_id]
        others = [v for v in product.variants if v.sku != order.lines[0].sku]
        if not others:
            continue
        db.stock[others[0].sku] = 0
        before = db.snapshot()
        result = run_tool(
            db,
            ToolCall(
                name="request_return",
                arguments={
                    "order_id": order.order_id,
                    "product_id": product.product_id,
                    "option": order.lines[0].option,
                    "exchange_option": others[0].option,
                },
            ),
        )
        assert not result.ok and "out of stock" in result.text
        assert db.snapshot() == before
        return
    pytest.fail("no return task with a multi-option product in 40 seeds")


def test_episodes_do_not_share_mutable_state() -> None:
    family, task = make_task("discovery", seed=7)
    one, two = family.new_episode(task), family.new_episode(task)
    sku, _ = _two_in_stock(one.db)
    one.db.stock[sku] = 0
    assert two.db.stock[sku] != 0 and one.world.stock[sku] != 0
