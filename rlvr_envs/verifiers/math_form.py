"""Answer-*form* checks for tasks whose gold is equivalent to the question's own expression.

"Expand (x+1)(x+2)" has the gold ``x^{2} + 3 x + 2``, which is *equal* to the prompt's expression,
so an equivalence check alone would pay a model for copying the prompt back. These checks decide
whether an (already equivalent) answer is written in the requested form. They read text only,
are linear in the input, and never raise.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from pydantic import BaseModel

AnswerForm = Literal["any", "expanded", "factored", "reduced_fraction", "antiderivative", "number"]
"""``antiderivative`` is not a text form: it asks for equality up to a constant (checked by
``rlvr_envs.verifiers.math.check_antiderivative``), so `check_form` accepts any text for it."""

_WRAPPERS = re.compile(r"\\left|\\right|\\[,;:! ]|\s+|\$")
_COMMAND = re.compile(r"\\[A-Za-z]+")
_POWER_OF_X = re.compile(r"x(?:\^\{?(\d{1,6})\}?)?")
_GROUP_EXPONENT = re.compile(r"\^\{?(\d{1,4})\}?")


_LITERAL = re.compile(
    r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"|[-+]?\\d?frac\{[-+]?\d+\}\{[-+]?\d+\}"
    r"|[-+]?\d+/\d+"
)
_ASSIGNMENT = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,8}=")


def is_number_literal(text: str) -> bool:
    """Whether ``text`` is one number written out (``-12``, ``3.5``, ``\\frac{7}{2}``, ``7/2``), not an
    expression to evaluate; ``x = 5`` counts as ``5``. Used for the ``number`` form."""
    answer = _ASSIGNMENT.sub("", _clean(text).replace("\u2212", "-"), count=1)
    return _LITERAL.fullmatch(answer) is not None


class FormCheck(BaseModel):
    """Whether the answer is in the requested form, and if not, why (shown to the agent)."""

    ok: bool
    reason: str = ""


def _clean(text: str) -> str:
    return _WRAPPERS.sub("", text).replace("\\cdot", "*").replace("\\times", "*")


def _top_level_has_sum(text: str) -> bool:
    """A ``+`` or ``-`` outside every bracket, other than a leading sign or an exponent's sign."""
    depth = 0
    for index, char in enumerate(text):
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth = max(0, depth - 1)
        elif char in "+-" and depth == 0 and index > 0 and text[index - 1] not in "^*(":
            return True
    return False


def _is_expanded(text: str) -> bool:
    """No parenthesised groups, no powers of brace groups, no variable in a fraction's denominator."""
    if any(char in text for char in "()[]") or "}^" in text:
        return False
    for match in re.finditer(r"\\frac\{[^{}]*\}\{([^{}]*)\}", text):
        if re.search(r"[A-Za-z]", _COMMAND.sub("", match.group(1))):
            return False
    return "\\frac{" not in _strip_simple_fracs(text)


def _strip_simple_fracs(text: str) -> str:
    return re.sub(r"\\frac\{[^{}]*\}\{[^{}]*\}", "1", text)


def _factor_count(text: str) -> int:
    """Parenthesised top-level factors, each counted with its integer exponent."""
    count = 0
    depth = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
            if depth == 0:
                exponent = _GROUP_EXPONENT.match(text, index + 1)
                count += int(exponent.group(1)) if exponent else 1
        index += 1
    return count


def _brace_group_end(text: str, start: int) -> int | None:
    """Index just past the ``{...}`` group opening at ``start`` (nested braces allowed), or None."""
    if start >= len(text) or text[start] != "{":
        return None
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def _split_frac_command(text: str) -> tuple[str, str] | None:
    """``[-]\\frac{A}{B}`` spanning the whole text, with braces nested inside A and B (``x^{2}``)."""
    body = text[1:] if text.startswith("-") else text
    if not body.startswith("\\frac"):
        return None
    numerator_end = _brace_group_end(body, len("\\frac"))
    if numerator_end is None:
        return None
    denominator_end = _brace_group_end(body, numerator_end)
    if denominator_end != len(body):
        return None
    return body[len("\\frac") + 1 : numerator_end - 1], body[numerator_end + 1 : denominator_end - 1]


def _split_fraction(text: str) -> tuple[str, str] | None:
    frac = _split_frac_command(text)
    if frac is not None:
        return frac
    for pattern in (r"-?\(([^()]*)\)/\(([^()]*)\)", r"-?([^()/]*)/\(([^()]*)\)"):
        match = re.fullmatch(pattern, text)
        if match:
            return match.group(1), match.group(2)
    return None


def _degree_in_x(expanded: str) -> int:
    """Degree in ``x`` of an expanded polynomial written as text (commands ignored)."""
    degrees = [int(m.group(1) or 1) for m in _POWER_OF_X.finditer(_COMMAND.sub("", expanded))]
    return max(degrees, default=0)


def check_form(form: AnswerForm, gold: str, predicted: str) -> FormCheck:
    """Is ``predicted`` written in ``form``? ``gold`` (itself in that form) sets the bar.

    - ``expanded``: a sum of monomials: no brackets, no powers of groups, no ``x`` in a denominator.
    - ``factored``: a product at the top level, with at least as many factors as the gold.
    - ``number``: one number written out (what "compute", "find the gcd"... ask for), so copying the
      prompt's expression, which the equivalence check would accept, earns nothing.
    - ``reduced_fraction``: ``\\frac{A}{B}`` (or a polynomial) with A and B expanded and B of no
      higher degree in ``x`` than the gold's denominator, so common factors are really cancelled.
    """
    if form == "antiderivative" and re.search(r"\\int\b|\bintegral\b|\bIntegral\b", predicted):
        return FormCheck(ok=False, reason="expected the antiderivative worked out, not the integral itself")
    if form in ("any", "antiderivative"):
        return FormCheck(ok=True)
    if form == "number":
        if is_number_literal(predicted):
            return FormCheck(ok=True)
        return FormCheck(ok=False, reason="expected a single number (its value worked out), not an expression")
    answer = _clean(predicted)
    if form == "expanded":
        if _is_expanded(answer):
            return FormCheck(ok=True)
        return FormCheck(ok=False, reason="expected an expanded polynomial (a sum of terms, no brackets)")
    if form == "factored":
        if _top_level_has_sum(answer):
            return FormCheck(ok=False, reason="expected a product of factors, not a sum")
        if _factor_count(answer) < _factor_count(_clean(gold)):
            return FormCheck(ok=False, reason="the factorisation is not complete")
        return FormCheck(ok=True)
    if form != "reduced_fraction":
        raise ValueError(f"unknown answer form {form!r}; expected one of {get_args(AnswerForm)}")
    gold_parts = _split_fraction(_clean(gold))
    parts = _split_fraction(answer)
    if parts is None:
        if gold_parts is None and _is_expanded(answer):
            return FormCheck(ok=True)
        return FormCheck(ok=False, reason="expected a single fraction \\frac{numerator}{denominator}")
    if not (_is_expanded(parts[0]) and _is_expanded(parts[1])):
        return FormCheck(ok=False, reason="expected an expanded numerator and denominator")
    gold_degree = _degree_in_x(gold_parts[1]) if gold_parts else 0
    if _degree_in_x(parts[1]) > gold_degree:
        return FormCheck(ok=False, reason="common factors have not been cancelled")
    return FormCheck(ok=True)
