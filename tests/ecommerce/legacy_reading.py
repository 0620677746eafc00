"""The customer's understanding before issue 21, transcribed from `customer.py` at commit 2f2ef7e (for "before").

Old rules: a reply with a "?" asks every slot whose keyword occurs anywhere in it; an order number is
asked by "order number/id/#/no" and a "?"; every upper-case product id is an offer; there were no
confirmation, return-question or need acts.
"""

from __future__ import annotations

import re

from rlvr_envs.tasks.ecommerce.catalog import CATEGORY_BY_NAME

_PID = re.compile(r"\bP\d{5}\b")
_SLOT_WORDS: dict[str, tuple[str, ...]] = {
    "max_price": ("budget", "spend", "price range", "max price", "maximum price", "afford", "how much"),
    "color": ("colour", "color"),
    "brand": ("brand",),
    "min_rating": ("rating", "stars", "reviews"),
    "size": ("size",),
}
_ATTRIBUTE_WORDS: dict[str, tuple[str, ...]] = {
    "wireless": ("wireless", "wired", "bluetooth"),
    "ram_gb": ("ram", "memory"),
    "battery_days": ("battery",),
    "watts": ("watt", "power"),
    "terrain": ("terrain", "trail", "road"),
    "waterproof": ("waterproof", "rain"),
    "material": ("material", "fabric"),
    "capacity_l": ("capacity", "litre", "liter", "volume"),
    "type": ("type", "kind of coffee"),
    "capacity_people": ("people", "person", "capacity"),
    "adjustable_arms": ("arms", "armrest"),
    "pieces": ("pieces", "piece"),
}


def legacy_labels(reply: str, category: str) -> set[str]:
    low = reply.lower()
    out: set[str] = set()
    if "?" in reply:
        for slot, words in _SLOT_WORDS.items():
            if any(word in low for word in words):
                out.add(f"slot:{slot}")
        if any(word in low for word in _ATTRIBUTE_WORDS.get(CATEGORY_BY_NAME[category].attribute, ())):
            out.add("slot:attribute")
        if re.search(r"order\s*(?:number|id|#|no\b)", low):
            out.add("order_id")
    out |= {f"offer:{pid}" for pid in _PID.findall(reply)}
    return out
