"""Hallucination detection: facts the agent tells the customer that nothing it saw supports.

Checked in every reply, against the evidence available at that moment (tool results and the
customer's own messages):

- ids (``P12345``, ``O4821``, ``R7001``) must have appeared in the evidence;
- ``$`` amounts must appear in the evidence, or be a sum (of 2-3), difference or percentage discount of
  amounts already told to the customer or from the customer, a cart, an order or a policy (a "together
  that's $609.97" from two quoted prices is supported); in a sentence about exactly one product, an amount must
  be that product's price or an amount from the customer, a cart, an order or a policy;
- colours and brands in a sentence about exactly one product must be that product's (or words the
  customer used);
- "N days" and ISO dates must appear in the evidence;
- an order status word in a sentence about exactly one order must be that order's current status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rlvr_envs.tasks.ecommerce.catalog import CATEGORIES, COLORS
from rlvr_envs.tasks.ecommerce.db import ShopDB
from rlvr_envs.tasks.ecommerce.judge import amounts

_PID = re.compile(r"\bP\d{5}\b")
_OID = re.compile(r"\bO\d{4}\b")
_RID = re.compile(r"\bR\d{4}\b")
_DAYS = re.compile(r"\b(\d{1,3})[\s-]*(?:calendar\s+)?days?\b", re.IGNORECASE)
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_STATUS = ("processing", "shipped", "delivered", "cancelled")
_BRANDS = tuple(brand.lower() for category in CATEGORIES for brand in category.brands)
_WORD = re.compile(r"[a-z]+")
_PERCENT = re.compile(r"(\d{1,2}(?:\.\d+)?)\s?%")
_OPERANDS = 60  # at most this many operands for sums (the most recent), so a check stays cheap
# a status claim, not a promise ("will be delivered", "once shipped", "until delivered" are not claims)
_CLAIM = {
    status: re.compile(rf"(?<!will be )(?<!to be )(?<!once )(?<!until )(?<!when )(?<!not )\b{status}\b")
    for status in _STATUS
}


@dataclass
class Evidence:
    """What the agent has been shown so far."""

    tool_text: list[str] = field(default_factory=list)
    customer_text: list[str] = field(default_factory=list)
    context_amounts: set[float] = field(default_factory=set)  # customer, cart, order, policy amounts
    all_amounts: set[float] = field(default_factory=set)
    told_amounts: set[float] = field(default_factory=set)  # supported amounts the agent already told
    percents: set[float] = field(default_factory=set)  # percentages in tool results (coupons, bundles)

    def add_told(self, text: str) -> None:
        """Remember the amounts of a reply (call after checking it), as operands of later sums."""
        self.told_amounts.update(a for a in amounts(text) if _has(self.all_amounts, a))

    def add_tool(self, name: str, text: str) -> None:
        self.tool_text.append(text)
        self.percents.update(float(p) for p in _PERCENT.findall(text))
        found = amounts(text)
        self.all_amounts.update(found)
        if name not in ("search_products", "get_product", "compare_products"):
            self.context_amounts.update(found)

    def add_customer(self, text: str) -> None:
        self.customer_text.append(text)
        found = amounts(text)
        self.all_amounts.update(found)
        self.context_amounts.update(found)


def _has(pool: set[float], value: float) -> bool:
    return any(abs(value - seen) < 0.01 or (value.is_integer() and abs(value - seen) < 1.0) for seen in pool)


def _cents(value: float) -> int:
    return round(value * 100)


def derived(value: float, evidence: Evidence, in_reply: list[float]) -> bool:
    """Whether ``value`` is a sum of 2-3, a difference, or a percentage (off) of known operands.

    Operands: amounts already told to the customer, context amounts (customer, cart, order, policy) and
    the reply's own supported amounts; not every price in a search result, so a made-up number is
    rarely a sum by chance. Within a cent.
    """
    pool = list(evidence.told_amounts | evidence.context_amounts | {a for a in in_reply if a != value})
    pool = [a for a in pool if _has(evidence.all_amounts, a)][-_OPERANDS:]
    cents = {_cents(a) for a in pool}
    target = _cents(value)

    def near(x: int) -> bool:
        return x in cents or x - 1 in cents or x + 1 in cents

    for i, a in enumerate(pool):
        ca = _cents(a)
        if near(target - ca) or near(ca - target):  # a + b, a - b
            return True
        for percent in evidence.percents:
            if abs(a * percent / 100 - value) < 0.011 or abs(a * (1 - percent / 100) - value) < 0.011:
                return True
        for b in pool[i + 1 :]:
            if near(target - ca - _cents(b)):
                return True
    return False


def unsupported(reply: str, evidence: Evidence, db: ShopDB) -> list[str]:
    """The facts in ``reply`` that the evidence does not support (empty when the reply is grounded)."""
    seen = "\n".join(evidence.tool_text + evidence.customer_text)
    customer = " ".join(evidence.customer_text).lower()
    bad: list[str] = []
    for pattern in (_PID, _OID, _RID):
        for match in pattern.finditer(reply):
            if match.group(0) not in seen:
                bad.append(f"id {match.group(0)} never appeared in a tool result")
    in_reply = amounts(reply)
    for value in in_reply:
        if not _has(evidence.all_amounts, value) and not derived(value, evidence, in_reply):
            bad.append(f"amount ${value:,.2f} is in no tool result")
    for match in _DAYS.finditer(reply):
        if not re.search(rf"(?<!\d){match.group(1)}[\s-]*days?\b", seen, re.IGNORECASE):
            bad.append(f"'{match.group(0)}' is in no tool result")
    for match in _DATE.finditer(reply):
        if match.group(0) not in seen:
            bad.append(f"date {match.group(0)} is in no tool result")
    for sentence in _SENTENCE_END.split(reply):
        bad.extend(_product_sentence(sentence, evidence, db, customer))
        bad.extend(_order_sentence(sentence, db))
    return bad


def _product_sentence(sentence: str, evidence: Evidence, db: ShopDB, customer: str) -> list[str]:
    ids = set(_PID.findall(sentence))
    if len(ids) != 1:
        return []
    product = db.world.products.get(ids.pop())
    if product is None:
        return []
    bad = []
    for value in amounts(sentence):
        if (
            abs(value - product.price) >= 0.01
            and not _has(evidence.context_amounts, value)
            and not derived(value, evidence, amounts(sentence))
        ):
            bad.append(f"{product.product_id} does not cost ${value:,.2f}")
    words = set(_WORD.findall(sentence.lower()))
    for color in COLORS:
        if color in words and color != product.color and color not in customer:
            bad.append(f"{product.product_id} is not {color}")
    for brand in _BRANDS:
        if brand in words and brand != product.brand.lower() and brand not in customer:
            bad.append(f"{product.product_id} is not made by {brand}")
    return bad


def _order_sentence(sentence: str, db: ShopDB) -> list[str]:
    ids = set(_OID.findall(sentence))
    if len(ids) != 1:
        return []
    order = db.orders.get(ids.pop())
    if order is None:
        return []
    low = sentence.lower()
    return [
        f"order {order.order_id} is {order.status}, not {status}"
        for status in _STATUS
        if status != order.status and _CLAIM[status].search(low)
    ]
