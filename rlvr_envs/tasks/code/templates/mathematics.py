"""Number problems."""

from __future__ import annotations

from typing import Any

import numpy as np

from rlvr_envs.tasks.code.io_formats import Param
from rlvr_envs.tasks.code.templates._gen import int_list, size
from rlvr_envs.tasks.code.templates.base import Scale, Template, register

MOD = 1_000_000_007


def solve_gcd_all(a: list[int]) -> int:
    from math import gcd

    result = 0
    for x in a:
        result = gcd(result, x)
    return result


def _gen_gcd(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return ([int(rng.integers(1, scale.value + 1))] * size(rng, 3),)
    factor = int(rng.integers(1, max(2, scale.value // 10) + 1))
    top = max(1, scale.value // factor)
    return ([factor * x for x in int_list(rng, size(rng, scale.n), 1, top)],)


register(
    Template(
        name="gcd_of_all",
        category="math",
        title="Greatest common divisor",
        statement="Return the greatest common divisor of all the positive integers in `a`.",
        params=(Param("a", "ints"),),
        returns="int",
        solve=solve_gcd_all,
        generate=_gen_gcd,
        constraints="1 ≤ len(a) ≤ {n}; 1 ≤ a[i] ≤ {value}",
    )
)


def solve_count_primes(n: int) -> int:
    if n < 2:
        return 0
    sieve = bytearray([1]) * (n + 1)
    sieve[0] = sieve[1] = 0
    p = 2
    while p * p <= n:
        if sieve[p]:
            sieve[p * p :: p] = bytearray(len(range(p * p, n + 1, p)))
        p += 1
    return sum(sieve)


def _gen_count_primes(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (int(rng.choice([0, 1, 2, 3, 4])),)
    return (int(rng.integers(0, min(100 * scale.n, 3_000_000) + 1)),)


register(
    Template(
        name="count_primes",
        category="math",
        title="Counting primes",
        statement="Return how many prime numbers are less than or equal to `n`.",
        params=(Param("n", "int"),),
        returns="int",
        solve=solve_count_primes,
        generate=_gen_count_primes,
        constraints="0 ≤ n ≤ 100·{n} (and at most 3,000,000)",
    )
)


def solve_digital_root(digits: str) -> int:
    total = sum(int(d) for d in digits)
    while total >= 10:
        total = sum(int(d) for d in str(total))
    return total


def _gen_digital_root(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (str(rng.choice(["0", "9", "10", "99999"])),)
    n = size(rng, scale.text)
    first = str(int(rng.integers(1, 10)))
    return (first + "".join(str(int(d)) for d in rng.integers(0, 10, size=n - 1)),)


register(
    Template(
        name="digital_root",
        category="math",
        title="Digital root",
        statement="`digits` is a non-negative integer written in decimal (possibly very long). Add up its "
        "digits, then the digits of that sum, and so on until one digit remains; return that digit.",
        params=(Param("digits", "word"),),
        returns="int",
        solve=solve_digital_root,
        generate=_gen_digital_root,
        constraints="1 ≤ len(digits) ≤ {text}; no leading zeros",
    )
)


def solve_power_mod(a: int, b: int, m: int) -> int:
    result = 1 % m
    a %= m
    while b:
        if b & 1:
            result = result * a % m
        a = a * a % m
        b >>= 1
    return result


def _gen_power_mod(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (int(rng.integers(0, 3)), int(rng.choice([0, 1])), int(rng.choice([1, 2, 1_000_000_007])))
    exponent_top = min(10 ** (2 + scale.level), 10**18)
    return (
        int(rng.integers(0, scale.value + 1)),
        int(rng.integers(0, exponent_top + 1)),
        int(rng.integers(1, 1_000_000_008)),
    )


register(
    Template(
        name="power_mod",
        category="math",
        title="Modular power",
        statement="Return `a` to the power `b`, modulo `m` (that is, `a**b % m`; note that `0**0` is 1).",
        params=(Param("a", "int"), Param("b", "int"), Param("m", "int")),
        returns="int",
        solve=solve_power_mod,
        generate=_gen_power_mod,
        constraints="0 ≤ a ≤ {value}; 0 ≤ b ≤ 10^18; 1 ≤ m ≤ 1,000,000,007",
    )
)


def solve_fibonacci_mod(n: int) -> int:
    mod = 1_000_000_007

    def pair(k: int) -> tuple[int, int]:
        if k == 0:
            return 0, 1
        f, g = pair(k >> 1)
        c = f * (2 * g - f) % mod
        d = (f * f + g * g) % mod
        return (d, (c + d) % mod) if k & 1 else (c, d)

    return pair(n)[0]


def _gen_fibonacci(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (int(rng.integers(0, 3)),)
    return (int(rng.integers(0, min(10 ** (1 + scale.level * 2), 10**18) + 1)),)


register(
    Template(
        name="fibonacci_mod",
        category="math",
        title="Huge Fibonacci numbers",
        statement="With F(0) = 0, F(1) = 1 and F(k) = F(k-1) + F(k-2), return F(`n`) modulo 1,000,000,007.",
        params=(Param("n", "int"),),
        returns="int",
        solve=solve_fibonacci_mod,
        generate=_gen_fibonacci,
        constraints="0 ≤ n ≤ 10^18",
    )
)


def solve_to_base(n: int, b: int) -> str:
    digits = "0123456789abcdef"
    if n == 0:
        return "0"
    out = []
    while n:
        n, r = divmod(n, b)
        out.append(digits[r])
    return "".join(reversed(out))


def _gen_to_base(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (int(rng.choice([0, 1, 15, 16])), int(rng.choice([2, 16])))
    return (int(rng.integers(0, scale.value**2 + 1)), int(rng.integers(2, 17)))


register(
    Template(
        name="to_base",
        category="math",
        title="Base conversion",
        statement="Write the non-negative integer `n` in base `b`, using the digits `0123456789abcdef`, with no "
        "leading zeros (zero is `0`). Return it as a string.",
        params=(Param("n", "int"), Param("b", "int")),
        returns="word",
        solve=solve_to_base,
        generate=_gen_to_base,
        constraints="0 ≤ n ≤ {value}²; 2 ≤ b ≤ 16",
    )
)


def solve_count_divisors(n: int) -> int:
    count = 0
    d = 1
    while d * d <= n:
        if n % d == 0:
            count += 1 if d * d == n else 2
        d += 1
    return count


def _gen_divisors(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (int(rng.choice([1, 2, 36, 97, 720720])),)
    top = min(scale.n * scale.n * 10, 10**10)
    return (int(rng.integers(1, top + 1)),)


register(
    Template(
        name="count_divisors",
        category="math",
        title="Number of divisors",
        statement="Return the number of positive divisors of the positive integer `n`.",
        params=(Param("n", "int"),),
        returns="int",
        solve=solve_count_divisors,
        generate=_gen_divisors,
        constraints="1 ≤ n ≤ 10·{n}² (and at most 10^10)",
    )
)
