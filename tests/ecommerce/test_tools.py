"""Every tool: a working call, and its error paths (they return `error:` text and never raise)."""

from __future__ import annotations

import json

import pytest

from rlvr_envs.core.types import ToolCall
from rlvr_envs.tasks.ecommerce import TOOL_SPECS
from rlvr_envs.tasks.ecommerce.db import ShopDB
from rlvr_envs.tasks.ecommerce.episode import Episode
from rlvr_envs.tasks.ecommerce.tools import TOOLS, run_tool

from .conftest import make_task


def _db(scenario: str = "discovery", seed: int = 1) -> ShopDB:
    family, task = make_task(scenario, seed=seed)
    return family.new_episode(task).db


def _run(db: ShopDB, name: str, **arguments: object) -> str:
    result = run_tool(db, ToolCall(name=name, arguments=arguments))
    assert result.ok != result.text.startswith("error:"), result.text
    return result.text


def _multi_option(db: ShopDB) -> str:
    return next(p.product_id for p in db.world.products.values() if len(p.variants) > 1)


def _in_stock(db: ShopDB) -> tuple[str, str]:
    for product in db.world.products.values():
        for variant in product.variants:
            if db.stock[variant.sku] >= 2:
                return product.product_id, variant.option
    raise AssertionError("no stock")


def test_specs_are_openai_functions_with_at_least_twelve_tools() -> None:
    assert len(TOOL_SPECS) >= 12 and len(TOOL_SPECS) == len(TOOLS)
    for spec in TOOL_SPECS:
        assert spec["type"] == "function"
        function = spec["function"]
        assert function["name"] in TOOLS and function["description"]
        assert function["parameters"]["type"] == "object"
        json.dumps(spec)  # plain JSON
    search = next(s for s in TOOL_SPECS if s["function"]["name"] == "search_products")["function"]["parameters"]
    assert search["properties"]["max_price"]["type"] == "number" and search["required"] == []
    assert next(s for s in TOOL_SPECS if s["function"]["name"] == "get_product")["function"]["parameters"][
        "required"
    ] == ["product_id"]


@pytest.mark.parametrize(
    ("name", "arguments", "needle"),
    [
        ("search_products", {"category": "spaceships"}, "unknown category"),
        ("search_products", {"max_price": "cheap"}, "max_price"),
        ("search_products", {"limit": 500}, "limit"),
        ("search_products", {"colour": "red"}, "colour"),
        ("get_product", {}, "product_id"),
        ("get_product", {"product_id": "P00000"}, "no product"),
        ("get_product", {"product_id": 12345}, "product_id"),
        ("compare_products", {"product_ids": ["P10000"]}, "product_ids"),
        ("compare_products", {"product_ids": ["P00000", "P00001"]}, "no product"),
        ("check_stock", {"product_id": "nonsense"}, "no product"),
        ("add_to_cart", {"product_id": "P00000"}, "no product"),
        ("add_to_cart", {"product_id": "P10000", "quantity": 0}, "quantity"),
        ("remove_from_cart", {"product_id": "P00000"}, "no product"),
        ("view_cart", {"extra": 1}, "extra"),
        ("apply_coupon", {"code": "FREESTUFF"}, "does not exist"),
        ("apply_coupon", {}, "code"),
        ("place_order", {}, "cart is empty"),
        ("list_orders", {"customer": "x"}, "customer"),
        ("get_order", {"order_id": "O0000"}, "no order"),
        ("get_order", {"order_id": None}, "order_id"),
        ("cancel_order", {"order_id": "O0000"}, "no order"),
        ("request_return", {"order_id": "O0000", "product_id": "P10000"}, "no product"),
        ("request_return", {"order_id": "O0000"}, "product_id"),
        ("lookup_policy", {"topic": "warranty"}, "topic"),
        ("reply", {}, "message"),
        ("teleport", {}, "unknown tool"),
    ],
)
def test_error_paths_return_clear_errors(name: str, arguments: dict[str, object], needle: str) -> None:
    db = _db()
    before = db.snapshot()
    result = run_tool(db, ToolCall(name=name, arguments=arguments))
    assert not result.ok and result.text.startswith("error:") and needle in result.text, result.text
    assert db.snapshot() == before  # a failed call changes nothing


def test_option_required_for_multi_option_products_and_unknown_option() -> None:
    db = _db()
    pid = _multi_option(db)
    text = run_tool(db, ToolCall(name="add_to_cart", arguments={"product_id": pid})).text
    assert "give one as 'option'" in text
    text = run_tool(db, ToolCall(name="add_to_cart", arguments={"product_id": pid, "option": "XXXL"})).text
    assert "has no option" in text


def test_cart_tools_coupon_and_order_flow() -> None:
    db = _db()
    pid, option = _in_stock(db)
    assert "added" in _run(db, "add_to_cart", product_id=pid, option=option, quantity=2)
    assert "x2" in _run(db, "view_cart")
    assert "removed" in _run(db, "remove_from_cart", product_id=pid, option=option, quantity=1)
    code = next(iter(db.world.coupons))
    assert f"coupon {code} applied" in _run(db, "apply_coupon", code=code.lower())
    stock = db.stock[f"{pid}-{'STD' if option == 'standard' else option}"]
    placed = _run(db, "place_order")
    assert placed.startswith("placed order O5001") and db.cart == {}
    assert db.stock[f"{pid}-{'STD' if option == 'standard' else option}"] == stock - 1
    assert "status processing" in _run(db, "get_order", order_id="o5001")
    assert "O5001" in _run(db, "list_orders")
    assert "cancelled order O5001" in _run(db, "cancel_order", order_id="O5001")
    assert db.stock[f"{pid}-{'STD' if option == 'standard' else option}"] == stock
    again = run_tool(db, ToolCall(name="cancel_order", arguments={"order_id": "O5001"}))
    assert not again.ok and "only processing orders" in again.text
    missing = run_tool(db, ToolCall(name="remove_from_cart", arguments={"product_id": pid, "option": option}))
    assert not missing.ok and "not in the cart" in missing.text


def test_add_to_cart_refuses_more_than_stock() -> None:
    db = _db()
    product = next(p for p in db.world.products.values() if len(p.variants) == 1 and db.stock[p.variants[0].sku] == 0)
    result = run_tool(db, ToolCall(name="add_to_cart", arguments={"product_id": product.product_id}))
    assert not result.ok and "in stock" in result.text and db.cart == {}


def test_search_filters_and_paging() -> None:
    db = _db()
    text = _run(db, "search_products", category="tents", max_price=300, min_rating=4.0, limit=3)
    lines = text.splitlines()[1:]
    assert 1 <= len(lines) <= 3
    for line in lines:
        assert "Tent" in line and float(line.split("|")[2].strip().lstrip("$").replace(",", "")) <= 300
        assert float(line.split("rating ")[1].split()[0]) >= 4.0
    none = _run(db, "search_products", query="zzzz-nothing")
    assert none.startswith("no products match")


def test_returns_rules() -> None:
    family, task = make_task("return", seed=2)
    episode = family.new_episode(task)
    db = episode.db
    intent = episode.goal.intents[0]
    order = db.orders[intent.order_id or ""]
    line = order.lines[0]
    wrong_item = run_tool(
        db,
        ToolCall(
            name="request_return",
            arguments={
                "order_id": order.order_id,
                "product_id": _multi_option(db) if _multi_option(db) != line.product_id else "P10000",
                "option": "M",
            },
        ),
    )
    assert not wrong_item.ok
    args = {"order_id": order.order_id, "product_id": line.product_id, "option": line.option}
    assert "recorded" in _run(db, "request_return", **args)
    duplicate = run_tool(db, ToolCall(name="request_return", arguments=args))
    assert not duplicate.ok and "already exists" in duplicate.text
    undelivered = next((o for o in db.orders.values() if o.status != "delivered"), None)
    if undelivered is not None:
        bad = run_tool(
            db,
            ToolCall(
                name="request_return",
                arguments={
                    "order_id": undelivered.order_id,
                    "product_id": undelivered.lines[0].product_id,
                    "option": undelivered.lines[0].option,
                },
            ),
        )
        assert not bad.ok and "only delivered items" in bad.text


def test_policy_topics() -> None:
    db = _db()
    for topic in ("returns", "shipping", "price_match", "bundle", "promotions"):
        assert _run(db, "lookup_policy", topic=topic)
    everything = _run(db, "lookup_policy", topic="all")
    assert "Returns:" in everything and "Promotions" in everything


def test_bad_json_and_unknown_tools_count_as_invalid_calls(shop: tuple[object, object, Episode]) -> None:
    _, _, episode = shop
    outcome = episode.step(
        '<tool_call>{"name": "search_products", "arguments": {</tool_call>'
        '<tool_call>{"name": "fly"}</tool_call><tool_call>[1, 2]</tool_call>'
    )
    assert outcome.role == "tool" and outcome.message.count("error") == 3
    assert episode.invalid_calls == 3 and not episode.ended
