"""The customer's hidden goal: intents with constraints, and which of them the customer keeps back.

A goal is data (JSON round-trippable, stored in ``Task.data["goal"]``); `scenarios` draws it and
`verifier` / `customer` read it. `satisfies` is the one place that decides whether a product meets
a want, so the customer's judgement of an offer and the verifier's judgement of an order agree.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rlvr_envs.tasks.ecommerce.models import AttrValue, Product

Slot = Literal["max_price", "color", "brand", "min_rating", "attribute", "size"]
IntentKind = Literal["buy", "return", "status", "policy"]
PolicyTopic = Literal["returns", "shipping", "price_match", "bundle"]


class Want(BaseModel):
    """One product the customer wants: a category plus constraints; ``hidden`` slots are told only when asked."""

    model_config = ConfigDict(frozen=True)

    category: str
    constraints: dict[str, AttrValue | float]
    attribute: str | None = None
    hidden: tuple[str, ...] = ()
    target: str  # a sku that satisfies every (final) constraint; the oracle buys it
    first_color: str | None = None  # mind change: the colour the customer asks for before changing it
    exact: str | None = None  # the customer names this product id (coupon scenario)


class Intent(BaseModel):
    """One thing the customer came for."""

    model_config = ConfigDict(frozen=True)

    kind: IntentKind
    wants: tuple[Want, ...] = ()
    budget: float | None = None
    requested: str | None = None  # substitution: the out-of-stock product the customer asks for first
    best_coupon: bool = False  # coupon: the order must carry the largest achievable discount
    best_discount: float = 0.0
    order_id: str | None = None
    sku: str | None = None
    exchange_option: str | None = None
    allowed: bool = True  # return: inside the window (do it) or outside (refuse, quoting the window)
    order_hidden: bool = False
    topic: PolicyTopic | None = None
    category: str | None = None
    facts: tuple[str, ...] = ()  # tokens that must reach the customer (status, dates, policy numbers)


class Goal(BaseModel):
    model_config = ConfigDict(frozen=True)

    scenario: str
    intents: tuple[Intent, ...]
    patience: int = Field(ge=1)
    par_calls: int
    par_turns: int


def satisfies(product: Product, option: str, want: Want, color: str | None = None) -> list[str]:
    """The constraints of ``want`` that ``product`` in variant ``option`` breaks ([] when it fits).

    ``color`` overrides the wanted colour (the customer's current wish before a mind change).
    """
    if product.category != want.category:
        return ["category"]
    if want.exact is not None:
        return (
            []
            if product.product_id == want.exact and option == want.target.split("-", 1)[1].replace("STD", "standard")
            else ["exact"]
        )
    return [slot for slot, value in want.constraints.items() if _breaks(slot, value, product, option, want, color)]


def _breaks(slot: str, value: AttrValue | float, product: Product, option: str, want: Want, color: str | None) -> bool:
    if slot == "max_price":
        return product.price > float(value)
    if slot == "color":
        return product.color != (color or value)
    if slot == "brand":
        return product.brand != value
    if slot == "min_rating":
        return product.rating < float(value)
    if slot == "attribute":
        return want.attribute is not None and product.attributes.get(want.attribute) != value
    if slot == "size":
        return option != value
    return False
