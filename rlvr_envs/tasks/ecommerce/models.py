"""Pydantic models of the shop: catalog, customers, orders, returns, coupons and written policies.

Catalog records are frozen (shared by every episode built from one world); the mutable parts of a
shop (stock, cart, orders, returns) live in `db.ShopDB`, which replaces records instead of editing
them so that a transaction can roll back by restoring shallow copies.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

AttrValue = str | int | bool
OrderStatus = Literal["processing", "shipped", "delivered", "cancelled"]


class Variant(NamedTuple):
    """One purchasable version of a product (a size, or ``standard``); ``sku`` is what carts hold.

    A typed named tuple rather than a model: a catalog holds thousands, and pydantic validates it as a
    field of `Product` all the same.
    """

    sku: str
    product_id: str
    option: str


class Product(BaseModel):
    """A catalog product with typed attributes; its price and rating are facts the agent may quote."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    name: str
    category: str
    brand: str
    color: str
    price: float
    rating: float
    reviews: int
    attributes: dict[str, AttrValue] = Field(default_factory=dict)
    variants: tuple[Variant, ...] = ()


class Customer(BaseModel):
    """The shopper the assistant serves in one episode."""

    model_config = ConfigDict(frozen=True)

    customer_id: str
    name: str


class OrderLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str
    product_id: str
    name: str
    option: str
    quantity: int = Field(ge=1)
    unit_price: float


def order_line(product: Product, option: str, quantity: int) -> OrderLine:
    """The order line for ``quantity`` of ``product`` in ``option``, at today's price."""
    sku = next(v.sku for v in product.variants if v.option == option)
    return OrderLine(
        sku=sku,
        product_id=product.product_id,
        name=product.name,
        option=option,
        quantity=quantity,
        unit_price=product.price,
    )


class Order(BaseModel):
    """A placed order; dates are ISO strings relative to the world's ``today``."""

    model_config = ConfigDict(frozen=True)

    order_id: str
    customer_id: str
    lines: tuple[OrderLine, ...]
    status: OrderStatus
    order_date: str
    expected_date: str | None = None
    delivered_date: str | None = None
    subtotal: float
    discount: float = 0.0
    shipping: float = 0.0
    total: float
    coupon: str | None = None


class ReturnRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    return_id: str
    order_id: str
    sku: str
    kind: Literal["return", "exchange"]
    exchange_sku: str | None = None
    reason: str = ""


class Coupon(BaseModel):
    """A promotion code: ``percent`` off (optionally one category) or a ``fixed`` amount, above a minimum spend."""

    model_config = ConfigDict(frozen=True)

    code: str
    kind: Literal["percent", "fixed"]
    value: float
    min_spend: float = 0.0
    category: str | None = None


class Policies(BaseModel):
    """The shop's written policies; `lookup_policy` renders them and the verifier checks against them."""

    model_config = ConfigDict(frozen=True)

    return_days: int
    electronics_return_days: int
    electronics: tuple[str, ...]
    free_shipping_min: float
    shipping_fee: float
    shipping_days: int
    price_match_days: int
    bundle_min_items: int
    bundle_percent: float

    def window(self, category: str) -> int:
        """Return window in days for a product category (inclusive of the last day)."""
        return self.electronics_return_days if category in self.electronics else self.return_days


class World(BaseModel):
    """A generated shop at the start of an episode (catalog, stock, history, promotions, policies)."""

    model_config = ConfigDict(frozen=True)

    today: str
    products: dict[str, Product]
    stock: dict[str, int]
    customer: Customer
    orders: dict[str, Order]
    coupons: dict[str, Coupon]
    policies: Policies
    next_order: int
