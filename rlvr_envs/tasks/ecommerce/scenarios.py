"""Scenario setup: draw the customer's goal and plant what it needs in the world.

Each scenario adds its wanted products, near-miss distractors (every constraint met but one, or
out of stock) and past orders to the base world, and returns the `Goal`. ``build`` is a pure
function of its seeds, so a task only stores the seeds (and the goal, for reading).
"""

from __future__ import annotations

import math

import numpy as np

from rlvr_envs.tasks.ecommerce.catalog import CATEGORIES, CATEGORY_BY_NAME, COLORS, Category, make_product
from rlvr_envs.tasks.ecommerce.config import Knobs, Scenario
from rlvr_envs.tasks.ecommerce.db import coupon_discount, money, price_lines
from rlvr_envs.tasks.ecommerce.goals import Goal, Intent, Want, satisfies
from rlvr_envs.tasks.ecommerce.models import AttrValue, Product, World
from rlvr_envs.tasks.ecommerce.world import WorldParts, base_world

_LINES = ("Aero", "Nova", "Pulse", "Terra", "Echo", "Vista", "Prime", "Orbit", "Flux", "Summit", "Drift", "Core")
_SLOT_ORDER = ("max_price", "color", "min_rating", "brand", "attribute", "size")


def _pick(rng: np.random.Generator, items: tuple[str, ...] | list[str]) -> str:
    return str(items[int(rng.integers(0, len(items)))])


def _new_product(parts: WorldParts, rng: np.random.Generator, category: Category, **fixed: object) -> Product:
    values = {
        "brand": _pick(rng, category.brands),
        "color": _pick(rng, COLORS),
        "line": _pick(rng, _LINES),
        "price": round(
            float(int(category.price[0] + (category.price[1] - category.price[0]) * float(rng.beta(1.6, 3.0)))) + 0.99,
            2,
        ),
        "rating": round(float(rng.uniform(3.6, 5.0)), 1),
        "reviews": int(rng.integers(5, 3000)),
        "value": category.values[int(rng.integers(0, len(category.values)))],
        "sizes": category.sizes[1:-1] if category.sizes else (),
    }
    values.update(fixed)
    product = make_product(parts.new_product_id(), category, **values)  # type: ignore[arg-type]
    parts.products[product.product_id] = product
    for variant in product.variants:
        parts.stock[variant.sku] = int(rng.integers(2, 12))
    return product


def _violate(
    rng: np.random.Generator, category: Category, target: Product, slot: str, want: dict[str, AttrValue | float]
) -> dict[str, object]:
    """Attributes of a near miss: like ``target`` but breaking ``slot``."""
    # unconstrained price and rating vary (still inside the constraints) so a near miss is not a twin
    ceiling = float(want.get("max_price", target.price * 1.15))
    price = math.floor(float(rng.uniform(target.price * 0.8, max(target.price, ceiling))))
    floor = float(want.get("min_rating", target.rating - 0.3))
    fixed: dict[str, object] = {
        "brand": target.brand,
        "color": target.color,
        "price": round(min(price + 0.99, ceiling) if price + 0.99 <= ceiling else target.price, 2),
        "rating": round(min(5.0, float(rng.uniform(floor, 5.0))), 1) if floor <= 5.0 else target.rating,
        "value": target.attributes[category.attribute],
        "line": _pick(rng, _LINES),
    }
    if float(fixed["rating"]) < floor:  # type: ignore[arg-type]
        fixed["rating"] = target.rating
    if slot == "max_price":
        fixed["price"] = round(math.floor(float(want["max_price"]) * float(rng.uniform(1.05, 1.4))) + 0.99, 2)
    elif slot == "color":
        fixed["color"] = _pick(rng, [c for c in COLORS if c != target.color])
    elif slot == "brand":
        fixed["brand"] = _pick(rng, [b for b in category.brands if b != target.brand])
    elif slot == "min_rating":
        fixed["rating"] = round(float(want["min_rating"]) - float(rng.choice([0.1, 0.2, 0.4, 0.7])), 1)
    elif slot == "attribute":
        fixed["value"] = next(value for value in category.values if value != fixed["value"])
    return fixed


def make_want(
    parts: WorldParts,
    rng: np.random.Generator,
    knobs: Knobs,
    category: Category,
    n_constraints: int,
    *,
    budget_share: float = 1.25,
    mind_change: bool = True,
) -> Want:
    """A wanted product: a fresh in-stock target, its constraints, hidden slots and near misses."""
    target = _new_product(parts, rng, category)
    slots = [s for s in _SLOT_ORDER if s != "size" or category.sizes]
    chosen = sorted(rng.choice(len(slots), size=min(n_constraints, len(slots)), replace=False).tolist())
    constraints: dict[str, AttrValue | float] = {}
    option = target.variants[int(rng.integers(0, len(target.variants)))].option
    for index in chosen:
        slot = slots[index]
        if slot == "max_price":
            constraints[slot] = float(math.ceil(target.price * float(rng.uniform(1.0, budget_share)) / 5.0) * 5)
        elif slot == "color":
            constraints[slot] = target.color
        elif slot == "brand":
            constraints[slot] = target.brand
        elif slot == "min_rating":
            constraints[slot] = min(4.5, math.floor(target.rating * 2) / 2)
        elif slot == "attribute":
            constraints[slot] = target.attributes[category.attribute]
        elif slot == "size":
            constraints[slot] = option
    sku = next(v.sku for v in target.variants if v.option == option)
    parts.stock[sku] = max(parts.stock[sku], 3)
    breakable = [s for s in constraints if s != "size"]
    for _ in range(knobs.distractors):
        if breakable and rng.random() < 0.8:
            near = _new_product(
                parts, rng, category, **_violate(rng, category, target, _pick(rng, breakable), constraints)
            )
        else:  # same everything, but the wanted variant is sold out
            near = _new_product(parts, rng, category, **_violate(rng, category, target, "", constraints))
            for variant in near.variants:
                parts.stock[variant.sku] = 0
    hidden_pool = list(constraints)
    picks: list[int] = (
        sorted(int(i) for i in rng.choice(len(hidden_pool), size=min(knobs.omitted, len(hidden_pool)), replace=False))
        if hidden_pool
        else []
    )
    hidden = tuple(hidden_pool[i] for i in picks)
    first_color = None
    if mind_change and "color" in constraints and rng.random() < knobs.mind_change:
        first_color = _pick(rng, [c for c in COLORS if c != constraints["color"]])
    return Want(
        category=category.name,
        constraints=constraints,
        attribute=category.attribute,
        hidden=hidden,
        target=sku,
        first_color=first_color,
    )


def _categories(rng: np.random.Generator, count: int) -> list[Category]:
    return [CATEGORIES[int(i)] for i in rng.choice(len(CATEGORIES), size=count, replace=False)]


def _buy(parts: WorldParts, rng: np.random.Generator, knobs: Knobs) -> Intent:
    return Intent(kind="buy", wants=(make_want(parts, rng, knobs, _categories(rng, 1)[0], knobs.constraints),))


def _substitution(parts: WorldParts, rng: np.random.Generator, knobs: Knobs) -> Intent:
    category = _categories(rng, 1)[0]
    want = make_want(parts, rng, knobs, category, max(1, knobs.constraints - 1), mind_change=False)
    target = parts.products[want.target.split("-", 1)[0]]
    fixed = {
        "brand": target.brand,
        "color": target.color,
        "price": target.price,
        "rating": target.rating,
        "value": target.attributes[category.attribute],
    }
    requested = _new_product(parts, rng, category, **fixed)
    for variant in requested.variants:
        parts.stock[variant.sku] = 0
    if "size" in want.constraints and all(v.option != want.constraints["size"] for v in requested.variants):
        want = want.model_copy(
            update={
                "constraints": {k: v for k, v in want.constraints.items() if k != "size"},
                "hidden": tuple(h for h in want.hidden if h != "size"),
            }
        )
    return Intent(kind="buy", wants=(want,), requested=requested.product_id)


def _budget_cart(parts: WorldParts, rng: np.random.Generator, knobs: Knobs) -> Intent:
    count = 2 if knobs.intents < 3 else 3
    per_want = max(1, knobs.constraints - 1)
    wants = tuple(
        make_want(parts, rng, knobs, category, per_want, budget_share=1.0, mind_change=False)
        for category in _categories(rng, count)
    )
    wants = tuple(
        w.model_copy(
            update={
                "constraints": {k: v for k, v in w.constraints.items() if k != "max_price"},
                "hidden": tuple(h for h in w.hidden if h != "max_price"),
            }
        )
        for w in wants
    )
    lines = [(parts.products[w.target.split("-", 1)[0]], 1) for w in wants]
    _, _, _, total = price_lines(lines, None, parts.policies)
    budget = float(math.ceil(total * float(rng.uniform(1.01, 1.08)) / 5.0) * 5)
    return Intent(kind="buy", wants=wants, budget=budget)


def _coupon(parts: WorldParts, rng: np.random.Generator, knobs: Knobs) -> Intent:
    count = 2 if knobs.intents < 4 else 3
    wants = []
    for category in _categories(rng, count):
        product = _new_product(parts, rng, category)
        variant = product.variants[int(rng.integers(0, len(product.variants)))]
        wants.append(Want(category=category.name, constraints={}, target=variant.sku, exact=product.product_id))
    lines = [(parts.products[w.target.split("-", 1)[0]], 1) for w in wants]
    subtotal = round(sum(p.price for p, _ in lines), 2)
    best = max(coupon_discount(c, lines, subtotal) for c in parts.coupons.values())
    _, bundle_and_coupon, _, _ = price_lines(lines, None, parts.policies)
    return Intent(kind="buy", wants=tuple(wants), best_coupon=True, best_discount=round(best + bundle_and_coupon, 2))


def _return(parts: WorldParts, rng: np.random.Generator, knobs: Knobs) -> Intent:
    category = _categories(rng, 1)[0]
    product = _new_product(parts, rng, category)
    window = parts.policies.window(category.name)
    edge = rng.random() < knobs.edge_rate
    allowed = bool(rng.random() < 0.6)
    if edge:
        days = window if allowed else window + 1
    else:
        days = int(rng.integers(1, window)) if allowed else window + int(rng.integers(2, 40))
    option = product.variants[int(rng.integers(0, len(product.variants)))].option
    order = parts.add_past_order(rng, [(product, option)], "delivered", days + parts.policies.shipping_days, days)
    exchange = None
    if allowed and len(product.variants) > 1 and rng.random() < 0.5:
        exchange = _pick(rng, [v.option for v in product.variants if v.option != option])
        parts.stock[f"{product.product_id}-{exchange}"] = max(1, parts.stock[f"{product.product_id}-{exchange}"])
    facts = () if allowed else (f"{window} days", order.order_id)  # a refusal names the order and the window
    return Intent(
        kind="return",
        order_id=order.order_id,
        sku=order.lines[0].sku,
        exchange_option=exchange,
        allowed=allowed,
        order_hidden=knobs.omitted > 0 and rng.random() < 0.5,
        facts=facts,
        category=category.name,
    )


def _status(parts: WorldParts, rng: np.random.Generator, knobs: Knobs) -> Intent:
    category = _categories(rng, 1)[0]
    product = _new_product(parts, rng, category)
    status = _pick(rng, ["processing", "shipped", "delivered"])
    age = int(rng.integers(0, 2)) if status != "delivered" else int(rng.integers(8, 40))
    order = parts.add_past_order(rng, [(product, product.variants[0].option)], status, age)
    date = order.delivered_date if status == "delivered" else order.expected_date
    return Intent(
        kind="status",
        order_id=order.order_id,
        facts=(status, str(date)),
        order_hidden=knobs.omitted > 0 and rng.random() < 0.5,
    )


def _policy(parts: WorldParts, rng: np.random.Generator, knobs: Knobs) -> Intent:
    policies = parts.policies
    topic = _pick(rng, ["returns", "shipping", "price_match", "bundle"])
    category = None
    if topic == "returns":
        category = _categories(rng, 1)[0].name
        facts: tuple[str, ...] = (f"{policies.window(category)} days",)
    elif topic == "shipping":
        facts = (money(policies.shipping_fee), money(policies.free_shipping_min))
    elif topic == "price_match":
        facts = (f"{policies.price_match_days} days",)
    else:
        facts = (f"{policies.bundle_min_items} items", f"{policies.bundle_percent:g}%")
    return Intent(kind="policy", topic=topic, category=category, facts=facts)


_SINGLE = {
    "discovery": _buy,
    "substitution": _substitution,
    "budget_cart": _budget_cart,
    "coupon": _coupon,
    "return": _return,
    "order_status": _status,
    "policy": _policy,
}


def _par(intent: Intent) -> tuple[int, int]:
    """(tool calls, agent turns) the oracle needs for ``intent``; efficiency is judged against these."""
    if intent.kind == "buy":
        calls = 3 * len(intent.wants) + 1 + (2 if intent.best_coupon else 0) + (1 if intent.requested else 0)
        return calls, 4
    hidden = 1 if intent.order_hidden else 0
    if intent.kind == "return":
        return 3, 2 + hidden
    if intent.kind == "status":
        return 1, 2 + hidden
    return 1, 2


def build(world_seed: int, goal_seed: int, knobs: Knobs, scenario: Scenario) -> tuple[World, Goal]:
    """The episode's world and hidden goal, a pure function of the two seeds, knobs and scenario."""
    parts = base_world(np.random.default_rng(np.random.SeedSequence(world_seed)), knobs)
    rng = np.random.default_rng(np.random.SeedSequence(goal_seed))
    if scenario == "multi_intent":
        kinds = ["order_status", "policy", "return", "discovery"]
        picked = rng.choice(len(kinds), size=min(knobs.intents, len(kinds)), replace=False)
        intents = tuple(_SINGLE[kinds[int(i)]](parts, rng, knobs) for i in sorted(picked.tolist()))
    else:
        intents = (_SINGLE[scenario](parts, rng, knobs),)
    calls = sum(_par(i)[0] for i in intents)
    turns = sum(_par(i)[1] for i in intents)
    goal = Goal(scenario=scenario, intents=intents, patience=knobs.patience, par_calls=calls, par_turns=turns)
    world = parts.freeze()
    _check(world, goal)
    return world, goal


def _check(world: World, goal: Goal) -> None:
    """Generation invariant: every wanted target exists, is in stock and meets its want."""
    for intent in goal.intents:
        for want in intent.wants:
            product = world.products[want.target.split("-", 1)[0]]
            option = next(v.option for v in product.variants if v.sku == want.target)
            if satisfies(product, option, want) or world.stock.get(want.target, 0) < 1:
                raise RuntimeError(f"ecommerce generator bug: target {want.target} does not meet its want")


CATEGORY_NAMES = tuple(CATEGORY_BY_NAME)
