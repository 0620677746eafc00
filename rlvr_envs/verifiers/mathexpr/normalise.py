"""Gold-independent normalisation of answer strings.

``normalise`` strips delimiters and ``\\boxed{}``, sizing and spacing commands, ``\\dfrac``-style
variants, unicode, currency and degree signs, trailing unit text and sentence-final punctuation;
its output stays valid LaTeX because math-verify may receive it.  ``squash`` is the
whitespace-insensitive form used for the exact string match.
"""

from __future__ import annotations

import re

from rlvr_envs.core.parsing import closing_braces

_UNICODE_MAP = str.maketrans(
    {
        "\u2212": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u00d7": r" \times ",
        "\u00f7": r" \div ",
        "\u00b7": r" \cdot ",
        "\u22c5": r" \cdot ",
        "\u03c0": r" \pi ",
        "\u221e": r" \infty ",
        "\u221a": r"\sqrt ",
        "\u2264": r" \leq ",
        "\u2265": r" \geq ",
        "\u2260": r" \neq ",
        "\u222a": r" \cup ",
        "\u00b0": r"^{\circ}",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\uff05": "%",
        "\uff0c": ",",
        "\u00bd": r"\frac{1}{2}",
    }
)

_LEFT_RIGHT_DOT_RE = re.compile(r"\\(?:left|right)\s*\.")
_SIZING_RE = re.compile(
    r"\\(?:left|right|middle|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|bigm|Bigm|big|Big|bigg|Bigg)"
    r"(?![a-zA-Z])\s*"
)
# ``\\\\`` (matrix row separator) is matched first so that ``\\\\ `` is not read as ``\\`` + ``\ ``.
_SPACING_RE = re.compile(
    r"\\\\|\\[!,;:> ]|~|\\(?:quad|qquad|enspace|thinspace|medspace|thickspace|negthinspace|"
    r"displaystyle|textstyle|scriptstyle|nonumber|limits|hfill)(?![a-zA-Z])"
)


def _spacing_repl(m: re.Match[str]) -> str:
    t = m.group()
    if t == "\\\\":
        return t
    return "" if t == "\\!" else " "


_FRAC_RE = re.compile(r"\\[dtc]frac(?![a-zA-Z])")
_BINOM_RE = re.compile(r"\\[dt]binom(?![a-zA-Z])")
_REL_RE = [
    (re.compile(r"\\(?:leqslant|leq|le)(?![a-zA-Z])"), r"\\leq "),
    (re.compile(r"\\(?:geqslant|geq|ge)(?![a-zA-Z])"), r"\\geq "),
    (re.compile(r"\\(?:neq|ne)(?![a-zA-Z])"), r"\\neq "),
]
# sympy's latex() prints the natural log as \log; math-verify reads an un-based \log as log10.
_LOG_RE = re.compile(r"\\log(?![a-zA-Z])(?!\s*_)")
_OPNAME_RE = re.compile(r"\\operatorname\*?\s*\{\s*([a-zA-Z]+)\s*\}")
_OPNAME_MAP = {
    "atan": r"\arctan",
    "asin": r"\arcsin",
    "acos": r"\arccos",
    "acot": r"\arccot",
    "asec": r"\arcsec",
    "acsc": r"\arccsc",
    "arctan": r"\arctan",
    "arcsin": r"\arcsin",
    "arccos": r"\arccos",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "tanh": r"\tanh",
    "asinh": r"\arcsinh",
    "acosh": r"\arccosh",
    "atanh": r"\arctanh",
    "sech": r"\sech",
    "csch": r"\csch",
    "coth": r"\coth",
    "sgn": r"\sgn",
    "sign": r"\sgn",
    "ln": r"\ln",
    "log": r"\ln",
    "exp": r"\exp",
}
TEXT_CMD_RE = re.compile(
    r"\\(?:text|textrm|textnormal|textup|textsf|texttt|textbf|textit|mathrm|mathbf|mathit|mathsf|"
    r"mathtt|mathnormal|mbox|hbox|boldsymbol|bm)\s*\{([^{}]*)\}"
)
_PERCENT_WORD_RE = re.compile(r" ?(?:\\text\{ ?)?(?:percentage|percent|pct)(?: ?\})?$", re.I)
_DEGREE_RE = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\circ(?![a-zA-Z])|\\degree(?![a-zA-Z])")
_TEXT_TAIL_RE = re.compile(r"\\text\{[^{}]*\}(?:\s*\^\s*(?:\{[^{}]*\}|[0-9]))?\s*$")
_WS_RE = re.compile(r"\s+")
_SQUASH_RE = re.compile(r"(?<=[^A-Za-z]) | (?=[^A-Za-z])")


# ``11,\\! 111,\\! 100``: MATH's LaTeX thousands separator (``,\\!`` then a 3-digit group) is unambiguous.
_LATEX_THOUSANDS_RE = re.compile(r"(?<=[0-9]),\\!\s*([0-9]{3})(?![0-9])")
# Bare "and"/"or" between list items (``6 and 8``, ``19, 46, and 82``, ``3 or 4``) separate items.
_BARE_CONJ_RE = re.compile(r"\s*,?\s*(?<![A-Za-z\\])(?:and|or)(?![A-Za-z])\s*")
_EMPTY_ITEM_RE = re.compile(r"(?:\s*,){2,}")
_WRAPPER_RE = re.compile(r"^\\(?:boxed|fbox|framebox)\s*\{")


def _strip_wrappers(s: str) -> str:
    """Remove math delimiters and ``\\boxed{}`` that enclose the whole answer."""
    for _ in range(8):
        t = s.strip()
        if len(t) >= 4 and t.startswith("$$") and t.endswith("$$"):
            t = t[2:-2]
        elif len(t) >= 2 and t[0] == "$" and t[-1] == "$" and not t.endswith("\\$"):
            t = t[1:-1]
        elif len(t) >= 4 and t.startswith(("\\(", "\\[")) and t.endswith(("\\)", "\\]")):
            t = t[2:-2]
        else:
            m = _WRAPPER_RE.match(t)
            # The ``{`` follows a control word at index 0, so core's whole-string matcher pairs it
            # exactly as a scan from that brace would.
            if m and closing_braces(t).get(m.end() - 1) == len(t) - 1:
                t = t[m.end() : -1]
        if t == s:
            return t
        s = t
    return s.strip()


def _text_repl(m: re.Match[str]) -> str:
    content = m.group(1).strip()
    low = content.lower().strip(" ,")
    if low in ("and", "or", ""):
        return " , " if low else " "
    if len(content) == 1 or not re.search(r"[A-Za-z]{2}", content):
        return " " + content + " "
    return "\\text{" + _WS_RE.sub(" ", content) + "}"


def normalise(s: str) -> str:
    """Gold-independent normalisation; output stays valid LaTeX for math-verify."""
    s = s.translate(_UNICODE_MAP)
    s = _strip_wrappers(s)
    s = s.replace("\\$", " ").replace("$", " ").replace("\u20ac", " ").replace("\u00a3", " ")
    s = _LEFT_RIGHT_DOT_RE.sub("", s)
    s = _SIZING_RE.sub("", s)
    s = _LATEX_THOUSANDS_RE.sub(r"\1", s)
    s = _SPACING_RE.sub(_spacing_repl, s)
    s = _FRAC_RE.sub(r"\\frac", s)
    s = _BINOM_RE.sub(r"\\binom", s)
    for rx, rep in _REL_RE:
        s = rx.sub(rep, s)
    s = _OPNAME_RE.sub(lambda m: _OPNAME_MAP.get(m.group(1), m.group(0)) + " ", s)
    s = _LOG_RE.sub(r"\\ln", s)
    s = s.replace("{,}", ",")
    s = TEXT_CMD_RE.sub(_text_repl, s)
    s = _DEGREE_RE.sub(" ", s)
    s = re.sub(r"(?<!\\)%", r"\\%", s)
    s = _WS_RE.sub(" ", s).strip()
    if "\\text{" not in s and _BARE_CONJ_RE.search(s):
        s = _BARE_CONJ_RE.sub(" , ", s)
    if "," in s:
        s = _EMPTY_ITEM_RE.sub(",", s).strip(" ,")
    s = _PERCENT_WORD_RE.sub(r"\\%", s) if re.search(r"[0-9}] ?(?:\\text\{ ?)?(?:percent|pct)", s, re.I) else s
    # Trailing unit text such as "5 \text{cm}" or "3 \text{ dollars}^2" (procedural: no O(n^2)).
    for _ in range(3):
        k = s.rfind("\\text{")
        if k <= 0 or not _TEXT_TAIL_RE.fullmatch(s, k) or not s[:k].strip(" ,"):
            break
        s = s[:k].strip()
    if s.startswith("\\text{") and s.endswith("}") and closing_braces(s).get(5) == len(s) - 1:
        inner = s[6:-1].strip()
        if re.match(r"^-?[0-9.]", inner):
            s = inner
    # A sentence-final period or semicolon ("7." / "x = 3;") but not an ellipsis or "\\.".
    while s.endswith((".", ";")) and not s.endswith(("..", "\\.")):
        s = s[:-1].rstrip()
    return s


def squash(s: str) -> str:
    """Whitespace-insensitive form that keeps the space in ``\\cos x``."""
    return _SQUASH_RE.sub("", s)
