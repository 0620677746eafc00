"""Word lists the customer understands assistants by: slot synonyms, cue words, number words.

Data only (``understanding`` holds the logic), so the vocabulary can grow without touching behaviour.
Built to cover ``tests/ecommerce/data/assistant_turns.txt`` (how assistants phrase things); the
held-out file next to it was never used to tune these lists.
"""

from __future__ import annotations

import re

# words (or word starts ending in "*") that make a question clause ask about a slot
SLOT_WORDS: dict[str, tuple[str, ...]] = {
    "max_price": (
        "budget",
        "budjet",
        "spend",
        "spending",
        "pay",
        "afford",
        "price",
        "prices",
        "pricey",
        "price-wise",
        "cost",
        "money",
        "dollars",
        "amount",
        "cap",
        "ceiling",
        "figure",
        "limit",
        "max",
        "maximum",
        "ballpark",
    ),
    "color": ("colour", "color", "colours", "colors", "shade", "finish", "hue", "colourway", "colorway"),
    "brand": ("brand", "brands", "brand-wise", "manufacturer", "manufacturers", "company's", "company"),
    "min_rating": (
        "rating",
        "ratings",
        "rated",
        "well-rated",
        "top-rated",
        "review",
        "reviews",
        "reviewed",
        "well-reviewed",
        "star",
        "stars",
        "4-star",
        "5-star",
        "score",
    ),
    "size": ("size", "sizes", "sized"),
}
# words that ask about a "max_price" only in the company of a limit word ("limit" alone may be a RAM limit)
WEAK_PRICE = frozenset({"limit", "max", "maximum", "cap", "ceiling", "amount", "figure"})
SIZE_VALUES = frozenset({"xs", "s", "m", "l", "xl", "small", "medium", "large"})
# the category's feature, by attribute name
ATTRIBUTE_WORDS: dict[str, tuple[str, ...]] = {
    "wireless": ("wireless", "wired", "bluetooth", "cable", "cord", "corded", "cordless"),
    "ram_gb": ("ram", "memory", "gb", "16gb", "8gb", "32gb", "64gb", "multitasking"),
    "battery_days": ("battery", "charge", "charging"),
    "watts": ("watt", "watts", "wattage", "power", "powerful", "motor", "w"),
    "terrain": ("terrain", "trail", "trails", "road", "roads", "off-road", "runner", "run"),
    "waterproof": ("waterproof", "waterproofing", "rain", "rainproof", "water-resistant", "wet", "dry"),
    "material": ("material", "fabric", "cotton", "polyester", "linen", "merino", "made"),
    "capacity_l": ("capacity", "litre", "litres", "liter", "liters", "volume", "20l", "30l", "carry", "hold", "big"),
    "type": ("espresso", "drip", "pour-over", "press", "brewing", "method", "kind", "type"),
    "capacity_people": ("people", "person", "sleep", "campers", "group", "capacity"),
    "adjustable_arms": ("arm", "arms", "armrest", "armrests", "adjustable"),
    "pieces": ("piece", "pieces", "large"),
}
# for categories without sizes, "size" questions are about the feature ("what size tent?")
SIZE_MEANS_FEATURE = frozenset({"capacity_l", "capacity_people", "pieces"})

# a clause asks something when it ends in "?" or opens like a question or a request
QUESTION_OPENING = re.compile(
    r"^(?:(?:so|and|also|now|ok|okay|great|sure|first|just|but|then|or|oh|hey|perfect|thanks|alright)[,!]?\s+)*"
    r"(?:what|whats|what's|which|wich|how|do|does|did|are|is|would|could|can|may|should|shall|will|any|"
    r"tell me|let me know|please (?:share|tell|provide|send|give|specify|indicate|advise|confirm|let)|kindly|"
    r"send me|give me|share|mind|confirm|say the word|if you|i'?d need|i need|i'?ll need|i will need|"
    r"i will require|i'?ll require|i would appreciate|go ahead|want|ready|have you|to get started)\b"
)
REQUEST_ANYWHERE = re.compile(
    r"\b(?:tell me|let me know|just tell|help (?:me )?to know|(?:like|love|help) to know|i'?d need|i'?ll need|"
    r"i need|i will need|i will require|kindly|if you share|please (?:share|tell|provide|send|give|specify))\b"
)

ORDER_ID = re.compile(
    r"\border(?:'s)?\s*(?:number|id|#|no\b|reference|ref\b)|\b(?:which|what) order\b|\bnumber of the order\b|"
    r"\border\b.{0,30}\b(?:its|the) number\b|\bwhat order number\b"
)
CONFIRM = re.compile(
    r"\b(?:shall|should|can|may|could) (?:i|we)\b(?: (?:just|now|go ahead and))? "
    r"(?:go ahead|proceed|place|order|buy|purchase|check ?out|complete|finali[sz]e|submit|process|start)\b"
    r"|\b(?:like|want) me to\b.{0,40}\b(?:go ahead|proceed|place|order|buy|purchase|check ?out|checkout|complete|"
    r"finali[sz]e|submit|process|start|add)\b"
    r"|\b(?:like|want|ready|happy|ok|okay|alright|fine)(?: for me)? to (?:go ahead|proceed|place|order|buy|purchase|"
    r"check ?out|complete|finali[sz]e|submit)\b"
    r"|\b(?:ok|okay|alright|fine) if i (?:place|order|go ahead|proceed)\b"
    r"|\bgo ahead\b|\bgo-ahead\b|\bshall (?:i|we)\s*\??$|\bsay the word\b"
    r"|\bconfirm\b.{0,40}\b(?:place|order|proceed|go ahead|purchase|complete)\b"
    r"|\blet me know\b.{0,40}\b(?:i'?ll|i will) (?:place|order|go ahead)\b"
)
RETURN_REASON = re.compile(
    r"\breason\b|\bwhy\b|\bwhat(?:'s| is| was) wrong\b|\bproblem with\b|\bdamaged\b|\bmade you decide\b"
)
RETURN_RESOLUTION = re.compile(
    r"\b(?:refund|money back|store credit|replacement|swap|exchange)\b.{0,60}\bor\b|\bor\b.{0,60}"
    r"\b(?:refund|money back|store credit|replacement|swap it|exchange)\b"
)
NEED = re.compile(
    r"\banything (?:else|more|further)\b|\bsomething else (?:i can|to help|you need)\b|\bany other way\b|"
    r"\bhow (?:can|may) i (?:help|assist)\b|"
    r"\bwhat can i do for you\b|\bwhat else\b|\bwhat would you like help with\b|\bis that everything\b"
)

# offers: how a product is pointed at, and cues that take a mention back ("not", "out of stock")
ORDINALS: dict[str, int] = {
    "first": 0,
    "1st": 0,
    "#1": 0,
    "1": 0,
    "one": 0,
    "second": 1,
    "2nd": 1,
    "#2": 1,
    "2": 1,
    "two": 1,
    "third": 2,
    "3rd": 2,
    "#3": 2,
    "3": 2,
    "three": 2,
    "last": -1,
}
ORDINAL = re.compile(
    r"\bthe\s+(first|second|third|last|1st|2nd|3rd)\b|\b(?:option|number|no\.)\s+(1|2|3|one|two|three)\b"
    r"|(#[123])\b|\b(first|second|third|last) (?:one|option|pair|laptop|model|result|item)\b"
)
CHEAPEST = re.compile(r"\bthe (?:cheap(?:er|est)|least expensive|most affordable|lowest[- ]priced)\b|\bcheapest\b")
PRICIEST = re.compile(r"\bthe (?:most expensive|priciest|pricier|more expensive)\b")
PRICE_POINTER = re.compile(r"\b(?:one|pair|option|model|laptop|ones)\s+(?:at|for)\s+\$|\bthe \$[\d,.]+ (?:one|pair)")
NEGATIVE_BEFORE = re.compile(r"\b(?:not|skip|avoid|rather than|instead of|other than|except|apart from)\b")
POSITIVE = re.compile(
    r"\b(?:suggest|recommend|go (?:with|for)|how about|what about|try|pick|choose|better|best|instead|is the one)\b"
)
NEGATIVE_AFTER = re.compile(
    r"\b(?:doesn'?t|does not|isn'?t|won'?t|out of stock|sold out|unavailable|not available|not in stock|too low|"
    r"too high|too expensive)\b"
)
COLOR_POINTER = r"(?:one|ones|pair|laptop|model|option|headphones|jacket|shoes)"

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBER_WORD = re.compile(
    r"\b(" + "|".join(_TENS) + r")(?:[- ](" + "|".join(_UNITS[1:10]) + r"))?\b|\b(" + "|".join(_UNITS) + r")\b",
    re.IGNORECASE,
)


def words_to_digits(text: str) -> str:
    """Numbers in words as digits ("thirty days" -> "30 days", "forty-five" -> "45"); parentheses dropped."""

    def one(match: re.Match[str]) -> str:
        if match.group(1):
            return str(_TENS[match.group(1).lower()] + (_UNITS.index(match.group(2).lower()) if match.group(2) else 0))
        return str(_UNITS.index(match.group(3).lower()))

    return _NUMBER_WORD.sub(one, text).replace("(", " ").replace(")", " ")
