"""Tokenizer and recursive-descent parser: an answer string to a small tuple AST (``Node``).

No ``eval`` and no ``sympify``: ``Parser`` follows latex2sympy's grammar where it matters and raises
``GiveUp`` on anything ambiguous or too large (nesting depth, number of items and terms).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple, TypeAlias

from rlvr_envs.verifiers.mathexpr.algebra import MAX_ITEMS, MAX_TERMS, Ctx, GiveUp

#: Most summands in one expression, and the deepest nesting the parser follows.
_MAX_SUM_TERMS = 5000
_MAX_DEPTH = 80

_TOKEN_RE = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<num>[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)"
    r"|(?P<text>\\text\{[^{}]*\})"
    r"|(?P<begin>\\begin\s*\{[a-zA-Z*]+\})"
    r"|(?P<end>\\end\s*\{[a-zA-Z*]+\})"
    r"|(?P<cmd>\\[a-zA-Z]+|\\.)"
    r"|(?P<pow>\*\*)"
    r"|(?P<ch>.)",
    re.S,
)


class _Tok(NamedTuple):
    kind: str  # num, text, begin, end, cmd, pow, ch, eof
    text: str
    ws: bool  # preceded by whitespace


_EOF = _Tok("eof", "", False)

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "varrho", "sigma",
    "varsigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta",
    "Theta", "Lambda", "Xi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}  # fmt: skip
_FUNCS = {
    "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "arccot", "arcsec",
    "arccsc", "sinh", "cosh", "tanh", "coth", "sech", "csch", "arcsinh", "arccosh", "arctanh",
    "ln", "exp", "sgn",
}  # fmt: skip
_TRIG_INVERSE = {"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh"}
_MATRIX_ENVS = {"pmatrix", "bmatrix", "matrix", "Bmatrix", "smallmatrix", "array"}

Node: TypeAlias = tuple[object, ...]


def tokenize(s: str) -> list[_Tok]:
    toks: list[_Tok] = []
    ws = False
    for m in _TOKEN_RE.finditer(s):
        kind = m.lastgroup or "ch"
        if kind == "ws":
            ws = True
            continue
        text = m.group()
        if kind in ("begin", "end"):
            text = text[text.index("{") + 1 : -1]
        elif kind == "text":
            text = text[6:-1].strip()
        toks.append(_Tok(kind, text, ws))
        ws = False
    return toks


class Parser:
    """Recursive-descent parser for answer strings into small tuple ASTs.

    Grammar follows latex2sympy where it matters (``1/2x`` is ``1/(2x)``, ``2\\frac12`` is a
    mixed number, ``\\sin 2x`` is ``sin(2x)``); anything ambiguous raises ``GiveUp``.
    """

    def __init__(self, toks: list[_Tok], ctx: Ctx) -> None:
        self.toks = toks
        self.i = 0
        self.ctx = ctx
        self.abs_depth = 0

    # -- helpers --------------------------------------------------------------------------
    def peek(self, k: int = 0) -> _Tok:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else _EOF

    def next(self) -> _Tok:
        t = self.peek()
        self.i += 1
        return t

    def at(self, kind: str, text: str | None = None) -> bool:
        t = self.peek()
        return t.kind == kind and (text is None or t.text == text)

    def at_ch(self, *chars: str) -> bool:
        t = self.peek()
        return t.kind == "ch" and t.text in chars

    def at_cmd(self, *names: str) -> bool:
        t = self.peek()
        return t.kind == "cmd" and t.text in names

    def expect_ch(self, c: str) -> None:
        if not self.at_ch(c):
            raise GiveUp(f"expected {c!r}")
        self.i += 1

    def enter(self) -> None:
        self.ctx.depth += 1
        if self.ctx.depth > _MAX_DEPTH:
            raise GiveUp("nesting too deep")

    def leave(self) -> None:
        self.ctx.depth -= 1

    # -- top level ------------------------------------------------------------------------
    def parse_answer(self) -> Node:
        if not self.toks:
            raise GiveUp("empty")
        if len(self.toks) == 1 and self.toks[0].kind == "text":
            return ("text", self.toks[0].text)
        items = [self.parse_item()]
        while self.at_ch(",", ";"):
            self.i += 1
            items.append(self.parse_item())
            if len(items) > MAX_ITEMS:
                raise GiveUp("too many items")
        if self.peek().kind != "eof":
            raise GiveUp(f"trailing input {self.peek().text!r}")
        return items[0] if len(items) == 1 else ("list", items)

    def parse_item(self) -> Node:
        parts = [self.parse_union()]
        ops: list[str] = []
        while self.at_ch("=") or self.at_cmd("\\approx"):
            ops.append(self.next().text)
            parts.append(self.parse_union())
        if self.at_ch("<", ">") or self.at_cmd("\\leq", "\\geq", "\\neq", "\\lt", "\\gt", "\\in"):
            raise GiveUp("relation")
        if len(parts) == 1:
            return parts[0]
        return ("rel", parts, ops)

    def parse_union(self) -> Node:
        parts = [self.parse_setlike()]
        while self.at_cmd("\\cup"):
            self.i += 1
            parts.append(self.parse_setlike())
        if len(parts) == 1:
            return parts[0]
        return ("union", parts)

    def _item_end(self) -> bool:
        t = self.peek()
        if t.kind == "eof":
            return True
        if t.kind == "ch" and t.text in ",;=)]}":
            return True
        return t.kind == "cmd" and t.text in ("\\cup", "\\}", "\\approx", "\\\\")

    def parse_setlike(self) -> Node:
        t = self.peek()
        if t.kind == "cmd" and t.text in ("\\emptyset", "\\varnothing"):
            self.i += 1
            return ("set", [])
        if t.kind == "cmd" and t.text == "\\{":
            self.i += 1
            items = self.parse_items_until(lambda: self.at_cmd("\\}"))
            self.i += 1
            return ("set", items)
        if t.kind == "begin":
            return self.parse_matrix()
        if t.kind == "ch" and t.text in "([{":
            save = self.i
            node = self.try_bracket_group()
            if node is not None and self._item_end():
                return node
            self.i = save
        node = self.parse_expr()
        if self.at_cmd("\\%"):
            self.i += 1
            node = ("pct", node)
        return node

    def parse_items_until(self, stop: Callable[[], bool]) -> list[Node]:
        items: list[Node] = []
        if stop():
            return items
        self.enter()
        while True:
            items.append(self.parse_item())
            if len(items) > MAX_ITEMS:
                raise GiveUp("too many items")
            if stop():
                break
            if not self.at_ch(",", ";"):
                raise GiveUp("bad collection")
            self.i += 1
        self.leave()
        return items

    def try_bracket_group(self) -> Node | None:
        """``(a, b)``, ``[a, b)``, ``{a, b}``, or a bracketed matrix; None if not a collection."""
        open_t = self.next().text
        saved_depth = self.ctx.depth
        try:
            return self._bracket_group(open_t)
        except GiveUp:
            self.ctx.depth = saved_depth
            return None

    def _bracket_group(self, open_t: str) -> Node | None:
        if open_t == "{":
            items = self.parse_items_until(lambda: self.at_ch("}"))
            self.i += 1
            return ("set", items) if len(items) != 1 else None
        if self.peek().kind == "begin":
            mat = self.parse_matrix()
            if self.at_ch(")", "]"):
                self.i += 1
                return mat
            return None
        items = self.parse_items_until(lambda: self.at_ch(")", "]"))
        close_t = self.next().text
        if len(items) < 2:
            return None
        return ("brk", open_t, items, close_t)

    def parse_matrix(self) -> Node:
        env = self.next().text
        if env not in _MATRIX_ENVS:
            raise GiveUp(f"environment {env}")
        if env == "array" and self.at_ch("{"):
            depth = 0
            while True:  # skip column spec
                t = self.next()
                if t.kind == "eof":
                    raise GiveUp("bad array")
                if t.kind == "ch" and t.text == "{":
                    depth += 1
                elif t.kind == "ch" and t.text == "}":
                    depth -= 1
                    if depth == 0:
                        break
        rows: list[list[Node]] = [[]]
        self.enter()
        while True:
            if self.peek().kind == "end":
                if self.next().text != env:
                    raise GiveUp("mismatched environment")
                break
            if self.peek().kind == "eof":
                raise GiveUp("unterminated matrix")
            rows[-1].append(self.parse_expr())
            if self.at_ch("&"):
                self.i += 1
            elif self.at_cmd("\\\\"):
                self.i += 1
                if self.peek().kind != "end":
                    rows.append([])
            elif self.peek().kind != "end":
                raise GiveUp("bad matrix cell")
        self.leave()
        if not rows[-1]:
            rows.pop()
        if not rows or len({len(r) for r in rows}) != 1:
            raise GiveUp("ragged matrix")
        return ("mat", rows)

    # -- expressions ----------------------------------------------------------------------
    def parse_expr(self) -> Node:
        self.enter()
        terms: list[tuple[str, Node]] = []
        sign = "+"
        if self.at_ch("+", "-") or self.at_cmd("\\pm", "\\mp"):
            sign = self._sign(self.next())
        terms.append((sign, self.parse_term()))
        while self.at_ch("+", "-") or self.at_cmd("\\pm", "\\mp"):
            sign = self._sign(self.next())
            terms.append((sign, self.parse_term()))
            if len(terms) > _MAX_SUM_TERMS:
                raise GiveUp("too many terms")
        self.leave()
        if len(terms) == 1 and terms[0][0] == "+":
            return terms[0][1]
        return ("add", terms)

    @staticmethod
    def _sign(t: _Tok) -> str:
        return {"+": "+", "-": "-", "\\pm": "pm", "\\mp": "mp"}[t.text]

    def parse_term(self) -> Node:
        node = self.parse_product()
        while True:
            if self.at_ch("*") or self.at_cmd("\\cdot", "\\times", "\\ast"):
                self.i += 1
                node = ("mul", [node, self.parse_signed_product()])
            elif self.at_ch("/") or self.at_cmd("\\div"):
                self.i += 1
                node = ("div", node, self.parse_signed_product())
            else:
                return node

    def parse_signed_product(self) -> Node:
        if self.at_ch("-"):
            self.i += 1
            return ("neg", self.parse_product())
        if self.at_ch("+"):
            self.i += 1
        return self.parse_product()

    def _starts_factor(self) -> bool:
        t = self.peek()
        if t.kind in ("num", "begin"):
            return True
        if t.kind == "ch":
            if t.text == "|":
                return self.abs_depth == 0
            return t.text.isalpha() or t.text in "({["
        if t.kind == "cmd":
            name = t.text[1:]
            return (
                name in _GREEK
                or name in _FUNCS
                or name in ("pi", "infty", "frac", "sqrt", "binom", "log", "arctan", "exp", "lvert", "vert")
            )
        return False

    def parse_product(self, stop_at_func: bool = False) -> Node:
        factors = [self.parse_postfix()]
        while self._starts_factor():
            t = self.peek()
            if stop_at_func and t.kind == "cmd" and (t.text[1:] in _FUNCS or t.text == "\\log"):
                break
            if t.kind == "ch" and t.text == "[":
                raise GiveUp("bracket after factor")
            prev = factors[-1]
            if prev[0] == "n" and t.kind == "num":
                raise GiveUp("adjacent numbers")
            factors.append(self.parse_postfix())
            if len(factors) > MAX_TERMS:
                raise GiveUp("too many factors")
        # Mixed number 2\frac{1}{2} (latex2sympy reads it as 5/2 when nothing follows).
        if len(factors) == 2 and factors[0][0] == "n" and factors[0][2] is False and factors[1][0] == "mixedfrac":
            whole = factors[0][1]
            assert isinstance(whole, Fraction)
            fr = factors[1][1]
            assert isinstance(fr, Fraction)
            return ("n", whole + fr, False)
        factors = [("n", f[1], False) if f[0] == "mixedfrac" else f for f in factors]
        if len(factors) == 1:
            return factors[0]
        return ("mul", factors)

    def parse_postfix(self) -> Node:
        self.enter()
        node = self.parse_primary()
        powered = False
        while True:
            if self.at_ch("^"):
                self.i += 1
                if powered:
                    raise GiveUp("ambiguous chained powers")  # latex2sympy: left-assoc
                powered = True
                node = ("pow", node, self.parse_exponent())
                if node[1][0] == "mixedfrac":
                    node = ("pow", ("n", node[1][1], False), node[2])
            elif self.at("pow"):
                self.i += 1
                rhs = self.parse_signed_postfix()  # ** is right-associative
                node = ("pow", node, rhs)
            elif self.at_ch("!"):
                self.i += 1
                if self.at_ch("!"):
                    raise GiveUp("double factorial")
                node = ("fact", node)
            elif self.at_ch("'"):
                raise GiveUp("prime")
            else:
                break
        self.leave()
        return node

    def parse_signed_postfix(self) -> Node:
        if self.at_ch("-"):
            self.i += 1
            return ("neg", self.parse_postfix())
        if self.at_ch("+"):
            self.i += 1
        return self.parse_postfix()

    def parse_exponent(self) -> Node:
        t = self.peek()
        if t.kind == "ch" and t.text == "{":
            return self.parse_group()
        if t.kind == "ch" and t.text == "-":
            self.i += 1
            return ("neg", self.parse_exponent())
        if t.kind == "num":
            self.i += 1
            return self._num_node(t.text)
        if t.kind == "ch" and t.text.isalpha():
            self.i += 1
            return self._letter(t.text)
        if t.kind == "cmd" and (t.text[1:] in _GREEK or t.text in ("\\pi", "\\infty")):
            return self.parse_primary()
        raise GiveUp("unsupported exponent")

    def parse_group(self) -> Node:
        """``{ expr }`` used for arguments."""
        self.expect_ch("{")
        node = self.parse_expr()
        self.expect_ch("}")
        return node

    def parse_arg(self) -> Node:
        """A LaTeX macro argument: ``{...}``, a single digit, letter or command."""
        t = self.peek()
        if t.kind == "ch" and t.text == "{":
            return self.parse_group()
        if t.kind == "num":
            if "." in t.text:
                raise GiveUp("decimal macro argument")
            self.toks[self.i] = _Tok("num", t.text[1:], False) if len(t.text) > 1 else t
            if len(t.text) == 1:
                self.i += 1
            return ("n", Fraction(int(t.text[0])), False)
        if t.kind == "ch" and t.text.isalpha():
            self.i += 1
            return self._letter(t.text)
        if t.kind == "cmd" and (t.text[1:] in _GREEK or t.text == "\\pi"):
            self.i += 1
            return ("pi",) if t.text == "\\pi" else ("v", "v:" + t.text[1:].lower())
        raise GiveUp("unsupported macro argument")

    def _num_node(self, text: str) -> Node:
        return ("n", Fraction(text), "." in text)

    def _letter(self, c: str) -> Node:
        if c == "e":
            return ("a", "e")
        if c in "EiI":
            return ("a", c)
        return ("v", "v:" + c.lower())

    def parse_primary(self) -> Node:
        t = self.next()
        k = t.kind
        if k == "num":
            return self.parse_number(t)
        if k == "ch":
            c = t.text
            if c == "(" or c == "[":
                node = self.parse_expr()
                self.expect_ch(")" if c == "(" else "]")
                return node
            if c == "{":
                node = self.parse_expr()
                self.expect_ch("}")
                return node
            if c == "|":
                self.abs_depth += 1
                node = self.parse_expr()
                self.abs_depth -= 1
                self.expect_ch("|")
                return ("abs", node)
            if c.isascii() and c.isalpha():
                if self.at_ch("_"):
                    return ("v", "v:" + c.lower() + "_" + self.parse_subscript())
                if c in "fgh" and self.at_ch("("):
                    self.i += 1
                    arg = self.parse_expr()
                    self.expect_ch(")")
                    return ("call", c, arg)
                return self._letter(c)
            raise GiveUp(f"unexpected {c!r}")
        if k == "cmd":
            return self.parse_command(t.text)
        if k == "begin":
            self.i -= 1
            return self.parse_matrix()
        raise GiveUp(f"unexpected {t.text!r}")

    def parse_subscript(self) -> str:
        self.expect_ch("_")
        t = self.next()
        if t.kind == "num" or (t.kind == "ch" and t.text.isalnum()):
            return t.text
        if t.kind == "ch" and t.text == "{":
            parts = []
            while not self.at_ch("}"):
                u = self.next()
                if u.kind not in ("num", "ch") or not u.text.isalnum():
                    raise GiveUp("complex subscript")
                parts.append(u.text)
                if len(parts) > 8:
                    raise GiveUp("long subscript")
            self.i += 1
            return "".join(parts)
        raise GiveUp("bad subscript")

    def parse_number(self, t: _Tok) -> Node:
        text = t.text
        # Repeating decimal: 0.\overline{3}, 0.1\overline{6}
        if self.at_cmd("\\overline") and not self.peek().ws and "." in text:
            self.i += 1
            self.expect_ch("{")
            rep = self.next()
            if rep.kind != "num" or "." in rep.text:
                raise GiveUp("bad repeating decimal")
            self.expect_ch("}")
            ip, _, fp = text.partition(".")
            base = Fraction(int(ip or "0")) + (Fraction(int(fp), 10 ** len(fp)) if fp else 0)
            rep_val = Fraction(int(rep.text), (10 ** len(rep.text) - 1) * 10 ** len(fp))
            return ("n", base + rep_val, False)
        # Scientific notation 1.5e3 / 2E-4 (only when the gold does not use the constant e).
        nt = self.peek()
        if self.ctx.sci_ok and nt.kind == "ch" and nt.text in "eE" and not nt.ws:
            j = 1
            sign = 1
            t2 = self.peek(1)
            if t2.kind == "ch" and t2.text in "+-" and not t2.ws:
                sign = -1 if t2.text == "-" else 1
                j = 2
            t3 = self.peek(j)
            if t3.kind == "num" and "." not in t3.text and not t3.ws and len(t3.text) <= 4:
                self.i += j + 1
                return ("n", Fraction(text) * Fraction(10) ** (sign * int(t3.text)), True)
        return self._num_node(text)

    def parse_command(self, cmd: str) -> Node:
        name = cmd[1:]
        if name == "frac":
            a = self.parse_arg()
            b = self.parse_arg()
            if (
                a[0] == "n"
                and b[0] == "n"
                and a[2] is False
                and b[2] is False
                and isinstance(a[1], Fraction)
                and isinstance(b[1], Fraction)
                and b[1] != 0
            ):
                return ("mixedfrac", a[1] / b[1])
            return ("div", a, b)
        if name == "sqrt":
            idx: Node | None = None
            if self.at_ch("["):
                self.i += 1
                idx = self.parse_expr()
                self.expect_ch("]")
            if self.at_ch("("):
                self.i += 1
                arg = self.parse_expr()
                self.expect_ch(")")
            else:
                arg = self.parse_arg()
            return ("sqrt", arg, idx)
        if name == "binom":
            return ("binom", self.parse_arg(), self.parse_arg())
        if name == "pi":
            return ("pi",)
        if name in ("infty", "infin"):
            return ("inf",)
        if name in _GREEK:
            return ("v", "v:" + name.lower())
        if name in ("lvert", "vert"):
            self.abs_depth += 1
            node = self.parse_expr()
            self.abs_depth -= 1
            if not self.at_cmd("\\rvert", "\\vert"):
                raise GiveUp("unbalanced |")
            self.i += 1
            return ("abs", node)
        if name in _FUNCS or name == "log":
            return self.parse_function(name)
        raise GiveUp(f"unsupported command {cmd}")

    def parse_function(self, name: str) -> Node:
        base: Node | None = None
        power: Node | None = None
        if name == "log":
            if not self.at_ch("_"):
                name = "ln"
            else:
                self.i += 1
                base = self.parse_arg()
        if self.at_ch("^"):
            self.i += 1
            power = self.parse_exponent()
            minus_one = ("n", Fraction(1), False)
            if name in _TRIG_INVERSE and power in (("neg", minus_one), ("add", [("-", minus_one)])):
                name = "arc" + name
                power = None
        t = self.peek()
        if t.kind == "ch" and t.text == "{":
            arg = self.parse_group()
        elif t.kind == "ch" and t.text == "(":
            self.i += 1
            arg = self.parse_expr()
            self.expect_ch(")")
        else:
            arg = self.parse_product(stop_at_func=True)
        if name == "exp":
            node: Node = ("exp", arg)
        elif base is not None:
            node = ("log", base, arg)
        else:
            node = ("fn", name, arg)
        if power is not None:
            node = ("pow", node, power)
        return node
