"""The base shop of an episode: catalog, the customer, their past orders, promotions and policies.

`base_world` returns mutable pieces (`WorldParts`) so a scenario can add its wanted products,
near-miss distractors and past orders before `WorldParts.freeze` makes the `World`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from rlvr_envs.tasks.ecommerce.catalog import CATEGORIES, build_catalog, product_ids
from rlvr_envs.tasks.ecommerce.config import Knobs
from rlvr_envs.tasks.ecommerce.db import add_days, price_lines
from rlvr_envs.tasks.ecommerce.models import Coupon, Customer, Order, Policies, Product, World, order_line

_FIRST = (
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Liam",
    "Maya",
    "Noor",
    "Oscar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
)
_LAST = (
    "Adler",
    "Brooks",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quint",
    "Rossi",
    "Sato",
    "Tanaka",
)
_COUPON_WORDS = ("SAVE", "DEAL", "TAKE", "EXTRA", "WELCOME", "SPRING", "FLASH", "BONUS")
BASE_DATE = dt.date(2026, 1, 5)


@dataclass
class WorldParts:
    """A world under construction; scenario setup adds to it, then `freeze` validates nothing and builds."""

    today: str
    products: dict[str, Product]
    stock: dict[str, int]
    customer: Customer
    orders: dict[str, Order]
    coupons: dict[str, Coupon]
    policies: Policies
    spare_ids: list[str]
    used_order_ids: set[str] = field(default_factory=set)

    def new_product_id(self) -> str:
        return self.spare_ids.pop()

    def new_order_id(self, rng: np.random.Generator) -> str:
        while True:
            order_id = f"O{int(rng.integers(1000, 5000))}"
            if order_id not in self.used_order_ids:
                self.used_order_ids.add(order_id)
                return order_id

    def add_past_order(
        self,
        rng: np.random.Generator,
        lines: list[tuple[Product, str]],
        status: str,
        age_days: int,
        delivered_days_ago: int | None = None,
    ) -> Order:
        """A past order of this customer, ``age_days`` old; delivered ones carry their delivery date."""
        today = dt.date.fromisoformat(self.today)
        order_date = (today - dt.timedelta(days=age_days)).isoformat()
        order_lines = [order_line(product, option, 1) for product, option in lines]
        subtotal, discount, shipping, total = price_lines([(p, 1) for p, _ in lines], None, self.policies)
        delivered = None
        if status == "delivered":
            delivered = (
                today
                - dt.timedelta(
                    days=delivered_days_ago
                    if delivered_days_ago is not None
                    else max(0, age_days - self.policies.shipping_days)
                )
            ).isoformat()
        expected = add_days(order_date, self.policies.shipping_days) if status != "delivered" else None
        if status == "shipped" and expected is not None and expected <= self.today:
            expected = add_days(self.today, 1 + int(rng.integers(0, 3)))
        order = Order(
            order_id=self.new_order_id(rng),
            customer_id=self.customer.customer_id,
            lines=tuple(order_lines),
            status=status,
            order_date=order_date,
            expected_date=expected,
            delivered_date=delivered,
            subtotal=subtotal,
            discount=discount,
            shipping=shipping,
            total=total,
        )
        self.orders[order.order_id] = order
        return order

    def freeze(self) -> World:
        return World.model_construct(
            today=self.today,
            products=self.products,
            stock=self.stock,
            customer=self.customer,
            orders=self.orders,
            coupons=self.coupons,
            policies=self.policies,
            next_order=5001,
        )


def _policies(rng: np.random.Generator) -> Policies:
    return Policies(
        return_days=int(rng.choice([14, 30, 45])),
        electronics_return_days=int(rng.choice([7, 10, 15])),
        electronics=tuple(c.name for c in CATEGORIES if c.electronics),
        free_shipping_min=float(rng.choice([35.0, 50.0, 75.0])),
        shipping_fee=float(rng.choice([4.99, 5.99, 7.99])),
        shipping_days=int(rng.integers(2, 7)),
        price_match_days=int(rng.choice([7, 14, 30])),
        bundle_min_items=3,
        bundle_percent=float(rng.choice([5.0, 10.0])),
    )


def _coupons(rng: np.random.Generator) -> dict[str, Coupon]:
    words = rng.permutation(len(_COUPON_WORDS))
    coupons = [
        Coupon(code=f"{_COUPON_WORDS[words[0]]}{(pct := int(rng.choice([5, 10, 15])))}", kind="percent", value=pct),
        Coupon(
            code=f"{_COUPON_WORDS[words[1]]}{(off := int(rng.choice([10, 20, 25])))}",
            kind="fixed",
            value=off,
            min_spend=float(off * int(rng.choice([4, 5, 8]))),
        ),
        Coupon(
            code=f"{_COUPON_WORDS[words[2]]}{(big := int(rng.choice([50, 75, 100])))}",
            kind="fixed",
            value=big,
            min_spend=float(big * int(rng.choice([6, 8, 10]))),
        ),
    ]
    for index in range(2):
        category = CATEGORIES[int(rng.integers(0, len(CATEGORIES)))]
        pct = int(rng.choice([20, 25, 30]))
        word = category.name.split()[0].replace("-", "")[:5].upper()
        coupons.append(
            Coupon(
                code=f"{word}{pct}{'' if index == 0 else 'X'}",
                kind="percent",
                value=pct,
                category=category.name,
                min_spend=float(rng.choice([0, 50, 100])),
            )
        )
    return {coupon.code: coupon for coupon in coupons}


def base_world(rng: np.random.Generator, knobs: Knobs) -> WorldParts:
    """The level's catalog plus a customer with a few past orders, promotions and policies."""
    ids = product_ids(rng, knobs.catalog_size + 200)
    products, stock = build_catalog(rng, knobs.catalog_size, ids[: knobs.catalog_size])
    today = (BASE_DATE + dt.timedelta(days=int(rng.integers(0, 330)))).isoformat()
    customer = Customer(
        customer_id=f"C{int(rng.integers(10000, 99999))}",
        name=f"{_FIRST[int(rng.integers(0, len(_FIRST)))]} {_LAST[int(rng.integers(0, len(_LAST)))]}",
    )
    parts = WorldParts(
        today=today,
        products=products,
        stock=stock,
        customer=customer,
        orders={},
        coupons=_coupons(rng),
        policies=_policies(rng),
        spare_ids=ids[knobs.catalog_size :],
    )
    catalog = list(products.values())
    for _ in range(int(rng.integers(2, 5))):
        product = catalog[int(rng.integers(0, len(catalog)))]
        status = str(rng.choice(["delivered", "delivered", "shipped", "processing"]))
        age = int(rng.integers(3, 120)) if status == "delivered" else int(rng.integers(0, 3))
        parts.add_past_order(rng, [(product, product.variants[0].option)], status, age)
    return parts
