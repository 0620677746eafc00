"""Ground truth about an episode's shop state: which intents the final database fulfils.

Shared by the customer simulator (who notices when an order matching their wish exists) and the
verifier (which scores the final state), so both judge by the same rules. Facts the customer must
be told are matched in the agent's replies by `said`.
"""

from __future__ import annotations

import datetime as dt
import re

from rlvr_envs.tasks.ecommerce.db import ShopDB
from rlvr_envs.tasks.ecommerce.goals import Intent, satisfies
from rlvr_envs.tasks.ecommerce.lexicon import words_to_digits
from rlvr_envs.tasks.ecommerce.models import Order

_COUNTED = re.compile(r"(\d+) (day|item)s")
_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)")


def amounts(text: str) -> list[float]:
    """Every ``$``-amount in ``text`` as a number."""
    out = []
    for match in _MONEY.finditer(text):
        try:
            out.append(float(match.group(1).replace(",", "")))
        except ValueError:
            continue
    return out


def _date_forms(iso: str) -> list[str]:
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return [iso]
    month = day.strftime("%B").lower()
    return [iso, f"{month} {day.day}", f"{day.day} {month}", f"{month[:3]} {day.day}"]


def said(fact: str, text: str, *, digits: bool = True) -> bool:
    """Whether ``fact`` (a status word, date, ``$`` amount, "N days", "N items", ``N%`` or id) appears in ``text``.

    Numbers in words count ("thirty days" says "30 days") unless ``digits`` is false.
    """
    text = words_to_digits(text) if digits and not fact.startswith(("$", "O", "R", "P")) else text
    low = text.lower()
    if fact.startswith("$"):
        value = float(fact[1:].replace(",", ""))
        return any(abs(value - amount) < 0.005 for amount in amounts(text))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", fact):
        return any(form in low for form in _date_forms(fact))
    counted = _COUNTED.fullmatch(fact)
    if counted:  # "30 days", "3 items": the number with its unit ("30-day", "3 or more items")
        number, unit = counted.group(1), counted.group(2)
        return re.search(rf"(?<![\d.]){number}[\s-]*(?:or more\s+|\+\s*)?(?:calendar\s+)?{unit}s?\b", low) is not None
    if fact.endswith("%"):
        number = re.escape(fact[:-1])
        return re.search(rf"(?<![\d.]){number}\s?(?:%|percent)", low) is not None
    return re.search(rf"(?<![\w.]){re.escape(fact.lower())}(?![\w])", low) is not None


def new_orders(db: ShopDB) -> list[Order]:
    return [order for order_id, order in db.orders.items() if order_id not in db.world.orders]


def order_problems(intent: Intent, order: Order, db: ShopDB) -> list[str]:
    """Why ``order`` does not fulfil buy ``intent`` ([] when it does)."""
    problems = []
    if order.status == "cancelled":
        problems.append("cancelled")
    if len(order.lines) != len(intent.wants):
        problems.append(f"{len(order.lines)} lines for {len(intent.wants)} wanted products")
    free = list(order.lines)
    for want in intent.wants:
        match = None
        for line in free:
            product = db.world.products.get(line.product_id)
            if product is not None and line.quantity == 1 and not satisfies(product, line.option, want):
                match = line
                break
        if match is None:
            problems.append(f"no line fits the wanted {want.category}")
        else:
            free.remove(match)
    if intent.budget is not None and order.total > intent.budget + 1e-9:
        problems.append(f"total {order.total:.2f} is over the budget {intent.budget:.2f}")
    if intent.best_coupon and order.discount < intent.best_discount - 0.005:
        problems.append(f"discount {order.discount:.2f} is below the best achievable {intent.best_discount:.2f}")
    return problems


def buy_order(intent: Intent, db: ShopDB) -> Order | None:
    for order in new_orders(db):
        if not order_problems(intent, order, db):
            return order
    return None


def state_ok(intent: Intent, db: ShopDB) -> bool:
    """Whether the database holds what ``intent`` needs (ignoring what was said)."""
    if intent.kind == "buy":
        return buy_order(intent, db) is not None
    if intent.kind == "return":
        mine = [r for r in db.returns.values() if r.order_id == intent.order_id]
        if not intent.allowed:
            return not mine
        if len(mine) != 1 or mine[0].sku != intent.sku:
            return False
        if intent.exchange_option is None:
            return mine[0].kind == "return"
        return (
            mine[0].exchange_sku == f"{intent.sku.split('-', 1)[0]}-{intent.exchange_option}" if intent.sku else False
        )
    return True


def required_facts(intent: Intent, db: ShopDB) -> tuple[str, ...]:
    """What the customer must be told: the new order or return id, or the intent's facts."""
    if intent.kind == "buy":
        order = buy_order(intent, db)
        return (order.order_id,) if order else ()
    if intent.kind == "return" and intent.allowed:
        mine = [r for r in db.returns.values() if r.order_id == intent.order_id]
        return (mine[0].return_id,) if mine else ()
    return intent.facts


def intent_done(intent: Intent, db: ShopDB, replies: str) -> bool:
    """State right, every required fact told, and (for a status question) no other status claimed."""
    if not state_ok(intent, db) or not all(said(fact, replies) for fact in required_facts(intent, db)):
        return False
    return intent.kind != "status" or not _other_status(intent, replies)


_STATUSES = ("processing", "shipped", "delivered", "cancelled")
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")


def _other_status(intent: Intent, replies: str) -> bool:
    """Whether a sentence about the asked order names a status other than its real one (a hedge like
    "it is processing, shipped or delivered" does not count as telling the status)."""
    real = intent.facts[0] if intent.facts else ""
    others = [status for status in _STATUSES if status != real]
    return any(
        (intent.order_id or "").lower() in sentence and any(re.search(rf"\b{s}\b", sentence) for s in others)
        for sentence in _SENTENCES.split(replies.lower())
    )


def collateral(intents: tuple[Intent, ...], db: ShopDB) -> list[str]:
    """State changes nobody asked for: stray orders, returns, cancellations of earlier orders."""
    problems = []
    buys = [i for i in intents if i.kind == "buy"]
    used: set[int] = set()
    for order in new_orders(db):
        if order.status == "cancelled":
            continue
        fits = [k for k, i in enumerate(buys) if k not in used and not order_problems(i, order, db)]
        if fits:
            used.add(fits[0])
        else:
            problems.append(f"unwanted order {order.order_id}")
    wanted_returns = {i.order_id for i in intents if i.kind == "return" and i.allowed}
    for request in db.returns.values():
        if request.order_id not in wanted_returns:
            problems.append(f"unwanted return {request.return_id} on {request.order_id}")
    for order_id, order in db.world.orders.items():
        if db.orders[order_id].status != order.status:
            problems.append(f"order {order_id} changed from {order.status} to {db.orders[order_id].status}")
    return problems
