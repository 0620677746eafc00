"""Scripted agents: the oracle (plays from the hidden goal) and the naive baseline (buys the first hit).

The oracle only ever says what its own tool results support, so it also shows what a grounded
transcript looks like. Its next action is a pure function of the episode (no memory of its own),
so asking it twice for the same state gives the same action.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rlvr_envs.tasks.ecommerce.catalog import CATEGORY_BY_NAME
from rlvr_envs.tasks.ecommerce.db import money, price_lines
from rlvr_envs.tasks.ecommerce.episode import Episode
from rlvr_envs.tasks.ecommerce.goals import Intent, Want
from rlvr_envs.tasks.ecommerce.judge import buy_order, said
from rlvr_envs.tasks.ecommerce.phrases import describe
from rlvr_envs.tasks.ecommerce.tools import policy_text


def call(name: str, **arguments: Any) -> str:
    """One ``<tool_call>`` block."""
    return f"<tool_call>{json.dumps({'name': name, 'arguments': arguments})}</tool_call>"


def _option(want: Want) -> str:
    option = want.target.split("-", 1)[1]
    return "standard" if option == "STD" else option


def _search_args(want: Want) -> dict[str, Any]:
    args: dict[str, Any] = {"category": want.category}
    for slot, value in want.constraints.items():
        if slot == "max_price":
            args["max_price"] = value
        elif slot in ("color", "brand"):
            args[slot] = value
        elif slot == "min_rating":
            args["min_rating"] = value
        elif slot == "size":
            args["size"] = value
        elif slot == "attribute":
            args["attribute_value"] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    return args


def oracle_action(episode: Episode) -> str:
    """The next action of an agent that knows the goal; ``""`` once the conversation is over."""
    if episode.ended:
        return ""
    state = episode.customer.state
    for k, intent in enumerate(episode.goal.intents):
        if k not in state.done:
            return _next(episode, intent)
    return "Is there anything else I can help you with?"


def _next(episode: Episode, intent: Intent) -> str:
    seen = "\n".join(episode.evidence.tool_text)
    db = episode.db
    if intent.kind == "buy":
        order = buy_order(intent, db)
        if order is not None:
            return f"Your order {order.order_id} is placed. The total is {money(order.total)}."
        pids = [w.target.split("-", 1)[0] for w in intent.wants]
        if not all(pid in seen for pid in pids):
            calls = []
            for want, pid in zip(intent.wants, pids, strict=True):
                if want.exact is None:
                    calls.append(call("search_products", **_search_args(want)))
                calls.append(call("get_product", product_id=pid))
            if intent.requested:
                calls.append(call("check_stock", product_id=intent.requested))
            if intent.best_coupon:
                calls.append(call("lookup_policy", topic="promotions"))
            return "\n".join(calls)
        indexes = [i for i, owner, _ in episode.customer.wants if owner is intent]
        if not all(i in episode.customer.state.accepted for i in indexes):
            return _offer(episode, intent)
        calls = [call("add_to_cart", product_id=w.target.split("-", 1)[0], option=_option(w)) for w in intent.wants]
        if intent.best_coupon:
            lines = [(db.world.products[w.target.split("-", 1)[0]], 1) for w in intent.wants]
            best = max(db.world.coupons.values(), key=lambda c: (price_lines(lines, c, db.world.policies)[1], c.code))
            calls.append(call("apply_coupon", code=best.code))
        calls.append(call("place_order"))
        return "\n".join(calls)
    replies = "\n".join(episode.replies)
    if intent.kind in ("return", "status") and intent.order_hidden and not episode.customer.state.orders_told:
        return "Could you tell me the order number, please?"
    if intent.kind == "policy":
        return _policy_answer(episode, intent, seen, replies)
    order = db.orders[intent.order_id or ""]
    if intent.kind == "return":
        if f"order {order.order_id}:" not in seen:
            calls = [call("get_order", order_id=order.order_id), call("lookup_policy", topic="returns")]
            if intent.allowed:
                line = order.lines[0]
                arguments: dict[str, Any] = {
                    "order_id": order.order_id,
                    "product_id": line.product_id,
                    "option": line.option,
                    "reason": "customer request",
                }
                if intent.exchange_option:
                    arguments["exchange_option"] = intent.exchange_option
                calls.append(call("request_return", **arguments))
            return "\n".join(calls)
        if intent.allowed:
            request = next(r for r in db.returns.values() if r.order_id == order.order_id)
            return f"Done: your {request.kind} request {request.return_id} is recorded."
        window = db.world.policies.window(intent.category or "")
        return (
            f"I'm sorry, but your order {order.order_id} arrived on {order.delivered_date}, and the return "
            f"window for {intent.category} is {window} days, so I can't accept this return."
        )
    if intent.kind == "status":
        if f"order {order.order_id}:" not in seen:
            return call("get_order", order_id=order.order_id)
        status, date = intent.facts
        if status == "delivered":
            return f"Your order {order.order_id} was delivered on {date}."
        if status == "shipped":
            return f"Your order {order.order_id} has shipped; expected delivery is {date}."
        return f"Your order {order.order_id} is processing; expected delivery is {date}."
    return "Is there anything else I can help you with?"


def _policy_answer(episode: Episode, intent: Intent, seen: str, replies: str) -> str:
    policies = episode.db.world.policies
    if policy_text(episode.db, intent.topic or "all") not in seen:
        return call("lookup_policy", topic=intent.topic)
    if intent.topic == "returns":
        text = f"You have {policies.window(intent.category or '')} days from delivery to return {intent.category}."
    elif intent.topic == "shipping":
        text = (
            f"Standard shipping costs {money(policies.shipping_fee)} and is free for orders of "
            f"{money(policies.free_shipping_min)} or more."
        )
    elif intent.topic == "price_match":
        text = f"If our price drops within {policies.price_match_days} days of your purchase, we refund the difference."
    else:
        text = (
            f"Orders with {policies.bundle_min_items} or more items get {policies.bundle_percent:g}% off automatically."
        )
    return text if not all(said(f, replies) for f in intent.facts) else "Anything else?"


def _offer(episode: Episode, intent: Intent) -> str:
    products = episode.db.world.products
    parts = []
    if intent.requested:
        parts.append(f"Unfortunately {intent.requested} is out of stock.")
    for want in intent.wants:
        product = products[want.target.split("-", 1)[0]]
        details = ", ".join(
            describe(slot, value, want.attribute)
            for slot, value in want.constraints.items()
            if slot not in ("color", "brand", "max_price")
        )
        parts.append(
            f"I suggest {product.product_id}, the {product.name}, for {money(product.price)}"
            + (f" ({details})" if details else "")
            + "."
        )
    return " ".join(parts) + " I can order it for you."


_PID_LINE = re.compile(r"^(P\d{5}) \|.*?\| (?:in stock: ([^|\n]+)|in stock)$", re.MULTILINE)
_ORDER = re.compile(r"placed order (O\d{4})")


class NaiveAgent:
    """Buys the first search result of the category the customer names, whatever they asked for.

    Stateless between calls (it reads the turn number from ``info``), so one instance can play
    many episodes, as `rlvr-envs eval` does.
    """

    def __call__(self, observation: Any, info: dict[str, Any]) -> str:
        turn = int(info.get("turn", 0))
        text = observation if isinstance(observation, str) else ""
        if turn == 0:
            first = next((m["content"] for m in info.get("messages", []) if m.get("role") == "user"), "")
            low = str(first).lower()
            category = next((c.name for c in CATEGORY_BY_NAME.values() if c.noun.lower() in low or c.name in low), None)
            return call("search_products", **({"category": category} if category else {}))
        if turn == 1:
            hit = _PID_LINE.search(text)
            if hit is None:
                return "Sorry, I could not find anything."
            option = (hit.group(2) or "standard").split(",")[0].strip()
            return call("add_to_cart", product_id=hit.group(1), option=option) + "\n" + call("place_order")
        placed = _ORDER.search(text)
        if placed:
            return f"Your order {placed.group(1)} is placed."
        return "Is there anything else I can help you with?"


def naive_policy(env: Any) -> NaiveAgent:
    """Policy factory for ``rlvr-envs eval --policy python:rlvr_envs.tasks.ecommerce.agents:naive_policy``."""
    return NaiveAgent()
