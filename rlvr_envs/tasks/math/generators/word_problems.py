"""Templated story problems: shopping (money), successive percentage changes, multi-leg travel and
meeting problems (rates), joint work, mixtures and age chains.

``hops`` (reasoning steps chained together) and ``distractors`` (irrelevant sentences that contain
numbers) grow with level. Values are exact ``Fraction``\\ s; a decimal answer is only used when the
exact value terminates, and a rounded gold answer only when the question states the rounding
("to the nearest cent") and the exact value is not a rounding tie.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from rlvr_envs.tasks.math.generators import register
from rlvr_envs.tasks.math.generators._common import (
    article,
    check_level,
    choice,
    decimal_places,
    join_and,
    latex_decimal,
    latex_frac,
    rint,
    sample_distinct,
    terminates,
    weighted,
)
from rlvr_envs.tasks.math.problem import AnswerKind, MathProblem

_NAMES = [
    "Alice",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jamal",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
]
_ITEMS = [
    ("notebook", "notebooks"),
    ("pen", "pens"),
    ("apple", "apples"),
    ("sandwich", "sandwiches"),
    ("ticket", "tickets"),
    ("candle", "candles"),
    ("mug", "mugs"),
    ("scarf", "scarves"),
    ("battery", "batteries"),
    ("plant", "plants"),
    ("puzzle", "puzzles"),
    ("poster", "posters"),
    ("sticker pack", "sticker packs"),
    ("muffin", "muffins"),
    ("marker", "markers"),
    ("towel", "towels"),
]
_SUBSTANCES = ["salt", "sugar", "acid", "alcohol", "juice concentrate"]
_VEHICLES = ["car", "bus", "train", "cyclist", "truck"]
_DISTRACTORS = [
    "{name}'s neighbour owns {n} cats.",
    "The shop around the corner opened {n} years ago.",
    "{name} has read {n} books this year.",
    "It was {n} degrees outside that day.",
    "{name}'s favourite number is {n}.",
    "There were {n} people waiting at the bus stop.",
    "{name} had slept for {n} hours the night before.",
    "A nearby park has {n} benches.",
]


@dataclass
class _Story:
    facts: list[str]
    ask: str
    value: Fraction
    mode: str  # "count" (integer), "money", "number" (decimal if it terminates, else fraction)
    solution: str
    unit: str = ""


def _money(x: Fraction) -> str:
    """Dollar amount as written in a story: ``$12``, ``$3.50``."""
    return f"\\${latex_decimal(x, 2)}" if x.denominator != 1 else f"\\${x.numerator}"


def _num(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    return latex_decimal(x) if terminates(x) and decimal_places(x) <= 3 else latex_frac(x)


@register
class WordProblemsGenerator:
    """Multi-step story problems with optional distractor sentences."""

    name = "word_problems"

    def knobs(self, level: int) -> dict[str, int | float]:
        level = check_level(level)
        return {
            "hops": 1 + level // 2,  # chained reasoning steps (items, legs, changes, people, ...)
            "distractors": 0 if level < 3 else 1 + (level - 3) // 3,  # irrelevant numeric sentences
            "number_max": 20 + 10 * level,  # magnitude of quantities in the story
            "cents": 1 if level >= 2 else 0,  # prices with cents
            "templates": min(6, 3 + level // 2),
        }

    def generate(self, rng: np.random.Generator, level: int) -> MathProblem:
        kn = self.knobs(level)
        builders: list[Callable[[np.random.Generator, dict[str, int | float]], _Story]] = [
            self._shopping,
            self._ages,
            self._percent,
            self._travel,
            self._work,
            self._mixture,
        ]
        t = int(kn["templates"])
        build = weighted(rng, [(b, 1.0 if i < t else 0.0) for i, b in enumerate(builders)])
        story = build(rng, kn)
        facts = list(story.facts)
        for _ in range(int(kn["distractors"])):
            text = choice(rng, _DISTRACTORS).format(name=choice(rng, _NAMES), n=rint(rng, 2, 99))
            facts.insert(rint(rng, 1, len(facts)), text)
        answer, kind, form = _finish(story.value, story.mode, story.unit)
        question = " ".join([*facts, story.ask, form])
        return MathProblem(
            family=self.name,
            question=question,
            answer=answer,
            answer_kind=kind,
            knobs=kn,
            solution=f"{story.solution} The answer is ${answer}$.",
        )

    # ------------------------------------------------------------------------------ templates
    @staticmethod
    def _shopping(rng: np.random.Generator, kn: dict[str, int | float]) -> _Story:
        name = choice(rng, _NAMES)
        n_items = min(len(_ITEMS), int(kn["hops"]))
        items = [_ITEMS[i] for i in sample_distinct(rng, 0, len(_ITEMS) - 1, n_items)]
        nm = int(kn["number_max"])
        total = Fraction(0)
        parts: list[str] = []
        for single, plural in items:
            qty = rint(rng, 2, max(3, nm // 4))
            if kn["cents"] and rng.random() < 0.6:
                price = Fraction(rint(rng, 4, 4 * nm), 4)  # quarters keep it friendly
            else:
                price = Fraction(rint(rng, 1, nm))
            total += qty * price
            parts.append(f"{qty} {plural} at {_money(price)} per {single}")
        bill = Fraction(((int(total) // 20) + 1 + rint(rng, 0, 2)) * 20)
        bought = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"
        facts = [f"{name} buys {bought}.", f"{name} pays with {_money(bill)} in bills."]
        return _Story(
            facts,
            f"How much change, in dollars, does {name} receive?",
            bill - total,
            "money",
            f"The total cost is {_money(total)}, so the change is {_money(bill)} - {_money(total)}.",
        )

    @staticmethod
    def _ages(rng: np.random.Generator, kn: dict[str, int | float]) -> _Story:
        hops = min(len(_NAMES) - 1, int(kn["hops"]))
        names = [_NAMES[i] for i in sample_distinct(rng, 0, len(_NAMES) - 1, hops + 1)]
        ages = [rint(rng, 4, 14)]
        facts = [f"{names[0]} is {ages[0]} years old."]
        for i in range(hops):
            prev, who, ref = ages[-1], names[i + 1], names[i]
            r = rng.random()
            if r < 0.3 and prev <= 30:
                k = rint(rng, 2, 3)
                new = prev * k
                facts.append(f"{who} is {k} times as old as {ref}.")
            elif r < 0.55:
                k = rint(rng, 2, 15)
                new = prev + k
                facts.append(f"{who} is {k} years older than {ref}.")
            elif r < 0.7 and prev > 3:
                k = rint(rng, 1, prev - 2)
                new = prev - k
                facts.append(f"{who} is {k} years younger than {ref}.")
            elif r < 0.85:
                y = rint(rng, 1, min(10, 2 * prev - 1))
                new = 2 * prev - y
                facts.append(f"In {y} years, {who} will be twice as old as {ref} is now.")
            else:
                y = rint(rng, 1, max(1, prev - 1))
                k = rint(rng, 2, 3)
                new = k * (prev - y) + y
                facts.append(f"{y} years ago, {who} was {k} times as old as {ref} was then.")
            ages.append(new)
        if hops >= 2 and rng.random() < 0.4:
            value = Fraction(sum(ages))
            ask = f"What is the sum of the ages of {', '.join(names[:-1])} and {names[-1]}?"
        else:
            value = Fraction(ages[-1])
            ask = f"How old is {names[-1]}?"
        ages_text = ", ".join(f"{n} is {a}" for n, a in zip(names, ages, strict=True))
        return _Story(facts, ask, value, "count", f"Work along the chain one person at a time: {ages_text}.")

    @staticmethod
    def _percent(rng: np.random.Generator, kn: dict[str, int | float]) -> _Story:
        item = choice(rng, ["jacket", "bicycle", "laptop", "sofa", "camera", "watch", "guitar"])
        nm = int(kn["number_max"])
        factor = Fraction(1)
        changes: list[str] = []
        for step in range(int(kn["hops"])):
            pct = choice(rng, (5, 10, 15, 20, 25, 30, 40, 50)) if rng.random() < 0.8 else rint(rng, 1, 60)
            what = choice(rng, ("discount", "increase", "tax")) if step else choice(rng, ("discount", "increase"))
            lead = "Then the" if step else "The"
            if what == "discount":
                factor *= Fraction(100 - pct, 100)
                changes.append(f"{lead} price is reduced by {pct}\\%.")
            elif what == "increase":
                factor *= Fraction(100 + pct, 100)
                changes.append(f"{lead} price is increased by {pct}\\%.")
            else:
                factor *= Fraction(100 + pct, 100)
                changes.append(f"Then a sales tax of {pct}\\% is added to the current price.")
        step_size = choice(rng, (1, 5, 10, 20, 25))
        price = Fraction(rint(rng, 2, max(3, nm)) * step_size)
        # never ask to round an exact half-cent: "nearest cent" would be ambiguous
        while (price * factor * 100).denominator == 2:
            price += step_size
        facts = [f"A {item} originally costs {_money(price)}.", *changes]
        return _Story(
            facts,
            f"What is the final price of the {item}, in dollars?",
            price * factor,
            "money",
            f"Apply each change as a multiplier: {_money(price)} $\\times$ {latex_frac(factor)}.",
        )

    @staticmethod
    def _travel(rng: np.random.Generator, kn: dict[str, int | float]) -> _Story:
        hops = int(kn["hops"])
        vehicle = choice(rng, _VEHICLES)
        nm = int(kn["number_max"])
        if hops >= 2 and rng.random() < 0.3:
            v1, v2 = rint(rng, 20, 40 + nm), rint(rng, 20, 40 + nm)
            dist = rint(rng, 50, 50 + 10 * nm)
            facts = [
                f"Two towns are {dist} km apart.",
                f"A {vehicle} leaves the first town towards the second at {v1} km/h, and at the same time "
                f"another {vehicle} leaves the second town towards the first at {v2} km/h.",
            ]
            return _Story(
                facts,
                "After how many hours do they meet?",
                Fraction(dist, v1 + v2),
                "number",
                f"They close the gap at ${v1} + {v2} = {v1 + v2}$ km/h, so the time is "
                f"$\\frac{{{dist}}}{{{v1 + v2}}}$ hours.",
                unit="hours",
            )
        total_d = Fraction(0)
        total_t = Fraction(0)
        legs: list[str] = []
        for _ in range(hops + (1 if hops == 1 and rng.random() < 0.5 else 0)):
            v = rint(rng, 2, 8 + nm // 10) * 5
            if rng.random() < 0.5:
                t = Fraction(rint(rng, 1, 8), choice(rng, (1, 2, 4)))
                legs.append(f"for {_num(t)} hours at {v} km/h")
                d = v * t
            else:
                d = Fraction(rint(rng, 1, 20) * 10)
                legs.append(f"{_num(d)} km at {v} km/h")
                t = d / v
            total_d += d
            total_t += t
        first = f"A {vehicle} travels {legs[0]}"
        rest = "".join(f", then {leg}" for leg in legs[1:])
        facts = [first + rest + "."]
        if len(legs) == 1 or rng.random() < 0.4:
            return _Story(
                facts,
                "What is the total distance travelled, in km?",
                total_d,
                "number",
                "Add distance = speed $\\times$ time over the legs.",
                unit="km",
            )
        return _Story(
            facts,
            "What is the average speed for the whole trip, in km/h?",
            total_d / total_t,
            "number",
            "Average speed is total distance divided by total time.",
            unit="km/h",
        )

    @staticmethod
    def _work(rng: np.random.Generator, kn: dict[str, int | float]) -> _Story:
        workers = min(6, 1 + int(kn["hops"]))
        names = [_NAMES[i] for i in sample_distinct(rng, 0, len(_NAMES) - 1, workers)]
        hours = [rint(rng, 2, 6 + int(kn["number_max"]) // 10) for _ in names]
        task = choice(rng, ["paint a fence", "fill a pool", "mow a field", "assemble a shed", "clean a hall"])
        facts = [f"Working alone, {n} can {task} in {h} hours." for n, h in zip(names, hours, strict=True)]
        rate = sum((Fraction(1, h) for h in hours), Fraction(0))
        together = ", ".join(names[:-1]) + f" and {names[-1]}"
        return _Story(
            facts,
            f"How many hours does it take {together} to {task} working together?",
            1 / rate,
            "number",
            "Add the hourly rates and take the reciprocal.",
            unit="hours",
        )

    @staticmethod
    def _mixture(rng: np.random.Generator, kn: dict[str, int | float]) -> _Story:
        k = min(6, 1 + int(kn["hops"]))
        sub = choice(rng, _SUBSTANCES)
        vols = [rint(rng, 1, 4 + int(kn["number_max"]) // 10) for _ in range(k)]
        concs = [rint(rng, 1, 19) * 5 for _ in range(k)]
        facts = [
            "A chemist mixes "
            + join_and([f"{v} liters of {article(c)} {c}\\% {sub} solution" for v, c in zip(vols, concs, strict=True)])
            + "."
        ]
        value = Fraction(sum(v * c for v, c in zip(vols, concs, strict=True)), sum(vols))
        return _Story(
            facts,
            f"What is the percentage of {sub} in the mixture?",
            value,
            "number",
            f"Total {sub} divided by total volume, times 100.",
            unit="percent",
        )


def _finish(value: Fraction, mode: str, unit: str) -> tuple[str, AnswerKind, str]:
    """Gold answer, its kind, and the sentence telling the model what form to use."""
    unit_note = f" (in {unit})" if unit else ""
    if value.denominator == 1:
        return str(value.numerator), "integer", f"Give your answer{unit_note} as a number."
    if mode == "money":
        if terminates(value) and decimal_places(value) <= 2:
            return latex_decimal(value, 2), "decimal", "Give your answer as a decimal number of dollars."
        return latex_decimal(value, 2), "decimal", "Round your answer to the nearest cent (two decimal places)."
    if terminates(value) and decimal_places(value) <= 4:
        return latex_decimal(value), "decimal", f"Give your answer{unit_note} as an exact decimal."
    return latex_frac(value), "rational", f"Give your answer{unit_note} as a reduced fraction."
