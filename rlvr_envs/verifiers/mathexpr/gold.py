"""Gold-dependent steps: the parsed gold (``GoldInfo``) and gold-aware rewriting of the prediction.

Golds repeat across the samples of a prompt, so ``gold_info`` parses each one once (LRU-cached).
``rewrite_pred`` uses it to drop ``x =`` prefixes, a trailing ``+ C``, thousands separators and unit
words where the gold says they cannot matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rlvr_envs.verifiers.mathexpr.algebra import RF, AtomDef, Ctx, rf_is_constant
from rlvr_envs.verifiers.mathexpr.evaluate import Coll, Ival, Mat, Scalar, Text, Union, Value, eval_structure
from rlvr_envs.verifiers.mathexpr.parser import Parser, tokenize

_CONST_C_RE = re.compile(r"\s*\+\s*(?:C|c|K|k|C_\{?[0-9]\}?|c_\{?[0-9]\}?|\\text\{\s*(?:C|c|const|constant)\s*\})\s*$")
_C_IN_GOLD_RE = re.compile(r"(?<![\\A-Za-z])[CcKk](?![A-Za-z])")
_ASSIGN_RE = re.compile(
    r"^\s*(?:[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?|\\[a-zA-Z]+|[fgh]\([A-Za-z]\)|"
    r"\(\s*[A-Za-z](?:\s*,\s*[A-Za-z])+\s*\))\s*(?:=|\\approx|\\in(?![a-zA-Z]))\s*"
)
_THOUSANDS_RE = re.compile(r"^-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$")
_THOUSANDS_SPACE_RE = re.compile(r"^-?[0-9]{1,3}(?: [0-9]{3})+(?:\.[0-9]+)?$")
_UNIT_WORD_RE = re.compile(r"[A-Za-z]+\.?(?:\^\{?[0-9]\}?)?")
_NOT_UNITS = {"and", "or", "plus", "minus", "times", "over", "sqrt", "frac", "pi"}
_SHORT_UNITS = {
    "cm", "mm", "km", "m", "kg", "g", "mg", "s", "ms", "h", "hr", "ft", "in", "mi", "yd", "lb",
    "oz", "l", "ml", "mph", "kph", "sq", "cu", "min", "sec", "hrs", "lbs", "usd", "rs", "yr",
    "yrs", "deg", "rad", "am", "pm", "cents", "px", "kb", "mb", "gb",
}  # fmt: skip


def _split_top(s: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` at bracket depth 0."""
    out: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n:
            if s[i + 1] in "{}":
                depth += 1 if s[i + 1] == "{" else -1
            i += 2
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == sep and depth == 0:
            out.append(s[start:i])
            start = i + 1
        i += 1
    out.append(s[start:])
    return out


@dataclass(frozen=True, slots=True)
class GoldInfo:
    norm: str
    value: Value | None
    defs: dict[str, AtomDef]
    has_eq: bool
    has_vars: bool
    mentions_c: bool
    is_scalar: bool
    numeric_const: bool
    uses_e: bool
    is_text: bool


@lru_cache(maxsize=8192)
def gold_info(gold_norm: str) -> GoldInfo:
    """Parse the gold once (golds repeat across the samples of a prompt)."""
    value: Value | None
    ctx = Ctx(sci_ok=False)
    try:
        value = eval_structure(Parser(tokenize(gold_norm), ctx).parse_answer(), ctx)
    except Exception:  # GiveUp, or any fast-path bug: the gold simply defers to math-verify
        value = None
    top = _split_top(gold_norm)
    has_vars = bool(re.search(r"(?<!\\)(?<![A-Za-z])[A-Za-df-z]|\\(?:alpha|beta|theta|phi)", _strip_cmds(gold_norm)))
    numeric_const = (
        isinstance(value, Scalar) and isinstance(value.val, RF) and rf_is_constant(value.val) and not value.percent
    )
    return GoldInfo(
        norm=gold_norm,
        value=value,
        defs=ctx.defs,
        has_eq="=" in gold_norm,
        has_vars=has_vars,
        mentions_c=bool(_C_IN_GOLD_RE.search(_strip_cmds(gold_norm))),
        is_scalar=len(top) == 1 and not isinstance(value, (Coll, Ival, Union, Mat)),
        numeric_const=numeric_const,
        uses_e=bool(re.search(r"(?<![\\A-Za-z])[eE](?![A-Za-z])", _strip_cmds(gold_norm))),
        is_text=isinstance(value, Text),
    )


_CMD_RE = re.compile(r"\\[a-zA-Z]+")


def _strip_cmds(s: str) -> str:
    return _CMD_RE.sub(" ", s)


_INDEXED_LABEL_RE = re.compile(r"^\s*([A-Za-z])_\{?\s*([A-Za-z0-9]+)\s*\}?\s*=")
_DECIMAL_GOLD_RE = re.compile(r"^-?[0-9]*\.[0-9]+$")
_DECIMAL_COMMA_RE = re.compile(r"^-?[0-9]+,[0-9]+$")


def wrong_label(pred: str, problem: str | None) -> str | None:
    """Why ``a_{13} = -413`` is wrong for "find a_{14}": the label names a quantity the problem does not ask.

    Only indexed labels (``a_{13}``, ``S_7``) are checked, and only when the problem text is known;
    a plain ``x =`` may name anything and is dropped by :func:`rewrite_pred`.
    """
    if not problem:
        return None
    m = _INDEXED_LABEL_RE.match(pred)
    if m is None:
        return None
    letter, index = m.groups()
    asked = re.compile(rf"(?<![A-Za-z\\]){letter}_\{{?\s*{index}\s*\}}?(?![A-Za-z0-9])")
    if asked.search(problem):
        return None
    return f"the answer is labelled {letter}_{index}, which the problem does not ask for"


def _semicolon_groups(pred: str, gi: GoldInfo) -> str:
    """``p=5,q=2;p=7,q=2`` -> ``(5, 2), (7, 2)`` when the gold is a collection of tuples."""
    if not (isinstance(gi.value, Coll) and gi.value.items and all(isinstance(it, Coll) for it in gi.value.items)):
        return pred
    groups = [g.strip() for g in _split_top(pred, ";")]
    if len(groups) < 2 or not all(groups):
        return pred
    tuples = []
    for group in groups:
        items = [_ASSIGN_RE.sub("", it, count=1).strip() for it in _split_top(group)]
        if len(items) < 2 or not all(items):
            return pred
        tuples.append("(" + ", ".join(items) + ")")
    return ", ".join(tuples)


def rewrite_pred(pred: str, gi: GoldInfo, *, antiderivative: bool = False) -> str:
    """Gold-aware clean-ups: ``x =`` prefixes, thousands separators or decimal commas, unit words.

    A trailing ``+ C`` is dropped only for antiderivatives (``antiderivative=True``): a constant of
    integration in a derivative or an equation's solution is a wrong answer.
    """
    if antiderivative and gi.has_vars and not gi.mentions_c:
        pred = _CONST_C_RE.sub("", pred)
    if ";" in pred:
        pred = _semicolon_groups(pred, gi)
    if gi.is_scalar:
        if _DECIMAL_COMMA_RE.match(pred) and _DECIMAL_GOLD_RE.match(gi.norm):
            pred = pred.replace(",", ".")  # the gold is a decimal: ``1,22`` is a decimal comma
        elif _THOUSANDS_RE.match(pred):
            pred = pred.replace(",", "")
        elif _THOUSANDS_SPACE_RE.match(pred):
            pred = pred.replace(" ", "")
    if not gi.has_eq:
        items = _split_top(pred)
        if len(items) > 1:
            if any(_ASSIGN_RE.match(it) for it in items):
                pred = ", ".join(_ASSIGN_RE.sub("", it, count=1).strip() for it in items)
        else:
            # chained "x = 2 + 1 = 3": keep the last part when the first is a simple name
            m = _ASSIGN_RE.match(pred)
            if m:
                parts = _split_top(pred, "=")
                pred = parts[-1].strip() if len(parts) > 1 else pred[m.end() :].strip()
    if gi.numeric_const and len(pred) <= 200:
        pred = _strip_unit_words(pred)
        if _THOUSANDS_RE.match(pred):
            pred = pred.replace(",", "")
    return pred


def _strip_unit_words(pred: str) -> str:
    """``5 dollars`` / ``12 cm^2`` / ``3 m/s`` -> the number (only when the gold is a number)."""
    words = pred.split(" ")
    k = len(words)
    while k > 1:
        parts = [w for w in re.split(r"/", words[k - 1]) if w]
        if parts and all(
            _UNIT_WORD_RE.fullmatch(w)
            and w.rstrip(".").split("^")[0].lower() not in _NOT_UNITS
            and (w.rstrip(".").split("^")[0].lower() in _SHORT_UNITS or len(w.rstrip(".").split("^")[0]) >= 3)
            for w in parts
        ):
            k -= 1
        else:
            break
    if k == len(words) or not re.search(r"[0-9}]$", words[k - 1]):
        return pred
    return " ".join(words[:k])
