"""The seeded catalog generator: categories with typed attributes, products, variants and stock.

Everything is drawn from one ``numpy.random.Generator`` in a fixed order, so a world is a pure
function of its seed and knobs. Product ids are a random sample (``P10000``-``P99999``), so an id's
position says nothing about which product is the wanted one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlvr_envs.tasks.ecommerce.models import AttrValue, Product, Variant

COLORS: tuple[str, ...] = ("black", "white", "grey", "blue", "red", "green", "navy", "silver", "beige", "pink")
APPAREL_SIZES: tuple[str, ...] = ("XS", "S", "M", "L", "XL")
SHOE_SIZES: tuple[str, ...] = ("6", "7", "8", "9", "10", "11", "12")
_LINES = ("Aero", "Nova", "Pulse", "Terra", "Echo", "Vista", "Prime", "Orbit", "Flux", "Summit", "Drift", "Core")


@dataclass(frozen=True)
class Category:
    """A product category: its brands, one typed attribute, price range and variant options."""

    name: str
    noun: str
    brands: tuple[str, ...]
    attribute: str
    values: tuple[AttrValue, ...]
    price: tuple[float, float]
    sizes: tuple[str, ...] = ()
    electronics: bool = False


CATEGORIES: tuple[Category, ...] = (
    Category(
        "headphones",
        "Headphones",
        ("Sonora", "Bassline", "Quietly", "Auric"),
        "wireless",
        (True, False),
        (20, 350),
        electronics=True,
    ),
    Category(
        "laptops",
        "Laptop",
        ("Kestrel", "Lumen", "Voltari", "Nimbus"),
        "ram_gb",
        (8, 16, 32, 64),
        (400, 2500),
        electronics=True,
    ),
    Category(
        "smartwatches",
        "Watch",
        ("Tempo", "Chronex", "Vitalis", "Kairo"),
        "battery_days",
        (1, 2, 5, 7, 14),
        (60, 600),
        electronics=True,
    ),
    Category(
        "blenders",
        "Blender",
        ("Whirla", "Vortix", "Kitchara", "Mixwell"),
        "watts",
        (300, 600, 900, 1200),
        (30, 400),
        electronics=True,
    ),
    Category(
        "running shoes",
        "Running Shoes",
        ("Stridex", "Fleetfoot", "Runa", "Paceline"),
        "terrain",
        ("road", "trail"),
        (50, 220),
        sizes=SHOE_SIZES,
    ),
    Category(
        "jackets",
        "Jacket",
        ("Northwind", "Alpenco", "Rainier", "Fjellby"),
        "waterproof",
        (True, False),
        (40, 450),
        sizes=APPAREL_SIZES,
    ),
    Category(
        "t-shirts",
        "T-Shirt",
        ("Basicly", "Cottonfield", "Lumo", "Threadly"),
        "material",
        ("cotton", "polyester", "linen", "merino"),
        (8, 70),
        sizes=APPAREL_SIZES,
    ),
    Category(
        "backpacks",
        "Backpack",
        ("Trekka", "Packwell", "Urbano", "Ridgeback"),
        "capacity_l",
        (15, 20, 25, 30, 40),
        (25, 260),
    ),
    Category(
        "coffee makers",
        "Coffee Maker",
        ("Brewster", "Crema", "Morningside", "Kaffa"),
        "type",
        ("drip", "espresso", "pour-over", "french press"),
        (20, 700),
    ),
    Category(
        "tents",
        "Tent",
        ("Campfield", "Hikelite", "Basecamp", "Nordtrail"),
        "capacity_people",
        (1, 2, 3, 4, 6),
        (60, 800),
    ),
    Category(
        "desk chairs",
        "Desk Chair",
        ("Sitwell", "Posturo", "Ergonic", "Deskmate"),
        "adjustable_arms",
        (True, False),
        (70, 900),
    ),
    Category(
        "cookware sets",
        "Cookware Set",
        ("Panora", "Chefline", "Ironhold", "Simmer"),
        "pieces",
        (5, 8, 10, 12),
        (40, 600),
    ),
)
CATEGORY_BY_NAME: dict[str, Category] = {category.name: category for category in CATEGORIES}


def price_of(rng: np.random.Generator, category: Category) -> float:
    """A shop-looking price (ends in .99) inside the category's range."""
    low, high = category.price
    raw = low + (high - low) * float(rng.beta(1.6, 3.0))
    return round(max(1.0, float(int(raw))) + 0.99, 2)


def make_product(
    product_id: str,
    category: Category,
    *,
    brand: str,
    color: str,
    line: str,
    price: float,
    rating: float,
    reviews: int,
    value: AttrValue,
    sizes: tuple[str, ...],
) -> Product:
    """Build one product (unvalidated construction: every field comes from this module's tables)."""
    options = sizes if sizes else ("standard",)
    variants = tuple(
        Variant(f"{product_id}-{'STD' if option == 'standard' else option}", product_id, option) for option in options
    )
    return Product.model_construct(
        product_id=product_id,
        name=f"{brand} {line} {category.noun}",
        category=category.name,
        brand=brand,
        color=color,
        price=price,
        rating=rating,
        reviews=reviews,
        attributes={category.attribute: value},
        variants=variants,
    )


def product_ids(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` distinct random ids ``P10000``..``P99999``."""
    picks = rng.choice(90_000, size=count, replace=False) + 10_000
    return [f"P{int(number)}" for number in picks]


def build_catalog(rng: np.random.Generator, size: int, ids: list[str]) -> tuple[dict[str, Product], dict[str, int]]:
    """``size`` random products spread over every category, and the stock of each variant."""
    n_cat = len(CATEGORIES)
    cats = rng.integers(0, n_cat, size=size)
    cats[:n_cat] = np.arange(n_cat)  # every category is present
    brand_idx = rng.integers(0, 4, size=size)
    color_idx = rng.integers(0, len(COLORS), size=size)
    line_idx = rng.integers(0, len(_LINES), size=size)
    value_u = rng.random(size=size)
    ratings = np.round(rng.uniform(2.5, 5.0, size=size), 1)
    reviews = rng.integers(0, 3000, size=size)
    prices = rng.beta(1.6, 3.0, size=size)
    size_u = rng.random(size=size)
    stock_draw = rng.integers(0, 25, size=size * 7)
    zero_draw = rng.random(size=size * 7) < 0.1
    products: dict[str, Product] = {}
    stock: dict[str, int] = {}
    cursor = 0
    for index in range(size):
        category = CATEGORIES[int(cats[index])]
        low, high = category.price
        price = round(float(int(low + (high - low) * float(prices[index]))) + 0.99, 2)
        value = category.values[int(value_u[index] * len(category.values))]
        sizes: tuple[str, ...] = ()
        if category.sizes:
            start = int(size_u[index] * 3)
            sizes = category.sizes[start : start + len(category.sizes) - 2]
        product = make_product(
            ids[index],
            category,
            brand=category.brands[int(brand_idx[index])],
            color=COLORS[int(color_idx[index])],
            line=_LINES[int(line_idx[index])],
            price=price,
            rating=float(ratings[index]),
            reviews=int(reviews[index]),
            value=value,
            sizes=sizes,
        )
        products[product.product_id] = product
        for variant in product.variants:
            stock[variant.sku] = 0 if zero_draw[cursor] else int(stock_draw[cursor])
            cursor += 1
    return products, stock
