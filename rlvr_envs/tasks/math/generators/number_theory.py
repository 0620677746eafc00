"""Number theory: gcd / lcm, modular exponentiation, divisor counts and sums, modular inverses,
linear congruences, prime counting, the Chinese remainder theorem and Euler's totient.

Numbers are constructed from chosen prime factorisations (so the answers are known without
factoring) and everything is plain int math (no sympy) for speed.
"""

from __future__ import annotations

import math

import numpy as np

from rlvr_envs.tasks.math.generators import register
from rlvr_envs.tasks.math.generators._common import (
    check_level,
    digits_range,
    join_and,
    rint,
    sample_distinct,
    weighted,
)
from rlvr_envs.tasks.math.problem import MathProblem

_SMALL_PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97]
_MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
#: draws of a template before a degenerate instance is kept anyway (each redraw is rare, see the templates)
_MAX_REDRAWS = 100
#: the largest modulus of ``a^e mod m`` is at least this (levels 0-3 drew it from 3..10-25, where a few
#: small remainders such as 1 were the answer of one task in four)
_POWMOD_MODULUS_FLOOR = 30


def _exponent_idle(a: int, m: int) -> bool:
    """Whether ``a^e mod m`` needs no work on the exponent: the same remainder for every ``e >= 2``
    (``a^3 = a^2`` mod ``m``: a base that is 0 or 1 mod ``m``, or an idempotent such as 3 mod 6), or
    ``a = -1`` mod ``m`` (the answer is 1 or ``m - 1`` by parity). Such a task asks for cycles of powers
    and has none; its answer is a constant (0/1) or the base itself, which a blind guess hits."""
    return pow(a, 3, m) == pow(a, 2, m) or a % m == m - 1


def is_prime(n: int) -> bool:
    """Deterministic Miller-Rabin (exact for n < 3.3e24, the sizes used here)."""
    if n < 2:
        return False
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in _MR_BASES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _factorization(rng: np.random.Generator, n_primes: int, max_exp: int, bound: int) -> dict[int, int]:
    """Random factorisation over small primes whose product is <= bound (exponents are lowered and
    primes dropped, largest first, until it fits; always terminates)."""
    pool = min(len(_SMALL_PRIMES), 4 + 2 * n_primes)
    n_primes = min(n_primes, pool)
    primes = [_SMALL_PRIMES[i] for i in sample_distinct(rng, 0, pool - 1, n_primes)]
    fac = {p: rint(rng, 1, max_exp) for p in primes}
    while math.prod(p**e for p, e in fac.items()) > bound:
        big = max(fac)
        if fac[big] > 1:
            fac[big] -= 1
        elif len(fac) > 1:
            del fac[big]
        else:
            fac = {2: 1}
    return fac


def _fac_latex(fac: dict[int, int]) -> str:
    return " \\cdot ".join(f"{p}^{{{e}}}" if e > 1 else str(p) for p, e in sorted(fac.items()))


@register
class NumberTheoryGenerator:
    """``\\gcd``/``\\operatorname{lcm}``, ``a^e \\bmod m``, ``d(n)``, inverses, congruences, primes, CRT, totient."""

    name = "number_theory"

    def knobs(self, level: int) -> dict[str, int | float]:
        level = check_level(level)
        return {
            "digits": 2 + level // 3,  # size of the numbers involved
            "num_args": 2 + level // 4,  # numbers in gcd/lcm, congruences in CRT
            "exp_digits": 1 + level // 2,  # exponent size for modular powers
            "modulus_max": 10 + 5 * level,
            "prime_factors": 2 + level // 3,  # distinct primes in constructed numbers
            "templates": min(9, 3 + level),
        }

    def generate(self, rng: np.random.Generator, level: int) -> MathProblem:
        kn = self.knobs(level)
        names = ["gcd", "lcm", "powmod", "divisors", "inverse", "congruence", "primes", "crt", "totient"]
        kind = weighted(rng, [(nm, 1.0 if i < int(kn["templates"]) else 0.0) for i, nm in enumerate(names)])
        question, value, solution = getattr(self, f"_{kind}")(rng, kn)
        return MathProblem(
            family=self.name,
            question=f"{question} Give your answer as an integer.",
            answer=str(value),
            answer_kind="integer",
            knobs=kn,
            solution=f"{solution} The answer is ${value}$.",
        )

    @staticmethod
    def _gcd(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str]:
        """The gcd is drawn first, then realised as ``g`` times coprime cofactors (none of them 1, so
        the gcd is never one of the numbers): drawn as multiples of a small ``g``, the gcd took a
        handful of values (6 was right on one low-level gcd task in nine). ``g`` ranges over at least
        30 values at the lowest levels (the numbers stay two-digit)."""
        lo, hi = digits_range(int(kn["digits"]))
        k = int(kn["num_args"])
        g_max = max(hi // (4 * k), min(hi // (k + 1), 40))
        nums: list[int] = []
        for _ in range(_MAX_REDRAWS):
            g = rint(rng, 2, g_max)
            lo_m, hi_m = max(2, -(-lo // g)), hi // g
            if hi_m - lo_m + 1 < k:
                continue
            cofactors = sample_distinct(rng, lo_m, hi_m, k)
            nums = [g * m for m in cofactors]
            if math.gcd(*cofactors) == 1:
                break
        value = math.gcd(*nums)
        args = ", ".join(map(str, nums))
        return f"Find $\\gcd({args})$.", value, "Use the Euclidean algorithm."

    @staticmethod
    def _lcm(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str]:
        k = int(kn["num_args"])
        digits = int(kn["digits"])
        hi = digits_range(digits)[1]
        cap = 10 ** (3 + digits)  # keep the lcm itself moderate: numbers share small prime factors
        nums: list[int] = []
        for _ in range(200):
            nums = sorted(
                {math.prod(p**e for p, e in _factorization(rng, rint(rng, 1, 3), 3, hi).items()) for _ in range(k)}
            )
            # degenerate: the largest number is a multiple of all the others, lcm(4, 12) = 12
            if len(nums) == k and math.lcm(*nums) <= cap and nums[0] > 1 and math.lcm(*nums) != nums[-1]:
                break
        order = rng.permutation(len(nums))
        nums = [nums[int(i)] for i in order]
        value = math.lcm(*nums)
        args = join_and([str(v) for v in nums])
        return f"Find the least common multiple of {args}.", value, "Take the highest power of each prime."

    @staticmethod
    def _powmod(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str]:
        for _ in range(_MAX_REDRAWS):
            m = rint(rng, 3, max(_POWMOD_MODULUS_FLOOR, int(kn["modulus_max"])))
            a = rint(rng, 2, 10 ** int(kn["digits"]) - 1)
            e = rint(rng, 2, 10 ** int(kn["exp_digits"]) + 5)
            last_digits = rng.random() < 0.3
            if last_digits:
                m = 100 if kn["modulus_max"] >= 100 and rng.random() < 0.5 else 10
            if not _exponent_idle(a, m):
                break
        if last_digits:
            what = "last digit" if m == 10 else "number formed by the last two digits"
            return (
                f"What is the {what} of ${a}^{{{e}}}$?",
                pow(a, e, m),
                f"Work modulo ${m}$ using the cycle of powers.",
            )
        return (
            f"Find the remainder when ${a}^{{{e}}}$ is divided by ${m}$.",
            pow(a, e, m),
            "Reduce the base, then use repeated squaring (or Euler's theorem).",
        )

    @staticmethod
    def _divisors(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str]:
        bound = 10 ** (int(kn["digits"]) + 1)
        fac = _factorization(rng, rint(rng, 2, int(kn["prime_factors"])), 3 + int(kn["digits"]) // 3, bound)
        n = math.prod(p**e for p, e in fac.items())
        # the sum on 40% of draws at every level: the count alone has a handful of values at low levels
        # (4 or 6 for 2 of 3 two-prime numbers), so "answer 6" would win a third of these tasks
        if rng.random() < 0.4:
            value = math.prod((p ** (e + 1) - 1) // (p - 1) for p, e in fac.items())
            return (
                f"What is the sum of all positive divisors of ${n}$?",
                value,
                f"${n} = {_fac_latex(fac)}$; multiply $(p^{{e+1}}-1)/(p-1)$ over the primes.",
            )
        value = math.prod(e + 1 for e in fac.values())
        return (
            f"How many positive divisors does ${n}$ have?",
            value,
            f"${n} = {_fac_latex(fac)}$; multiply $(e+1)$ over the exponents.",
        )

    @staticmethod
    def _inverse(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str]:
        while True:
            m = rint(rng, 5, int(kn["modulus_max"]) + 10)
            a = rint(rng, 2, m - 1)
            if math.gcd(a, m) == 1:
                break
        value = pow(a, -1, m)
        return (
            f"Find the multiplicative inverse of ${a}$ modulo ${m}$, as an integer from $0$ to ${m - 1}$.",
            value,
            f"Extended Euclid: ${a} \\cdot {value} \\equiv 1 \\pmod{{{m}}}$.",
        )

    @staticmethod
    def _congruence(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str]:
        while True:
            m = rint(rng, 5, int(kn["modulus_max"]) + 10)
            a = rint(rng, 2, 10 ** int(kn["digits"]) - 1)
            if math.gcd(a, m) == 1 and a % m != 1:
                break
        x = rint(rng, 1, m - 1)
        b = (a * x) % m
        return (
            f"Find the smallest positive integer $x$ such that ${a}x \\equiv {b} \\pmod{{{m}}}$.",
            x,
            f"Multiply both sides by the inverse of ${a}$ modulo ${m}$.",
        )

    @staticmethod
    def _primes(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str]:
        lo_d, hi_d = digits_range(int(kn["digits"]))
        width = 10 + 10 * int(kn["num_args"])
        a = rint(rng, max(2, lo_d), max(3, hi_d))
        b = a + rint(rng, width // 2, width)
        value = sum(1 for n in range(a, b + 1) if is_prime(n))
        return (
            f"How many prime numbers are there between ${a}$ and ${b}$, inclusive?",
            value,
            "Check each candidate for divisibility by primes up to its square root.",
        )

    @staticmethod
    def _crt(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str]:
        k = max(2, int(kn["num_args"]) - 1)
        top = max(7, min(int(kn["modulus_max"]) // 2, 60))
        while True:
            mods = sample_distinct(rng, 3, top, k)
            if all(math.gcd(mods[i], mods[j]) == 1 for i in range(k) for j in range(i + 1, k)):
                break
        big_m = math.prod(mods)
        x = rint(rng, 1, big_m - 1)
        lines = ", ".join(f"$x \\equiv {x % m} \\pmod{{{m}}}$" for m in mods)
        return (
            f"Find the smallest positive integer $x$ satisfying {lines}.",
            x,
            f"The moduli are pairwise coprime, so the solution is unique modulo ${big_m}$.",
        )

    @staticmethod
    def _totient(rng: np.random.Generator, kn: dict[str, int | float]) -> tuple[str, int, str]:
        fac = _factorization(rng, rint(rng, 1, int(kn["prime_factors"])), 3, 10 ** (int(kn["digits"]) + 1))
        n = math.prod(p**e for p, e in fac.items())
        value = math.prod((p - 1) * p ** (e - 1) for p, e in fac.items())
        return (
            f"How many integers $k$ with $1 \\le k \\le {n}$ satisfy $\\gcd(k, {n}) = 1$?",
            value,
            f"Euler's totient of ${n} = {_fac_latex(fac)}$.",
        )
