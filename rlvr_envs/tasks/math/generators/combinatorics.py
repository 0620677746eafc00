"""Counting and probability: binomials, arrangements, multisets, committees, dice, stars and bars,
circular seating, inclusion-exclusion, and urn probabilities (reduced fractions).

Exact integer / ``Fraction`` math only (no sympy): counts come from ``math.comb`` / ``math.perm`` or a
small dynamic program, so generation is fast and the gold answer is exact.
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

import numpy as np

from rlvr_envs.tasks.math.generators import register
from rlvr_envs.tasks.math.generators._common import (
    check_level,
    choice,
    join_and,
    latex_frac,
    rint,
    sample_distinct,
    weighted,
)
from rlvr_envs.tasks.math.problem import MathProblem

_THINGS = ["books", "paintings", "trophies", "photos", "plants", "lamps", "vases", "medals"]
_PEOPLE = ["students", "players", "volunteers", "employees", "musicians", "scientists", "chefs"]
_COLORS = ["red", "blue", "green", "yellow", "white", "black", "purple", "orange"]
_GROUPS = [
    ("teachers", "parents"),
    ("seniors", "juniors"),
    ("doctors", "nurses"),
    ("boys", "girls"),
    ("engineers", "designers"),
    ("violinists", "cellists"),
]
_LETTERS = "ABCDEFGHKLMNPRST"
_FRAC_NOTE = "Give your answer as a reduced fraction."
#: committees and arrangements draw the population from at least 4..12 (at levels 0-2 it was 4..6-10,
#: where C(5, 2) = C(5, 3) = 10 was the answer of one level-0 task in eight)
_POPULATION_FLOOR = 12
#: urn colour counts are drawn from at least 1..6 (1..3 at levels 0-1, where 1/2 was the answer of one
#: level-0 urn task in three)
_URN_COUNT_FLOOR = 6


@register
class CombinatoricsGenerator:
    """Counting problems with integer answers and probability problems with reduced-fraction answers."""

    name = "combinatorics"

    def knobs(self, level: int) -> dict[str, int | float]:
        level = check_level(level)
        return {
            "n_max": 6 + 2 * level,  # population size
            "k_max": 2 + level // 2,  # selection size
            "steps": 1 + level // 3,  # stages multiplied / summed together (groups, dice, sets, ...)
            "templates": min(9, 3 + level),  # unlocked problem templates
        }

    def generate(self, rng: np.random.Generator, level: int) -> MathProblem:
        kn = self.knobs(level)
        t = int(kn["templates"])
        names = ["choose", "arrange", "urn", "word", "committee", "dice", "stars", "circle", "incl_excl"]
        kind = weighted(rng, [(nm, 1.0 if i < t else 0.0) for i, nm in enumerate(names)])
        question, value, solution, is_prob = getattr(self, f"_{kind}")(rng, kn)
        ans = latex_frac(value)
        tail = _FRAC_NOTE if is_prob else "Give your answer as an integer."
        question = f"{question} {tail}"
        return MathProblem(
            family=self.name,
            question=question,
            answer=ans,
            answer_kind="integer" if Fraction(value).denominator == 1 else "rational",
            knobs=kn,
            solution=f"{solution} The answer is ${ans}$.",
        )

    # ------------------------------------------------------------------------------ templates
    @staticmethod
    def _choose(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str, bool]:
        while True:  # k = n - 1 is degenerate: choosing who is left out, the answer is n from the prompt
            n = rint(rng, 4, max(_POPULATION_FLOOR, int(kn["n_max"])))
            k = rint(rng, 2, min(n - 1, int(kn["k_max"]) + 1))
            if k != n - 1:  # n >= 4, so k = 2 always qualifies: the loop ends
                break
        who = choice(rng, _PEOPLE)
        q = f"In how many ways can a committee of {k} be chosen from {n} {who}?"
        return q, math.comb(n, k), f"Order does not matter: $\\binom{{{n}}}{{{k}}}$.", False

    @staticmethod
    def _arrange(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str, bool]:
        while True:  # n = 3 is degenerate: 2 or 3 of 3 in a row are both 3! = 6, k makes no difference
            n = rint(rng, 3, max(_POPULATION_FLOOR, int(kn["n_max"])))
            k = rint(rng, 2, min(n, int(kn["k_max"]) + 1))
            if n > 3:  # n_max >= 6, so a draw of n = 4..6 ends the loop
                break
        what = choice(rng, _THINGS)
        q = f"In how many ways can {k} of {n} different {what} be arranged in a row?"
        return q, math.perm(n, k), f"Order matters: ${n}!/({n}-{k})!$.", False

    @staticmethod
    def _urn(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, Fraction, str, bool]:
        n_colors = min(len(_COLORS), 1 + int(kn["steps"]))
        colors = [_COLORS[i] for i in sample_distinct(rng, 0, len(_COLORS) - 1, n_colors)]
        while True:  # one marble from equally many of each colour is degenerate: 1/(colours), no counting
            counts = [rint(rng, 1, max(_URN_COUNT_FLOOR, int(kn["n_max"]) // 2)) for _ in colors]
            total = sum(counts)
            draw = rint(rng, 1, min(total - 1, int(kn["k_max"])))
            if draw > 1 or len(set(counts)) > 1:
                break
        target = rint(rng, 0, n_colors - 1)
        want = rint(rng, max(1, draw - (total - counts[target])), min(draw, counts[target]))
        listing = join_and([f"{c} {col}" for c, col in zip(counts, colors, strict=True)])
        p = Fraction(
            math.comb(counts[target], want) * math.comb(total - counts[target], draw - want),
            math.comb(total, draw),
        )
        if draw == 1:
            q = (
                f"A bag contains {listing} marbles. One marble is drawn at random. What is the "
                f"probability that it is {colors[target]}?"
            )
        else:
            q = (
                f"A bag contains {listing} marbles. {draw} marbles are drawn at random without "
                f"replacement. What is the probability that exactly {want} of them "
                f"{'is' if want == 1 else 'are'} {colors[target]}?"
            )
        sol = (
            f"$\\binom{{{counts[target]}}}{{{want}}}\\binom{{{total - counts[target]}}}"
            f"{{{draw - want}}} / \\binom{{{total}}}{{{draw}}}$."
        )
        return q, p, sol, True

    @staticmethod
    def _word(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str, bool]:
        length = rint(rng, 4, min(4 + int(kn["k_max"]) * 2, 16))
        n_letters = rint(rng, 2, min(length - 1, 6))
        letters = [_LETTERS[i] for i in sample_distinct(rng, 0, len(_LETTERS) - 1, n_letters)]
        word = letters + [choice(rng, letters) for _ in range(length - n_letters)]
        order = rng.permutation(length)
        s = "".join(word[int(i)] for i in order)
        cnt = Counter(s)
        value = math.factorial(length)
        for c in cnt.values():
            value //= math.factorial(c)
        denom = "".join(f"{c}!" for c in cnt.values() if c > 1) or "1"
        q = f"How many distinct arrangements of the letters of the string {s} are there?"
        return q, value, f"Multinomial count: ${length}!/({denom})$.", False

    @staticmethod
    def _committee(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str, bool]:
        g1, g2 = choice(rng, _GROUPS)
        a = rint(rng, 3, max(4, int(kn["n_max"]) // 2 + 2))
        b = rint(rng, 3, max(4, int(kn["n_max"]) // 2 + 2))
        if int(kn["steps"]) >= 2 and rng.random() < 0.5:
            k = rint(rng, 2, min(a + b - 1, int(kn["k_max"]) + 1))
            # at least one from each group = all - only g1 - only g2
            value = math.comb(a + b, k) - math.comb(a, k) - math.comb(b, k)
            q = (
                f"A committee of {k} is chosen from {a} {g1} and {b} {g2}. How many committees include at "
                f"least one of the {g1} and at least one of the {g2}?"
            )
            sol = f"Complement: $\\binom{{{a + b}}}{{{k}}} - \\binom{{{a}}}{{{k}}} - \\binom{{{b}}}{{{k}}}$."
            return q, value, sol, False
        i = rint(rng, 1, min(a, max(1, int(kn["k_max"]) // 2 + 1)))
        j = rint(rng, 1, min(b, max(1, int(kn["k_max"]) // 2 + 1)))
        q = (
            f"A committee is formed by choosing {i} of {a} {g1} and {j} of {b} {g2}. How many different "
            "committees are possible?"
        )
        return q, math.comb(a, i) * math.comb(b, j), f"$\\binom{{{a}}}{{{i}}} \\cdot \\binom{{{b}}}{{{j}}}$.", False

    @staticmethod
    def _dice(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, Fraction, str, bool]:
        m = rint(rng, 2, 1 + int(kn["steps"]))
        sides = choice(rng, (4, 6, 6, 8, 10, 12)) if kn["steps"] >= 2 else 6
        target = rint(rng, m + 1, m * sides - 1)
        ways = [1] + [0] * (m * sides)
        for _ in range(m):
            new = [0] * len(ways)
            for s, w in enumerate(ways):
                if w:
                    for face in range(1, sides + 1):
                        if s + face < len(new):
                            new[s + face] += w
            ways = new
        rel = choice(rng, ("is", "is at least", "is at most")) if kn["steps"] >= 2 else "is"
        if rel == "is":
            fav = ways[target]
        elif rel == "is at least":
            fav = sum(ways[target:])
        else:
            fav = sum(ways[: target + 1])
        p = Fraction(fav, sides**m)
        q = (
            f"{m} fair {sides}-sided dice (faces 1 to {sides}) are rolled. What is the probability that "
            f"the sum of the numbers shown {rel} {target}?"
        )
        return q, p, f"There are {fav} favourable outcomes out of ${sides}^{{{m}}}$.", True

    @staticmethod
    def _stars(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str, bool]:
        k = rint(rng, 2, 1 + int(kn["steps"]) + 1)
        n = rint(rng, k, int(kn["n_max"]))
        if rng.random() < 0.5:
            names = ", ".join(f"x_{{{i}}}" for i in range(1, k + 1))
            q = (
                f"How many ordered {k}-tuples of non-negative integers $({names})$ satisfy "
                f"${' + '.join(f'x_{{{i}}}' for i in range(1, k + 1))} = {n}$?"
            )
            return q, math.comb(n + k - 1, k - 1), f"Stars and bars: $\\binom{{{n + k - 1}}}{{{k - 1}}}$.", False
        q = (
            f"In how many ways can {n} identical candies be distributed among {k} children so that every "
            "child gets at least one candy?"
        )
        return q, math.comb(n - 1, k - 1), f"Stars and bars: $\\binom{{{n - 1}}}{{{k - 1}}}$.", False

    @staticmethod
    def _circle(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str, bool]:
        n = rint(rng, 4, min(int(kn["n_max"]), 12))
        r = rng.random()
        if r < 0.35:
            q = (
                f"In how many ways can {n} people be seated around a round table, if rotations of a "
                "seating are considered the same?"
            )
            return q, math.factorial(n - 1), f"Fix one person: $({n}-1)!$.", False
        together = 2 * math.factorial(n - 2)
        if r < 0.7:
            q = (
                f"In how many ways can {n} people, including Alice and Bob, be seated around a round "
                "table (rotations considered the same) if Alice and Bob must sit next to each other?"
            )
            return q, together, f"Glue Alice and Bob: $2 \\cdot ({n}-2)!$.", False
        q = (
            f"In how many ways can {n} people, including Alice and Bob, be seated around a round table "
            "(rotations considered the same) if Alice and Bob must not sit next to each other?"
        )
        return q, math.factorial(n - 1) - together, f"Complement: $({n}-1)! - 2 \\cdot ({n}-2)!$.", False

    @staticmethod
    def _incl_excl(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str, bool]:
        n_div = min(4, 1 + int(kn["steps"]) // 2 + (1 if rng.random() < 0.5 else 0))
        n_div = max(2, n_div)
        divs = sorted(sample_distinct(rng, 2, 12, n_div))
        limit = rint(rng, 50, 50 + 40 * int(kn["n_max"]))
        value = 0
        for mask in range(1, 1 << n_div):
            lcm = 1
            bits = 0
            for i in range(n_div):
                if mask >> i & 1:
                    lcm = math.lcm(lcm, divs[i])
                    bits += 1
            value += (limit // lcm) * (1 if bits % 2 else -1)
        listing = ", ".join(str(d) for d in divs[:-1]) + f" or {divs[-1]}"
        q = f"How many integers from 1 to {limit} (inclusive) are divisible by at least one of {listing}?"
        return q, value, "Inclusion-exclusion over the divisors (using least common multiples).", False
