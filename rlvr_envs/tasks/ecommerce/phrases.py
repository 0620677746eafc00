"""The customer's wording: several phrasings per dialogue act, and constraint descriptions.

Kept apart from the simulator's logic so the language can grow without touching the behaviour.
"""

from __future__ import annotations

from rlvr_envs.tasks.ecommerce.db import money
from rlvr_envs.tasks.ecommerce.models import AttrValue

ACTS: dict[str, tuple[str, ...]] = {
    "greet": ("Hi!", "Hello there.", "Hey, hope you can help.", "Good day!"),
    "buy": ("I'm looking for {what}.", "I need {what}.", "Could you help me find {what}?", "I want to buy {what}."),
    "requested": (
        "I'd like to order the {name} ({pid}){size}.",
        "Can I get the {name}, item {pid}{size}?",
        "I saw the {name} ({pid}) on your site and want it{size}.",
    ),
    "fallback": (
        "If it isn't available, something similar would do: {what}.",
        "Should that not work, I'd take an alternative: {what}.",
        "Otherwise a close substitute is fine: {what}.",
    ),
    "cart": (
        "I'm shopping for {what}, and I can spend {budget} in total.",
        "I need {what}, all together for at most {budget}.",
        "Could you put together {what}? My total budget is {budget}.",
    ),
    "coupon": (
        "I'd like to order {what}. Please use whichever promotion code saves me the most.",
        "I want {what}, with the best discount code you have.",
        "Please order {what} for me, with the promotion that gives the biggest discount.",
    ),
    "return_yes": (
        "I'd like to {verb} the {name} from order {oid}.",
        "Can I {verb} the {name} I got in order {oid}?",
        "I need to {verb} the {name} (order {oid}).",
    ),
    "return_hidden": (
        "I'd like to {verb} the {name} I bought recently.",
        "Can I {verb} the {name} I ordered?",
        "I need to {verb} a {name} I received.",
    ),
    "status": (
        "Where is my order {oid}?",
        "Could you check on order {oid} for me?",
        "What's the status of order {oid}?",
    ),
    "status_hidden": (
        "Where is my order with the {name}?",
        "Could you check on my {name} order?",
        "What's happening with the {name} I ordered?",
    ),
    "policy_returns": (
        "How long do I have to return {category}?",
        "What's your return window for {category}?",
        "If I buy {category}, how many days do I get to send them back?",
    ),
    "policy_shipping": (
        "How much is shipping, and when is it free?",
        "What do you charge for delivery? Is it ever free?",
        "Tell me about shipping costs and the free-shipping minimum.",
    ),
    "policy_price_match": (
        "Do you price match if the price drops after I buy?",
        "What happens if a price goes down after my purchase?",
        "Is there any price protection after buying?",
    ),
    "policy_bundle": (
        "Do you give a discount for buying several items?",
        "Is there a bundle discount?",
        "Do I save anything when I order multiple things at once?",
    ),
    "also": ("Also, {text}", "One more thing: {text}", "And {text}"),
    "answer": ("{fact}.", "Sure: {fact}.", "Oh right, {fact}.", "Good question: {fact}."),
    "no_pref": ("I don't really mind about the {slot}.", "The {slot} doesn't matter to me.", "Any {slot} is fine."),
    "give_order": ("It's order {oid}.", "The order number is {oid}.", "Let me check... {oid}."),
    "accept": (
        "{pid} sounds perfect, let's go with that.",
        "Yes, {pid} is what I want.",
        "Great, {pid} works for me. Please order it.",
    ),
    "accept_requested": ("Yes, {pid} is the one I asked for.", "That's exactly the one I wanted, {pid}."),
    "reject": ("Hmm, {pid} won't do: {reason}.", "No, not {pid}: {reason}.", "{pid} isn't right for me: {reason}."),
    "mind_change": (
        "Actually, I've changed my mind: I'd rather have it in {color}.",
        "Wait, on second thought I'd prefer {color}.",
        "Sorry, I changed my mind, {color} please.",
    ),
    "choose": ("Of those, I'd take {pid}.", "Between them, {pid} is the one I want.", "I'll go with {pid}."),
    "confirm_yes": ("Yes, please go ahead.", "Yes please, go ahead.", "Yes, that's right, please do."),
    "confirm_not_yet": (
        "Not yet, I haven't picked a product.",
        "Hold on, we haven't found the right one yet.",
        "No, I haven't chosen anything yet.",
    ),
    "confirm_nothing": ("There's nothing to confirm yet.", "Go ahead with what?", "I'm not sure what you mean."),
    "return_reason": ("It just isn't right for me.", "It didn't work out for me.", "It's not what I expected."),
    "return_refund": ("A refund, please.", "I'd like my money back.", "Just a refund, thanks."),
    "return_exchange": (
        "An exchange for size {option}, please.",
        "I'd like to swap it for size {option}.",
        "Size {option} instead, please.",
    ),
    "no_return": ("I'm not returning anything.", "I don't want to return anything.", "No return, thanks."),
    "still_need": (
        "Yes, I still need help with {what}.",
        "We haven't finished {what} yet.",
        "I'm still waiting for help with {what}.",
    ),
    "done": ("Perfect, thanks!", "Great, that's sorted.", "Wonderful, thank you."),
    "wrong_order": (
        "Wait, order {oid} is not what I asked for.",
        "Hold on, {oid} isn't what I wanted.",
        "That order ({oid}) is wrong.",
    ),
    "nudge": (
        "Sorry, I'm not sure that helps me.",
        "Hmm, that doesn't really answer me.",
        "Could we get to the point, please?",
        "I'm still waiting for help with my request.",
    ),
    "silent": ("Hello? Are you still there?", "Is anything happening?", "Still waiting..."),
    "leave": (
        "This is taking too long. I'll shop somewhere else. Goodbye.",
        "Forget it, I'm leaving.",
        "I've run out of patience. Bye.",
    ),
    "bye": (
        "That's everything, thank you! Bye.",
        "All set, thanks for your help. Goodbye!",
        "Thanks, that's all I needed. Have a nice day!",
    ),
}

_ATTRIBUTE_TEXT: dict[str, tuple[str, str]] = {
    # attribute: (true text, false text) for booleans, or a template with {v}
    "wireless": ("wireless", "wired"),
    "waterproof": ("waterproof", "not waterproof"),
    "adjustable_arms": ("with adjustable arms", "without adjustable arms"),
}
_ATTRIBUTE_TEMPLATE: dict[str, str] = {
    "ram_gb": "with {v} GB of RAM",
    "battery_days": "with a {v}-day battery",
    "watts": "with {v} watts",
    "terrain": "for {v} running",
    "material": "made of {v}",
    "capacity_l": "with {v} litres of capacity",
    "type": "of the {v} type",
    "capacity_people": "for {v} people",
    "pieces": "with {v} pieces",
}
SLOT_NAMES: dict[str, str] = {
    "max_price": "budget",
    "color": "colour",
    "brand": "brand",
    "min_rating": "rating",
    "attribute": "features",
    "size": "size",
}


def describe(slot: str, value: AttrValue | float, attribute: str | None) -> str:
    """One constraint in the customer's words (``max_price`` -> "up to $120")."""
    if slot == "max_price":
        return f"up to {money(float(value))}"
    if slot == "color":
        return f"in {value}"
    if slot == "brand":
        return f"from {value}"
    if slot == "min_rating":
        return f"rated at least {float(value):.1f} stars"
    if slot == "size":
        return f"in size {value}"
    if attribute in _ATTRIBUTE_TEXT and isinstance(value, bool):
        return _ATTRIBUTE_TEXT[attribute][0 if value else 1]
    return _ATTRIBUTE_TEMPLATE.get(attribute or "", "{v}").format(v=value)
