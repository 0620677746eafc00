"""The in-memory shop database of one episode, with all-or-nothing transactions.

The catalog (products, coupons, policies) is shared and read-only; stock, the cart, orders and
returns belong to the episode. Records are frozen pydantic models that are replaced, never edited,
so `ShopDB.transaction` can snapshot the mutable maps with shallow copies and restore them when a
multi-step operation fails half-way (for instance an order whose second line is out of stock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rlvr_envs.tasks.ecommerce.models import Coupon, Order, Policies, Product, ReturnRequest, World, order_line


class ShopError(Exception):
    """A business-rule failure inside a tool (unknown id, no stock...); its message goes back to the agent."""


def money(value: float) -> str:
    return f"${value:,.2f}"


def add_days(iso: str, days: int) -> str:
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=days)).isoformat()


def days_between(start: str, end: str) -> int:
    return (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days


def coupon_discount(coupon: Coupon, lines: list[tuple[Product, int]], subtotal: float) -> float:
    """The discount ``coupon`` gives on ``lines`` (0 when its minimum spend or category is not met)."""
    if subtotal < coupon.min_spend:
        return 0.0
    if coupon.kind == "fixed":
        return round(min(coupon.value, subtotal), 2)
    eligible = sum(p.price * q for p, q in lines if coupon.category is None or p.category == coupon.category)
    return round(eligible * coupon.value / 100.0, 2)


def price_lines(
    lines: list[tuple[Product, int]], coupon: Coupon | None, policies: Policies
) -> tuple[float, float, float, float]:
    """(subtotal, discount, shipping, total): bundle discount (automatic) plus at most one coupon."""
    subtotal = round(sum(product.price * quantity for product, quantity in lines), 2)
    items = sum(quantity for _, quantity in lines)
    discount = 0.0
    if items >= policies.bundle_min_items:
        discount += round(subtotal * policies.bundle_percent / 100.0, 2)
    if coupon is not None:
        discount += coupon_discount(coupon, lines, subtotal)
    discount = round(min(discount, subtotal), 2)
    after = subtotal - discount
    shipping = 0.0 if after >= policies.free_shipping_min or not lines else policies.shipping_fee
    return subtotal, discount, shipping, round(after + shipping, 2)


class ShopDB:
    """Mutable state of one episode over a read-only `World`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.stock: dict[str, int] = dict(world.stock)
        self.orders: dict[str, Order] = dict(world.orders)
        self.returns: dict[str, ReturnRequest] = {}
        self.cart: dict[str, int] = {}
        self.coupon: str | None = None
        self.next_order = world.next_order
        self.next_return = 7001
        self.sku_index: dict[str, Product] = {}

    # ---- lookups ------------------------------------------------------------------------------
    def product(self, product_id: str) -> Product:
        product = self.world.products.get(product_id.strip().upper())
        if product is None:
            raise ShopError(f"no product {product_id[:40]!r}; product ids look like P12345 (see search results)")
        return product

    def product_of_sku(self, sku: str) -> Product:
        sku = sku.strip().upper()
        product_id = sku.split("-", 1)[0]
        product = self.world.products.get(product_id)
        if product is None or all(v.sku != sku for v in product.variants):
            raise ShopError(f"no variant {sku[:40]!r}; skus look like P12345-M or P12345-STD (see check_stock)")
        return product

    def order(self, order_id: str) -> Order:
        order = self.orders.get(order_id.strip().upper())
        if order is None or order.customer_id != self.world.customer.customer_id:
            raise ShopError(f"no order {order_id[:40]!r} for this customer; order ids look like O4821")
        return order

    def cart_lines(self) -> list[tuple[Product, int]]:
        return [(self.product_of_sku(sku), quantity) for sku, quantity in self.cart.items()]

    # ---- transactions -------------------------------------------------------------------------
    def snapshot(self) -> tuple[Any, ...]:
        return (
            dict(self.stock),
            dict(self.orders),
            dict(self.returns),
            dict(self.cart),
            self.coupon,
            self.next_order,
            self.next_return,
        )

    def restore(self, snap: tuple[Any, ...]) -> None:
        (self.stock, self.orders, self.returns, self.cart, self.coupon, self.next_order, self.next_return) = (
            dict(snap[0]),
            dict(snap[1]),
            dict(snap[2]),
            dict(snap[3]),
            snap[4],
            snap[5],
            snap[6],
        )

    @contextmanager
    def transaction(self) -> Iterator[ShopDB]:
        """Run a multi-step change atomically: any exception restores the state from before it."""
        snap = self.snapshot()
        try:
            yield self
        except BaseException:
            self.restore(snap)
            raise

    # ---- mutations (each one a transaction) ---------------------------------------------------
    def add_to_cart(self, sku: str, quantity: int) -> None:
        sku = sku.strip().upper()
        self.product_of_sku(sku)
        wanted = self.cart.get(sku, 0) + quantity
        if self.stock.get(sku, 0) < wanted:
            raise ShopError(f"only {self.stock.get(sku, 0)} of {sku} in stock; cannot hold {wanted} in the cart")
        self.cart[sku] = wanted

    def remove_from_cart(self, sku: str, quantity: int | None) -> None:
        sku = sku.strip().upper()
        if sku not in self.cart:
            raise ShopError(f"{sku[:40]} is not in the cart; view_cart lists its skus")
        left = 0 if quantity is None else self.cart[sku] - quantity
        if left > 0:
            self.cart[sku] = left
        else:
            del self.cart[sku]

    def apply_coupon(self, code: str) -> Coupon:
        coupon = self.world.coupons.get(code.strip().upper())
        if coupon is None:
            raise ShopError(f"coupon {code[:40]!r} does not exist; lookup_policy('promotions') lists the codes")
        self.coupon = coupon.code
        return coupon

    def place_order(self) -> Order:
        """Turn the cart into an order; stock for every line is taken, or nothing changes."""
        if not self.cart:
            raise ShopError("the cart is empty; add items with add_to_cart first")
        with self.transaction():
            lines = []
            for sku, quantity in self.cart.items():
                product = self.product_of_sku(sku)
                if self.stock.get(sku, 0) < quantity:
                    raise ShopError(
                        f"{sku} has {self.stock.get(sku, 0)} in stock, the cart wants {quantity}; nothing was ordered"
                    )
                self.stock[sku] -= quantity
                option = next(v.option for v in product.variants if v.sku == sku)
                lines.append(order_line(product, option, quantity))
            coupon = self.world.coupons.get(self.coupon) if self.coupon else None
            subtotal, discount, shipping, total = price_lines(self.cart_lines(), coupon, self.world.policies)
            order_id = f"O{self.next_order}"
            self.next_order += 1
            today = self.world.today
            order = Order(
                order_id=order_id,
                customer_id=self.world.customer.customer_id,
                lines=tuple(lines),
                status="processing",
                order_date=today,
                expected_date=add_days(today, self.world.policies.shipping_days),
                subtotal=subtotal,
                discount=discount,
                shipping=shipping,
                total=total,
                coupon=coupon.code if coupon else None,
            )
            self.orders[order_id] = order
            self.cart = {}
            self.coupon = None
            return order

    def cancel_order(self, order_id: str) -> Order:
        order = self.order(order_id)
        if order.status != "processing":
            raise ShopError(f"order {order.order_id} is {order.status}; only processing orders can be cancelled")
        with self.transaction():
            for line in order.lines:
                self.stock[line.sku] = self.stock.get(line.sku, 0) + line.quantity
            cancelled = order.model_copy(update={"status": "cancelled"})
            self.orders[order.order_id] = cancelled
            return cancelled

    def request_return(self, order_id: str, sku: str, reason: str, exchange_sku: str | None) -> ReturnRequest:
        """Record a return (or an exchange for another variant of the same product).

        Hard rules are enforced here (delivered order, item in it, one request per item, exchange
        variant in stock); the return window is written policy the agent must check and apply.
        """
        order = self.order(order_id)
        sku = sku.strip().upper()
        if order.status != "delivered":
            raise ShopError(f"order {order.order_id} is {order.status}; only delivered items can be returned")
        if all(line.sku != sku for line in order.lines):
            raise ShopError(f"{sku[:40]} is not in order {order.order_id}; get_order lists its skus")
        if any(r.order_id == order.order_id and r.sku == sku for r in self.returns.values()):
            raise ShopError(f"a return for {sku} in {order.order_id} already exists")
        with self.transaction():
            kind: str = "return"
            if exchange_sku:
                exchange_sku = exchange_sku.strip().upper()
                if self.product_of_sku(exchange_sku).product_id != sku.split("-", 1)[0] or exchange_sku == sku:
                    raise ShopError("an exchange must be another variant (e.g. size) of the same product")
                if self.stock.get(exchange_sku, 0) < 1:
                    raise ShopError(f"{exchange_sku} is out of stock; no exchange was recorded")
                self.stock[exchange_sku] -= 1
                kind = "exchange"
            request = ReturnRequest(
                return_id=f"R{self.next_return}",
                order_id=order.order_id,
                sku=sku,
                kind=kind,
                exchange_sku=exchange_sku or None,
                reason=reason[:200],
            )
            self.next_return += 1
            self.returns[request.return_id] = request
            return request
