"""What an assistant's reply asks or offers, read the way a shopper would (deterministic, linear-time).

`read` splits a reply into clauses and finds its dialogue acts:

- **slot questions**: a clause that asks (ends in "?", or opens like a question or a request such as
  "Tell me your budget and I'll find options") and names a slot by a synonym ("price limit",
  "well-reviewed", "shade"), by two or more of its values ("S, M or L?") or by the category's feature;
  a statement that merely mentions a slot ("It's within your budget.") asks nothing;
- **offers**: product ids, names ("the Voltari Summit"), positions ("the second one"), prices
  ("the cheaper one", "the one at $129.99") and colours ("the red pair") of the products shown so
  far; mentions taken back ("not the red one", "P123 is out of stock", "skip P123") are no offer;
- **confirmations** ("Shall I go ahead and place the order?"), **order-number** questions,
  **return** questions (reason; refund or exchange) and **need** questions ("Anything else?").

Typos are tolerated by one-edit matching of slot words (same first letter, words of 5+ letters).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rlvr_envs.tasks.ecommerce import lexicon as lx
from rlvr_envs.tasks.ecommerce.catalog import CATEGORY_BY_NAME, COLORS
from rlvr_envs.tasks.ecommerce.models import Product

_PID = re.compile(r"\bp\d{5}\b")
_CLAUSE = re.compile(r"(?:[^.!?;:\n]|\.(?=\d))*(?:[.!?;:\n]+|$)")
_PART = re.compile(r",(?!\d)|\(|\bbut\b|\bso\b|\bwhile\b")
_TOKEN = re.compile(r"#?[a-z0-9][a-z0-9'\-]*")
_MARKDOWN = re.compile(r"[*_`|>]|^#+\s", re.MULTILINE)
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)


@dataclass(frozen=True)
class Reading:
    """The acts found in one reply."""

    slots: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()  # which features ("ram_gb") a feature question was about
    order_id: bool = False
    offers: tuple[str, ...] = ()
    confirm: str | None = None  # "order" or "return" when the reply asks to go ahead
    returns: tuple[str, ...] = ()  # "reason", "resolution"
    need: bool = False

    def labels(self) -> set[str]:
        out = {f"slot:{s}" for s in self.slots} | {f"offer:{p}" for p in self.offers}
        out |= {f"return:{r}" for r in self.returns}
        if self.order_id:
            out.add("order_id")
        if self.confirm:
            out.add("confirm")
        if self.need:
            out.add("need")
        return out


@dataclass
class _Fuzzy:
    """One-edit matching against a fixed keyword set (symmetric deletes: every lookup is O(word length))."""

    words: dict[str, str]
    deletes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for word, canon in self.words.items():
            if len(word) >= 5:
                for i in range(len(word)):
                    self.deletes.setdefault(word[:i] + word[i + 1 :], canon)

    def get(self, token: str) -> str | None:
        hit = self.words.get(token)
        if hit is not None or len(token) < 5 or token in _KNOWN:
            return hit
        candidates = [self.deletes.get(token)]
        for i in range(len(token)):
            shorter = token[:i] + token[i + 1 :]
            swap = self.deletes.get(shorter)  # one substitution or transposition: only for longer words
            candidates += [self.words.get(shorter), swap if swap and len(swap) >= 6 else None]
        for canon in candidates:
            if canon is not None and canon[0] == token[0] and len(canon) >= 5:
                return canon
        return None


_KNOWN = frozenset(w for words in lx.ATTRIBUTE_WORDS.values() for w in words)  # real words: never "typos"
_SLOT_FUZZY = _Fuzzy({w: w for words in lx.SLOT_WORDS.values() for w in words})
_SLOT_OF = {w: slot for slot, words in lx.SLOT_WORDS.items() for w in words}


def _clauses(text: str) -> list[tuple[str, bool]]:
    """(clause, asks) pairs: the clause's text and whether it is a question or a request."""
    out = []
    carry = False  # the lines of a list introduced by a question ("Could you share:") ask too
    for match in _CLAUSE.finditer(text):
        chunk = match.group(0)
        body = chunk.rstrip(".!?;:\n ").strip()
        if not body:
            continue
        asks = "?" in chunk or bool(lx.QUESTION_OPENING.search(body)) or bool(lx.REQUEST_ANYWHERE.search(body))
        out.append((body, asks or carry))
        term = chunk[len(chunk.rstrip(".!?;:\n ")) :]
        carry = (asks and ":" in term) or (carry and "\n" in term and not any(c in term for c in ".!?"))
    return out


def _normal(text: str) -> str:
    low = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u2014", ", ").replace("\u2013", ", ")
    low = _LIST_MARK.sub("", low)
    return _MARKDOWN.sub(" ", low)


def _slots_in(clause: str, features: Mapping[str, str], sized: bool) -> tuple[list[str], list[str]]:
    tokens = _TOKEN.findall(clause)
    found: list[str] = []
    attributes: list[str] = []
    weak = False
    sizes = colors = 0
    for token in tokens:
        slot = _SLOT_OF.get(token) or _SLOT_OF.get(_SLOT_FUZZY.get(token) or "")
        attribute = features.get(token)
        if attribute is not None and attribute not in attributes:
            attributes.append(attribute)
        if slot == "size" and not sized:
            attribute = next((a for a in features.values() if a in lx.SIZE_MEANS_FEATURE), None)
            if attribute is not None and attribute not in attributes:
                attributes.append(attribute)
            continue
        if slot == "max_price" and token in lx.WEAK_PRICE:
            weak = True
            continue
        if (
            slot is None
            and token == "make"
            and re.search(r"\b(?:which|what|any|particular|favourite|preferred) make\b", clause)
        ):
            slot = "brand"
        if slot is not None and slot not in found:
            found.append(slot)
        sizes += token in lx.SIZE_VALUES
        colors += token in COLORS
    if sized and sizes >= 2 and "size" not in found:
        found.append("size")
    if colors >= 2 and "color" not in found and not re.search(lx.COLOR_POINTER, clause):
        found.append("color")
    if weak and "max_price" not in found and not attributes:
        found.append("max_price")
    if "how much" in clause and not attributes and not found:
        found.append("max_price")
    if attributes:
        found.append("attribute")
    return found, attributes


def read(
    text: str,
    categories: Sequence[str] = (),
    shown: Sequence[str] = (),
    products: Mapping[str, Product] | None = None,
    names: Mapping[str, tuple[str, ...]] | None = None,
) -> Reading:
    """The acts of ``text``; ``categories`` are the shopper's, ``shown`` the products mentioned before.

    ``names`` maps "brand line" (lower case) to product ids, for offers by name (`name_index`).
    """
    low = _normal(text)
    products = products or {}
    features = {w: c.attribute for name in categories if (c := CATEGORY_BY_NAME.get(name)) for w in _feature_words(c)}
    sized = not categories or any(CATEGORY_BY_NAME[c].sizes for c in categories if c in CATEGORY_BY_NAME)
    slots: list[str] = []
    attributes: list[str] = []
    order_id = need = False
    confirm: str | None = None
    returns: list[str] = []
    brands = {b.lower() for c in categories if c in CATEGORY_BY_NAME for b in CATEGORY_BY_NAME[c].brands}
    for clause, asks in _clauses(low):
        if not asks:
            continue
        resolution = bool(lx.RETURN_RESOLUTION.search(clause))
        if resolution and "resolution" not in returns:
            returns.append("resolution")
        if lx.RETURN_REASON.search(clause) and "reason" not in returns:
            returns.append("reason")
        if lx.ORDER_ID.search(clause):
            order_id = True
        if lx.NEED.search(clause):
            need = True
        if not resolution and not lx.ORDER_ID.search(clause) and lx.CONFIRM.search(clause):
            confirm = "return" if re.search(r"\b(?:return|exchange)\b", clause) else "order"
        if resolution:
            continue
        found, attrs = _slots_in(clause, features, sized)
        slots += [s for s in found if s not in slots]
        attributes += [a for a in attrs if a not in attributes]
    brand_list = sum(b in low for b in brands) >= 3  # "We carry Kestrel, Lumen and Voltari. Any favourite?"
    if brand_list and any(asks for _, asks in _clauses(low)) and "brand" not in slots:
        slots.append("brand")
    brand_list = brand_list or "brand" in slots
    offers = _offers(low, shown, products, names or {}, brand_list)
    if offers and "brand" in slots and not re.search(r"\bbrands?\b|manufacturer", low):
        slots.remove("brand")
    return Reading(tuple(slots), tuple(attributes), order_id, tuple(offers), confirm, tuple(returns), need)


def _feature_words(category: object) -> tuple[str, ...]:
    attribute = getattr(category, "attribute", "")
    values = tuple(str(v).lower() for v in getattr(category, "values", ()) if isinstance(v, str))
    return lx.ATTRIBUTE_WORDS.get(attribute, ()) + values


def name_index(products: Mapping[str, Product]) -> dict[str, tuple[str, ...]]:
    """ "brand line" (lower case) -> product ids, for offers by name."""
    index: dict[str, list[str]] = {}
    for pid, product in products.items():
        words = product.name.lower().split()
        index.setdefault(" ".join(words[:2]), []).append(pid)
    return {key: tuple(value) for key, value in index.items()}


def _offers(
    low: str,
    shown: Sequence[str],
    products: Mapping[str, Product],
    names: Mapping[str, tuple[str, ...]],
    brand_list: bool = False,
) -> list[str]:
    here = [p.upper() for p in _PID.findall(low)]
    pool = list(dict.fromkeys([*shown, *here]))
    listed = list(dict.fromkeys(here)) if len(set(here)) >= 2 else [p for p in shown if p in products]
    offered: list[str] = []
    taken_back: set[str] = set()
    for clause, _ in _clauses(low):
        negative = False
        for part in _PART.split(clause):
            if not part.strip():
                continue
            for pid, start, end in _mentions(part, pool, listed, products, names, brand_list):
                before = part[:start]
                cues = [(m.start(), True) for m in lx.NEGATIVE_BEFORE.finditer(before)]
                cues += [(m.start(), False) for m in lx.POSITIVE.finditer(before)]
                if cues:
                    negative = max(cues)[1]
                after_neg = lx.NEGATIVE_AFTER.search(part[end:])
                if negative or after_neg:
                    taken_back.add(pid)
                elif pid not in offered:
                    offered.append(pid)
    return [p for p in offered if p not in taken_back or (p in here and low.count(p.lower()) > 1)]


def _mentions(
    part: str,
    pool: Sequence[str],
    listed: Sequence[str],
    products: Mapping[str, Product],
    names: Mapping[str, tuple[str, ...]],
    brand_list: bool = False,
) -> list[tuple[str, int, int]]:
    """(product id, start, end) of every product ``part`` points at (one per way of pointing)."""
    found: list[tuple[str, int, int]] = []
    for match in _PID.finditer(part):
        found.append((match.group(0).upper(), match.start(), match.end()))
    if found:
        return found
    tokens = list(_TOKEN.finditer(part))
    for a, b in itertools.pairwise(tokens):
        ids = names.get(f"{a.group(0)} {b.group(0)}")
        if ids:
            choice = [p for p in pool if p in ids] or (list(ids) if len(ids) == 1 else [])
            if choice:
                found.append((choice[0], a.start(), b.end()))
    if found:
        return found
    candidates = [p for p in listed if p in products]
    if not candidates:
        return []
    ordinal = lx.ORDINAL.search(part)
    if ordinal:
        word = next(g for g in ordinal.groups() if g)
        index = lx.ORDINALS.get(word, 9)
        if -len(candidates) <= index < len(candidates):
            return [(candidates[index], ordinal.start(), ordinal.end())]
    for pattern, pick in ((lx.CHEAPEST, min), (lx.PRICIEST, max)):
        extreme = pattern.search(part)
        if extreme:
            return [(pick(candidates, key=lambda p: products[p].price), extreme.start(), extreme.end())]
    money = lx.PRICE_POINTER.search(part)
    if money:
        amount = re.search(r"\$([\d,]+(?:\.\d\d)?)", part[money.start() :])
        if amount:
            value = float(amount.group(1).replace(",", ""))
            hits = [p for p in candidates if abs(products[p].price - value) < 0.01]
            if len(hits) == 1:
                return [(hits[0], money.start(), money.end())]
    for color in COLORS:
        colored = re.search(rf"\b{color}\b(?:\s+\w+)?\s+{lx.COLOR_POINTER}\b", part)
        if colored:
            hits = [p for p in candidates if products[p].color == color]
            if len(hits) == 1:
                return [(hits[0], colored.start(), colored.end())]
    for brand in sorted({products[p].brand.lower() for p in candidates} if not brand_list else ()):
        named = re.search(rf"\b{brand}\b", part)
        hits = [p for p in candidates if products[p].brand.lower() == brand]
        if named and len(hits) == 1:
            return [(hits[0], named.start(), named.end())]
    return []
