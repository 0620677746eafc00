"""Form checks close the copy-the-prompt loophole on expand / factor / simplify tasks."""

from __future__ import annotations

import re

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rlvr_envs
from rlvr_envs.tasks.math.generators import get_generator
from rlvr_envs.verifiers.math_form import check_form

FORMED = ("expanded", "factored", "reduced_fraction")


def _formed_problems(levels: range, seeds: range) -> list[tuple[int, int, object]]:
    generator = get_generator("algebra")
    found = []
    for level in levels:
        for seed in seeds:
            problem = generator.generate(np.random.default_rng(np.random.SeedSequence([seed, level])), level)
            if problem.answer_form in FORMED:
                found.append((level, seed, problem))
    return found


PROBLEMS = _formed_problems(range(0, 12), range(25))


def test_every_formed_task_type_is_generated() -> None:
    assert {p.answer_form for _, _, p in PROBLEMS} == set(FORMED)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("level", "seed", "problem"), PROBLEMS[::3])
def test_gold_is_in_its_own_form_and_the_prompt_copy_is_not(level: int, seed: int, problem: object) -> None:
    form, gold, question = problem.answer_form, problem.answer, problem.question  # type: ignore[attr-defined]
    assert check_form(form, gold, gold).ok, (form, gold)
    prompt_expression = re.search(r"\$(.+?)\$", question).group(1)  # type: ignore[union-attr]
    assert not check_form(form, gold, prompt_expression).ok, (form, prompt_expression)


def test_copying_the_prompt_earns_nothing_in_the_env() -> None:
    env = gym.make("rlvr/Math-v0", generators=["algebra"])
    inner = rlvr_envs.unwrap(env)
    seen: set[str] = set()
    for seed in range(300):
        env.reset(seed=seed, options={"level": 6 + seed % 6})
        task = inner.task
        assert task is not None
        form = task.data["answer_form"]
        if form not in FORMED or form in seen:
            continue
        copied = re.search(r"\$(.+?)\$", task.prompt).group(1)  # type: ignore[union-attr]
        _, reward, _, _, info = env.step(f"\\boxed{{{copied}}}")
        assert reward == 0.0 and info["verdict"]["components"]["form"] == 0.0
        seen.add(form)
    assert seen == set(FORMED)


@pytest.mark.parametrize(
    ("form", "gold", "answer", "ok"),
    [
        ("expanded", "x^{2} + 3 x + 2", "x^2+3x+2", True),
        ("expanded", "x^{2} + 3 x + 2", "(x+1)(x+2)", False),
        ("expanded", "x^{2} + 3 x + 2", "{x+1}^{2}+x+1", False),
        ("expanded", "x^{2} + 3 x + 2", "\\frac{x^3+3x^2+2x}{x}", False),
        ("factored", "\\left(x - 1\\right) \\left(x + 2\\right)", "(x+2)(x-1)", True),
        ("factored", "\\left(x - 1\\right) \\left(x + 2\\right)", "x^2+x-2", False),
        ("factored", "2 \\left(x + 6\\right)^{2} \\left(x - 8\\right)", "2(x+6)^2(x-8)", True),
        ("factored", "2 \\left(x + 6\\right)^{2} \\left(x - 8\\right)", "2(x^2+12x+36)(x-8)", False),
        ("factored", "- 3 \\left(x + 2\\right) \\left(x - 1\\right)", "-3(x+2)(x-1)", True),
        ("reduced_fraction", "\\frac{2 x - 6}{x + 4}", "(2x-6)/(x+4)", True),
        ("reduced_fraction", "\\frac{2 x - 6}{x + 4}", "\\frac{2x^2-4x-6}{x^2+5x+4}", False),
        ("reduced_fraction", "\\frac{2 x - 6}{x + 4}", "\\frac{2(x-3)}{x+4}", False),
        ("any", "1", "anything", True),
    ],
)
def test_form_table(form: str, gold: str, answer: str, ok: bool) -> None:
    assert check_form(form, gold, answer).ok is ok  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FORMED), st.text(max_size=200))
def test_form_checks_are_total(form: str, text: str) -> None:
    result = check_form(form, "\\frac{x + 1}{x - 2}", text)  # type: ignore[arg-type]
    assert isinstance(result.ok, bool)


@pytest.mark.parametrize(
    ("predicted", "equal"),
    [
        ("x^{2} + 2 x", True),
        ("(x+1)^2", True),  # differs from the gold by the constant 1
        ("x^2 + 2x + C", True),
        ("x^2 + 2x - 7", True),
        ("x^3", False),
        ("2x + 2", False),  # the integrand itself
        ("\\sin x", False),
        ("9^9^9^9", False),
    ],
)
def test_antiderivatives_count_up_to_a_constant(predicted: str, equal: bool) -> None:
    from rlvr_envs.verifiers.math import check_antiderivative

    assert check_antiderivative("x^{2} + 2 x", predicted, timeout_s=5.0).equal is equal


def test_indefinite_integral_tasks_accept_a_shifted_antiderivative() -> None:
    env = gym.make("rlvr/Math-v0", generators=["calculus"])
    inner = rlvr_envs.unwrap(env)
    checked = 0
    for seed in range(60):
        env.reset(seed=seed, options={"level": 1})
        task = inner.task
        assert task is not None
        if task.data["answer_form"] != "antiderivative":
            continue
        _, reward, *_ = env.step(f"\\boxed{{{task.data['answer']} + 12}}")
        assert reward == 1.0, task.data["answer"]
        env.reset(options={"task": task})
        _, reward, *_ = env.step(f"\\boxed{{{task.data['answer']} + x}}")
        assert reward == 0.0
        checked += 1
        if checked == 3:
            break
    assert checked == 3


def test_unknown_form_names_are_a_programmer_error() -> None:
    with pytest.raises(ValueError, match="unknown answer form"):
        check_form("sorted", "1", "1")  # type: ignore[arg-type]


def test_reduced_fraction_with_braced_powers_inside() -> None:
    """Regression: ``x^{2}`` inside \\frac{...}{...} once made every gold fraction 'not a single fraction'."""
    gold = "\\frac{4 x^{2} + 36 x - 40}{x^{2} - 24 x + 143}"
    assert check_form("reduced_fraction", gold, gold).ok
    assert check_form("reduced_fraction", gold, "-\\frac{4 x^{2}}{x^{2} - 1}").ok
    unreduced = "\\frac{4 x^{3} + 40 x^{2} - 4 x - 40}{x^{3} - 23 x^{2} + 119 x + 143}"
    assert not check_form("reduced_fraction", gold, unreduced).ok
    assert not check_form("reduced_fraction", gold, "\\frac{x^{2}}{x^{2} - 1} + \\frac{1}{x}").ok
    assert not check_form("reduced_fraction", gold, "\\frac{x^{2}{x - 1}").ok  # unbalanced: never raises


def test_a_value_question_needs_a_number_not_the_prompts_expression() -> None:
    """Copying "29^{2} + (52 \\times (-75) - 78) + 83" back is equal to the gold but is no answer."""
    from rlvr_envs.verifiers.math_form import is_number_literal

    for literal in ("-3054", "46", "\\frac{35}{33}", "-\\frac{2286}{5}", "7/2", "x = 5", "12,400", "3.5"):
        assert check_form("number", literal, literal).ok, literal
        assert is_number_literal(literal)
    for expression in ("29^{2} + 83", "\\gcd(506, 92)", "2 \\times 3", "\\binom{5}{2}", "\\sqrt{4}"):
        assert not check_form("number", "4", expression).ok, expression
    assert not check_form("antiderivative", "x^{2}", "\\int 2 x \\, dx").ok


def test_math_env_refuses_the_copied_expression() -> None:
    import gymnasium as gym

    import rlvr_envs

    env = gym.make("rlvr/Math-v0")
    inner = rlvr_envs.unwrap(env)
    refused = 0
    for seed in range(150):
        env.reset(seed=seed, options={"level": 4})
        task = inner.task
        if task.metadata.get("generator") != "arithmetic":
            continue
        expression = task.prompt.split("$")[1]
        _, reward, *_ = env.step(f"\\boxed{{{expression}}}")
        assert reward <= 0.0, task.prompt
        refused += 1
    assert refused >= 3
