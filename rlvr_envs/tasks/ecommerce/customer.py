"""The simulated customer: goal-driven, deterministic under its seed, talking in varied templates.

Behaviour, per agent reply (text sent to the customer), read by `understanding.read` into dialogue acts:

- **Slot questions** (an asking clause that names a slot by a synonym, values or the category's
  feature): a kept-back constraint is revealed; a slot the customer has no constraint on gets
  "I don't mind". Answers always come from the hidden goal, so they agree.
- **Order numbers**: asked for, a kept-back order id is given.
- **Offers** (ids, names, positions, prices, colours of mentioned products; not the ones taken back):
  each is judged against the wanted product of its category; of several fitting ones the cheapest is
  taken, wrong ones are rejected with the broken constraint as the reason (one patience point per
  turn). The first offer may trigger a change of mind (a different colour).
- **Confirmations**: "yes, go ahead" when a pending purchase has every product chosen (or a return is
  pending), "not yet" otherwise; **return questions** get the reason and refund/exchange from the goal;
  a **need question** ("anything else?") gets what is still open.
- **Progress**: when the shop's state and the replies fulfil an intent (see `judge.intent_done`),
  the customer says so; when all are fulfilled, they say goodbye and the episode ends.
- **Patience**: a reply that achieves nothing, a rejected offer, an unwanted order or too many
  silent tool-only turns cost one point; at zero the customer leaves angrily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from rlvr_envs.tasks.ecommerce.catalog import CATEGORY_BY_NAME
from rlvr_envs.tasks.ecommerce.db import ShopDB, money
from rlvr_envs.tasks.ecommerce.goals import Goal, Intent, Want, satisfies
from rlvr_envs.tasks.ecommerce.judge import collateral, intent_done, new_orders
from rlvr_envs.tasks.ecommerce.models import AttrValue, Product
from rlvr_envs.tasks.ecommerce.phrases import ACTS, SLOT_NAMES, describe
from rlvr_envs.tasks.ecommerce.understanding import Reading, name_index, read

_PID = re.compile(r"\bP\d{5}\b", re.IGNORECASE)


@dataclass
class CustomerState:
    """Everything the customer remembers (plain data, so episodes pickle)."""

    patience: int
    revealed: dict[int, list[str]] = field(default_factory=dict)  # want index -> slots told
    asked_slots: set[str] = field(default_factory=set)
    changed: set[int] = field(default_factory=set)  # wants whose mind change happened
    judged: set[str] = field(default_factory=set)  # product ids already judged
    accepted: dict[int, str] = field(default_factory=dict)
    orders_told: bool = False
    done: set[int] = field(default_factory=set)
    complained: set[str] = field(default_factory=set)
    silent: int = 0
    shown: list[str] = field(default_factory=list)  # product ids the agent mentioned, first mention first
    confirmed: set[str] = field(default_factory=set)  # what the customer said "yes, go ahead" to
    return_told: set[str] = field(default_factory=set)  # return questions answered ("reason", "resolution")
    left: bool = False
    satisfied: bool = False


class Customer:
    """The simulator for one episode; `opening` starts the chat and `hear` answers each reply."""

    def __init__(self, goal: Goal, db: ShopDB, seed: int) -> None:
        self.goal = goal
        self.db = db
        self.rng = np.random.default_rng(np.random.SeedSequence([seed, 0xC057]))
        self.state = CustomerState(patience=goal.patience)
        self.wants: list[tuple[int, Intent, Want]] = []  # (want index, its intent, want)
        for intent in goal.intents:
            for want in intent.wants:
                self.wants.append((len(self.wants), intent, want))
        self.categories = tuple(dict.fromkeys(w.category for _, _, w in self.wants if w.exact is None))
        self._names: dict[str, tuple[str, ...]] | None = None

    def say(self, act: str, **values: object) -> str:
        options = ACTS[act]
        text = options[int(self.rng.integers(0, len(options)))].format(**values)
        return text[:1].upper() + text[1:]

    # ---- opening ------------------------------------------------------------------------------
    def _want_text(self, index: int, want: Want) -> str:
        parts = [
            describe(slot, self._value(index, want, slot), want.attribute)
            for slot in want.constraints
            if slot not in want.hidden
        ]
        word = CATEGORY_BY_NAME[want.category].noun.lower()
        noun = f"a pair of {word}" if word.endswith("s") else f"a {word}"
        self.state.revealed.setdefault(index, [s for s in want.constraints if s not in want.hidden])
        return " ".join([noun, *parts]) if parts else noun

    def _value(self, index: int, want: Want, slot: str) -> AttrValue | float:
        if slot == "color" and want.first_color and index not in self.state.changed:
            return want.first_color
        return want.constraints[slot]

    def opening(self) -> str:
        texts = []
        windex = 0
        for intent in self.goal.intents:
            texts.append(self._intent_opening(intent, windex))
            windex += len(intent.wants)
        body = texts[0] + "".join(" " + self.say("also", text=_lower_first(t)) for t in texts[1:])
        return f"{self.say('greet')} {body}"

    def _intent_opening(self, intent: Intent, windex: int) -> str:
        world = self.db.world
        if intent.kind == "buy" and intent.requested:
            product = world.products[intent.requested]
            size = f" in size {intent.wants[0].constraints['size']}" if "size" in intent.wants[0].constraints else ""
            return (
                self.say("requested", name=product.name, pid=product.product_id, size=size)
                + " "
                + self.say("fallback", what=self._want_text(windex, intent.wants[0]))
            )
        if intent.kind == "buy" and intent.best_coupon:
            items = []
            for want in intent.wants:
                product = world.products[want.exact or ""]
                option = want.target.split("-", 1)[1]
                items.append(
                    f"the {product.name} ({product.product_id}" + ("" if option == "STD" else f", size {option}") + ")"
                )
            return self.say("coupon", what=" and ".join(items))
        if intent.kind == "buy":
            what = " and ".join(self._want_text(windex + i, w) for i, w in enumerate(intent.wants))
            if intent.budget is not None:
                return self.say("cart", what=what, budget=money(intent.budget))
            return self.say("buy", what=what)
        order = world.orders.get(intent.order_id or "")
        name = world.products[order.lines[0].product_id].name if order else "item"
        if intent.kind == "return":
            verb = "exchange" if intent.exchange_option else "return"
            text = self.say(
                "return_hidden" if intent.order_hidden else "return_yes", verb=verb, name=name, oid=intent.order_id
            )
            if intent.exchange_option:
                text += f" I'd like size {intent.exchange_option} instead."
            return text
        if intent.kind == "status":
            return self.say("status_hidden" if intent.order_hidden else "status", oid=intent.order_id, name=name)
        return self.say(f"policy_{intent.topic}", category=intent.category or "items")

    # ---- one reply ----------------------------------------------------------------------------
    def silent_turn(self, limit: int) -> str | None:
        """The agent only called tools; after ``limit`` such turns in a row the customer nudges."""
        self.state.silent += 1
        if self.state.silent < limit:
            return None
        self.state.silent = 0
        return self._lose_patience(self.say("silent"))

    def hear(self, reply: str, replies_so_far: str) -> str:
        """Answer one agent reply; sets ``state.satisfied`` or ``state.left`` when the chat ends."""
        self.state.silent = 0
        reading = self.understand(reply)
        out: list[str] = []
        answered, progress = self._answer_slots(reading)
        out.extend(answered)
        if reading.order_id:
            hidden = [i.order_id for i in self.goal.intents if i.order_hidden and i.order_id]
            if hidden and not self.state.orders_told:
                self.state.orders_told = True
                out.append(" ".join(self.say("give_order", oid=oid) for oid in hidden))
                progress = True
        offers, good = self._judge_offers(list(reading.offers))
        out.extend(offers)
        progress = progress or good or bool(offers)  # a rejected offer already cost patience
        if reading.confirm:
            text, told = self._confirm(reading, good)
            out.append(text)
            progress = progress or told
        if reading.returns:
            text, told = self._answer_return(reading)
            out.append(text)
            progress = progress or told
        for order in new_orders(self.db):
            if order.order_id in self.state.complained or order.status == "cancelled":
                continue
            if any(f"unwanted order {order.order_id}" == p for p in collateral(self.goal.intents, self.db)):
                self.state.complained.add(order.order_id)
                out.append(self.say("wrong_order", oid=order.order_id))
                out.append(self._lose_patience(""))
        done_before = len(self.state.done)
        for k, intent in enumerate(self.goal.intents):
            if k not in self.state.done and intent_done(intent, self.db, replies_so_far):
                self.state.done.add(k)
                progress = True
        if progress and len(self.state.done) < len(self.goal.intents) and len(self.state.done) > done_before:
            out.append(self.say("done"))
        if len(self.state.done) == len(self.goal.intents) and not collateral(self.goal.intents, self.db):
            self.state.satisfied = True
            out.append(self.say("bye"))
        elif not progress and not self.state.left:
            out.append(self._lose_patience(self._still_need() if reading.need else self.say("nudge")))
        return " ".join(part for part in out if part).strip()

    def understand(self, reply: str) -> Reading:
        """The reply's dialogue acts; remembers the products it mentions (for "the first one" later)."""
        if self._names is None:
            products = self.db.world.products
            wanted = set(self.categories)
            self._names = name_index({p: v for p, v in products.items() if v.category in wanted})
        reading = read(reply, self.categories, self.state.shown, self.db.world.products, self._names)
        for pid in [*(p.upper() for p in _PID.findall(reply)), *reading.offers]:
            if pid in self.db.world.products and pid not in self.state.shown:
                self.state.shown.append(pid)
        return reading

    def _still_need(self) -> str:
        for k, intent in enumerate(self.goal.intents):
            if k not in self.state.done:
                if intent.kind == "buy":
                    what = " and ".join(f"the {w.category}" for w in intent.wants)
                else:
                    what = {"return": "my return", "status": "my order", "policy": "my question"}[intent.kind]
                return self.say("still_need", what=what)
        return self.say("nudge")

    def _confirm(self, reading: Reading, accepted_now: bool) -> tuple[str, bool]:
        """Answer "Shall I go ahead?" from the goal: yes only to what the customer wants done."""
        if reading.offers:  # the judgement of the offered product is the answer
            return (self.say("confirm_yes"), False) if accepted_now else ("", False)
        pending = [(k, i) for k, i in enumerate(self.goal.intents) if k not in self.state.done]
        buys = [(k, i) for k, i in pending if i.kind == "buy"]
        ready = [k for k, i in buys if all(idx in self.state.accepted for idx, owner, _ in self.wants if owner is i)]
        returns = [k for k, i in pending if i.kind == "return"]
        if (reading.confirm == "return" and returns) or (not buys and returns):
            key = f"return:{returns[0]}"
        elif ready:
            key = "buy:" + ",".join(sorted(self.state.accepted.values()))
        elif buys:
            return self.say("confirm_not_yet"), False
        else:
            return self.say("confirm_nothing"), False
        fresh = key not in self.state.confirmed
        self.state.confirmed.add(key)
        return self.say("confirm_yes"), fresh

    def _answer_return(self, reading: Reading) -> tuple[str, bool]:
        intent = next(
            (i for k, i in enumerate(self.goal.intents) if i.kind == "return" and k not in self.state.done), None
        )
        if intent is None:
            return self.say("no_return"), False
        out = []
        fresh = False
        for what in reading.returns:
            if what == "reason":
                out.append(self.say("return_reason"))
            elif intent.exchange_option:
                out.append(self.say("return_exchange", option=intent.exchange_option))
            else:
                out.append(self.say("return_refund"))
            fresh = fresh or what not in self.state.return_told
            self.state.return_told.add(what)
        return " ".join(out), fresh

    def _lose_patience(self, text: str) -> str:
        self.state.patience -= 1
        if self.state.patience <= 0 and not self.state.left:
            self.state.left = True
            return (text + " " + self.say("leave")).strip()
        return text

    def _answer_slots(self, reading: Reading) -> tuple[list[str], bool]:
        out: list[str] = []
        told = False
        for index, intent, want in self.wants:
            if want.exact or index in self.state.accepted:
                continue
            for slot in ("max_price", "color", "brand", "min_rating", "size", "attribute"):
                if slot not in reading.slots or (slot == "attribute" and want.attribute not in reading.attributes):
                    continue
                key = f"{index}:{slot}"
                if slot in want.constraints:
                    value = self._value(index, want, slot)
                    fact = describe(slot, value, want.attribute)
                    out.append(self.say("answer", fact=f"for the {want.category}, {fact}"))
                    if slot not in self.state.revealed.setdefault(index, []):
                        self.state.revealed[index].append(slot)
                        told = True
                elif slot == "max_price" and intent.budget is not None:
                    out.append(self.say("answer", fact=f"{money(intent.budget)} in total"))
                else:
                    out.append(self.say("no_pref", slot=SLOT_NAMES[slot]))
                if key not in self.state.asked_slots:
                    self.state.asked_slots.add(key)
                    told = True
        return out, told

    def _judge_offers(self, pids: list[str]) -> tuple[list[str], bool]:
        """Judge the offered products; of several fitting ones for one want, take one (the cheapest)."""
        out: list[str] = []
        good = False
        groups: dict[int, list[tuple[str, list[str]]]] = {}
        for pid in pids[:4]:
            if pid in self.state.judged:
                continue
            product = self.db.world.products.get(pid)
            if product is None:
                continue
            self.state.judged.add(pid)
            match = [(i, intent, w) for i, intent, w in self.wants if w.category == product.category]
            if not match:
                continue
            index, intent, want = match[0]
            if intent.requested == pid:
                out.append(self.say("accept_requested", pid=pid))
                good = True
                continue
            if want.first_color and index not in self.state.changed:
                self.state.changed.add(index)
                out.append(self.say("mind_change", color=want.constraints["color"]))
            groups.setdefault(index, []).append((pid, self._broken(product, want)))
        for index, judged in groups.items():
            want = self.wants[index][2]
            fitting = [pid for pid, broken in judged if not broken]
            if fitting:
                pick = min(fitting, key=lambda p: (self.db.world.products[p].price, fitting.index(p)))
                self.state.accepted[index] = pick
                out.append(self.say("accept", pid=pick) if len(judged) == 1 else self.say("choose", pid=pick))
                good = True
                continue
            reasons = []
            for pid, broken in judged:
                slot = broken[0]
                if slot in want.constraints:
                    reason = f"I want it {describe(slot, want.constraints[slot], want.attribute)}"
                    if slot not in self.state.revealed.setdefault(index, []):
                        self.state.revealed[index].append(slot)
                else:
                    reason = "that's not the product I asked for"
                reasons.append(self.say("reject", pid=pid, reason=reason))
            out.append(self._lose_patience(" ".join(reasons)))  # one point per turn, however many were wrong
        return out, good

    def _broken(self, product: Product, want: Want) -> list[str]:
        options = [v.option for v in product.variants]
        if want.exact is not None:
            option = next((v.option for v in product.variants if v.sku == want.target), options[0])
        else:
            option = str(want.constraints.get("size", options[0]))
            option = option if option in options else options[0]
        broken = satisfies(product, option, want)
        if "size" in broken and "size" in want.constraints:
            broken = [b for b in broken if b != "size"] + (["size"] if option not in options else [])
        return broken


def _lower_first(text: str) -> str:
    """Lower-case a sentence's first letter to continue it ("Also, where..."), but keep "I"."""
    if text[:2] in ("I ", "I'"):
        return text
    return text[:1].lower() + text[1:]
