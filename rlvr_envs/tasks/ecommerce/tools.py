"""The shop's tools: pydantic argument schemas, OpenAI function specs, and a total dispatcher.

`run_tool` never raises on model input: an unknown tool, arguments of the wrong type, a missing or
unknown id, or a business-rule failure all come back as a one-line ``error: ...`` result that says
how to fix the call (and the episode counts it against efficiency).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rlvr_envs.core.types import ToolCall
from rlvr_envs.tasks.ecommerce.catalog import CATEGORY_BY_NAME
from rlvr_envs.tasks.ecommerce.db import ShopDB, ShopError, money, price_lines
from rlvr_envs.tasks.ecommerce.models import Order, Product

PolicyTopicArg = Literal["returns", "shipping", "price_match", "bundle", "promotions", "all"]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class SearchArgs(_Args):
    """Search the catalog; every filter is optional and they combine with AND."""

    query: str | None = Field(default=None, max_length=200, description="words in the name, brand, colour or category")
    category: str | None = Field(default=None, description="one of the shop's categories, e.g. 'headphones'")
    max_price: float | None = Field(default=None, ge=0)
    min_price: float | None = Field(default=None, ge=0)
    color: str | None = None
    brand: str | None = None
    min_rating: float | None = Field(default=None, ge=0, le=5)
    attribute_value: str | None = Field(
        default=None, description="the category attribute's value, e.g. 'trail', '16', 'yes'"
    )
    size: str | None = Field(default=None, description="only products with this size/option in stock")
    in_stock_only: bool = True
    limit: int = Field(default=10, ge=1, le=20)
    offset: int = Field(default=0, ge=0)


class ProductArgs(_Args):
    """Show one product's details."""

    product_id: str = Field(description="e.g. P12345")


class CompareArgs(_Args):
    """Show 2-5 products side by side."""

    product_ids: list[str] = Field(min_length=2, max_length=5)


class StockArgs(_Args):
    """Stock of every option (size) of a product."""

    product_id: str


class AddCartArgs(_Args):
    """Put a product (one option/size) in the cart."""

    product_id: str
    option: str | None = Field(default=None, description="size/option; may be omitted when there is only one")
    quantity: int = Field(default=1, ge=1, le=10)


class RemoveCartArgs(_Args):
    """Take a product out of the cart (all of it unless quantity is given)."""

    product_id: str
    option: str | None = None
    quantity: int | None = Field(default=None, ge=1, le=10)


class NoArgs(_Args):
    """This tool takes no arguments."""


class CouponArgs(_Args):
    """Apply a promotion code to the cart (one code per order; a new code replaces the old one)."""

    code: str


class OrderArgs(_Args):
    """An order of this customer."""

    order_id: str = Field(description="e.g. O4821")


class ReturnArgs(_Args):
    """Request a return, or an exchange for another option (size) of the same product."""

    order_id: str
    product_id: str
    option: str | None = Field(default=None, description="the option/size that was bought (if several)")
    reason: str = Field(default="", max_length=300)
    exchange_option: str | None = Field(default=None, description="set for an exchange: the option wanted instead")


class PolicyArgs(_Args):
    """Read the shop's written policy on a topic."""

    topic: PolicyTopicArg


class ReplyArgs(_Args):
    """Send a message to the customer (a message without tool calls does the same)."""

    message: str = Field(max_length=4000)


TOOLS: dict[str, tuple[type[_Args], str]] = {
    "search_products": (
        SearchArgs,
        "Search the catalog with optional filters; results show id, name, price, "
        "colour, brand, rating, attribute and the options in stock.",
    ),
    "get_product": (ProductArgs, "Full details of one product."),
    "compare_products": (CompareArgs, "Compare 2-5 products side by side."),
    "check_stock": (StockArgs, "How many of each option (size) of a product are in stock."),
    "add_to_cart": (AddCartArgs, "Add a product option to the customer's cart."),
    "remove_from_cart": (RemoveCartArgs, "Remove a product option from the cart."),
    "view_cart": (NoArgs, "The cart's lines, discounts, shipping and total."),
    "apply_coupon": (CouponArgs, "Apply a promotion code to the cart."),
    "place_order": (NoArgs, "Place an order for everything in the cart (all lines or none)."),
    "list_orders": (NoArgs, "The customer's orders, newest first."),
    "get_order": (OrderArgs, "Details of one order: lines, status, dates, totals."),
    "cancel_order": (OrderArgs, "Cancel an order that is still processing."),
    "request_return": (ReturnArgs, "Record a return or an exchange for a delivered item."),
    "lookup_policy": (PolicyArgs, "Read the shop policy: returns, shipping, price_match, bundle, promotions or all."),
    "reply": (ReplyArgs, "Send a message to the customer."),
}


def _schema(model: type[_Args]) -> dict[str, Any]:
    schema = model.model_json_schema()
    properties = {}
    for name, spec in schema.get("properties", {}).items():
        spec = {k: v for k, v in spec.items() if k != "title"}
        if "anyOf" in spec:  # Optional[X] -> X (omitting the argument means None)
            kinds = [part for part in spec.pop("anyOf") if part.get("type") != "null"]
            spec.update(kinds[0] if len(kinds) == 1 else {"anyOf": kinds})
            spec.pop("default", None)
        properties[name] = spec
    return {
        "type": "object",
        "properties": properties,
        "required": schema.get("required", []),
        "additionalProperties": False,
    }


TOOL_SPECS: list[dict[str, Any]] = [
    {"type": "function", "function": {"name": name, "description": description, "parameters": _schema(model)}}
    for name, (model, description) in TOOLS.items()
]


class ToolResult(BaseModel):
    """What one call returned; ``ok`` is False for every error (they count against efficiency)."""

    name: str
    text: str
    ok: bool
    reply: str | None = None


def _yes(value: object) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def product_line(db: ShopDB, product: Product) -> str:
    """One line per product; every fact in it can be quoted to the customer."""
    ((attribute, value),) = product.attributes.items()
    options = [v.option for v in product.variants if db.stock.get(v.sku, 0) > 0]
    stock = ("in stock: " + ", ".join(options)) if options else "OUT OF STOCK"
    if options == ["standard"]:
        stock = "in stock"
    return (
        f"{product.product_id} | {product.name} | {money(product.price)} | colour {product.color} | "
        f"brand {product.brand} | rating {product.rating:.1f} ({product.reviews} reviews) | "
        f"{_attribute_text(attribute, value)} | {stock}"
    )


def _attribute_text(attribute: str, value: object) -> str:
    if attribute == "battery_days":
        return f"battery: {value} days"
    return f"{attribute.replace('_', ' ')}: {_yes(value)}"


def order_text(order: Order) -> str:
    lines = "; ".join(
        f"{line.product_id} {line.name} ({line.option}) x{line.quantity} @ {money(line.unit_price)}"
        for line in order.lines
    )
    dates = f"ordered {order.order_date}"
    if order.delivered_date:
        dates += f", delivered {order.delivered_date}"
    elif order.expected_date and order.status in ("processing", "shipped"):
        dates += f", expected delivery {order.expected_date}"
    coupon = f" (coupon {order.coupon})" if order.coupon else ""
    return (
        f"order {order.order_id}: status {order.status}; {dates}; items: {lines}; subtotal "
        f"{money(order.subtotal)}, discount {money(order.discount)}{coupon}, shipping {money(order.shipping)}, "
        f"total {money(order.total)}"
    )


def _sku(db: ShopDB, product_id: str, option: str | None) -> str:
    product = db.product(product_id)
    if option is None:
        if len(product.variants) > 1:
            raise ShopError(
                f"{product.product_id} comes in options {[v.option for v in product.variants]}; give one as 'option'"
            )
        return product.variants[0].sku
    for variant in product.variants:
        if variant.option.lower() == option.strip().lower():
            return variant.sku
    raise ShopError(
        f"{product.product_id} has no option {option[:20]!r}; options: {[v.option for v in product.variants]}"
    )


def policy_text(db: ShopDB, topic: str) -> str:
    p = db.world.policies
    sections = {
        "returns": (
            f"Returns: items can be returned within {p.return_days} days of delivery "
            f"({p.electronics_return_days} days for electronics: {', '.join(p.electronics)}); the day "
            "of delivery is day 0 and the last day counts. Later requests must be refused. Exchanges for "
            "another size of the same product follow the same window. Only delivered items can be "
            "returned. Processing orders can be cancelled; shipped ones cannot."
        ),
        "shipping": (
            f"Shipping: standard delivery takes {p.shipping_days} days and costs "
            f"{money(p.shipping_fee)}; free for orders of {money(p.free_shipping_min)} or more "
            "after discounts."
        ),
        "price_match": (
            f"Price match: if our own price drops within {p.price_match_days} days of purchase we "
            "refund the difference; we do not match other shops."
        ),
        "bundle": (
            f"Bundles: orders with {p.bundle_min_items} or more items get {p.bundle_percent:g}% off "
            "automatically; it combines with one coupon."
        ),
        "promotions": "Promotions (one code per order): "
        + "; ".join(
            f"{c.code}: "
            + (f"{c.value:g}% off" if c.kind == "percent" else f"{money(c.value)} off")
            + (f" {c.category}" if c.category else "")
            + (f", minimum spend {money(c.min_spend)}" if c.min_spend else "")
            for c in db.world.coupons.values()
        ),
    }
    if topic == "all":
        return "\n".join(sections.values())
    return sections[topic]


def _cart_text(db: ShopDB) -> str:
    if not db.cart:
        return "cart is empty"
    lines = db.cart_lines()
    coupon = db.world.coupons.get(db.coupon) if db.coupon else None
    subtotal, discount, shipping, total = price_lines(lines, coupon, db.world.policies)
    items = "; ".join(
        f"{sku} {p.name} x{q} @ {money(p.price)}" for (sku, q), (p, _) in zip(db.cart.items(), lines, strict=True)
    )
    return (
        f"cart: {items}; subtotal {money(subtotal)}, discount {money(discount)}"
        f"{f' (coupon {coupon.code})' if coupon else ''}, shipping {money(shipping)}, total {money(total)}"
    )


def _search(db: ShopDB, a: SearchArgs) -> str:
    category = None
    if a.category is not None:
        category = a.category.strip().lower()
        if category not in CATEGORY_BY_NAME:
            raise ShopError(f"unknown category {a.category[:40]!r}; categories: {sorted(CATEGORY_BY_NAME)}")
    words = a.query.lower().split() if a.query else []
    color = a.color.strip().lower() if a.color else None
    brand = a.brand.strip().lower() if a.brand else None
    wanted_value = a.attribute_value.strip().lower() if a.attribute_value else None
    size = a.size.strip().lower() if a.size else None
    hits = []
    for product in db.world.products.values():
        if category and product.category != category:
            continue
        if a.max_price is not None and product.price > a.max_price:
            continue
        if a.min_price is not None and product.price < a.min_price:
            continue
        if color and product.color != color:
            continue
        if brand and product.brand.lower() != brand:
            continue
        if a.min_rating is not None and product.rating < a.min_rating:
            continue
        if wanted_value is not None and _yes(next(iter(product.attributes.values()))).lower() != wanted_value:
            continue
        if words:
            hay = f"{product.name} {product.category} {product.brand} {product.color}".lower()
            if not all(word in hay for word in words):
                continue
        in_stock = [v for v in product.variants if db.stock.get(v.sku, 0) > 0]
        if a.in_stock_only and not in_stock:
            continue
        if size and not any(v.option.lower() == size for v in (in_stock if a.in_stock_only else product.variants)):
            continue
        hits.append(product)
    page = hits[a.offset : a.offset + a.limit]
    if not page:
        return f"no products match ({len(hits)} in total); loosen a filter"
    head = f"{len(hits)} products match; showing {a.offset + 1}-{a.offset + len(page)}"
    return "\n".join([head, *(product_line(db, p) for p in page)])


def _dispatch(db: ShopDB, name: str, args: Any) -> tuple[str, str | None]:
    if name == "search_products":
        return _search(db, args), None
    if name == "get_product":
        product = db.product(args.product_id)
        sizes = ", ".join(f"{v.option} ({db.stock.get(v.sku, 0)} left)" for v in product.variants)
        return product_line(
            db, product
        ) + f" | options: {sizes} | window for returns: {db.world.policies.window(product.category)} days", None
    if name == "compare_products":
        return "\n".join(product_line(db, db.product(pid)) for pid in args.product_ids), None
    if name == "check_stock":
        product = db.product(args.product_id)
        return f"{product.product_id} stock: " + ", ".join(
            f"{v.option}: {db.stock.get(v.sku, 0)}" for v in product.variants
        ), None
    if name == "add_to_cart":
        db.add_to_cart(_sku(db, args.product_id, args.option), args.quantity)
        return "added. " + _cart_text(db), None
    if name == "remove_from_cart":
        db.remove_from_cart(_sku(db, args.product_id, args.option), args.quantity)
        return "removed. " + _cart_text(db), None
    if name == "view_cart":
        return _cart_text(db), None
    if name == "apply_coupon":
        coupon = db.apply_coupon(args.code)
        return f"coupon {coupon.code} applied. " + _cart_text(db), None
    if name == "place_order":
        return "placed " + order_text(db.place_order()), None
    if name == "list_orders":
        mine = [o for o in db.orders.values() if o.customer_id == db.world.customer.customer_id]
        mine.sort(key=lambda o: (o.order_date, o.order_id), reverse=True)
        return "\n".join(order_text(o) for o in mine) or "no orders", None
    if name == "get_order":
        return order_text(db.order(args.order_id)), None
    if name == "cancel_order":
        return "cancelled " + order_text(db.cancel_order(args.order_id)), None
    if name == "request_return":
        sku = _sku(db, args.product_id, args.option)
        exchange = _sku(db, args.product_id, args.exchange_option) if args.exchange_option else None
        request = db.request_return(args.order_id, sku, args.reason, exchange)
        what = (
            f"exchange of {request.sku} for {request.exchange_sku}"
            if request.exchange_sku
            else f"return of {request.sku}"
        )
        return f"{request.kind} request {request.return_id} recorded: {what} from order {request.order_id}", None
    if name == "lookup_policy":
        return policy_text(db, args.topic), None
    if name == "reply":
        return "message sent to the customer", args.message
    raise ShopError(f"unknown tool {name[:60]!r}")


def run_tool(db: ShopDB, call: ToolCall) -> ToolResult:
    """Run one call against ``db``; every failure becomes an ``error:`` result, never an exception."""
    name = call.name if isinstance(call.name, str) else ""
    spec = TOOLS.get(name)
    if spec is None:
        return ToolResult(
            name=name[:60], ok=False, text=f"error: unknown tool {name[:60]!r}; the tools are: {', '.join(TOOLS)}"
        )
    model = spec[0]
    try:
        args = model.model_validate(call.arguments)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "arguments"
        return ToolResult(
            name=name,
            ok=False,
            text=f"error: {name}: argument '{field}': {first['msg']} (expected arguments: {list(model.model_fields)})",
        )
    try:
        text, reply = _dispatch(db, name, args)
    except ShopError as exc:
        return ToolResult(name=name, ok=False, text=f"error: {name}: {exc}")
    return ToolResult(name=name, ok=True, text=text, reply=reply)
